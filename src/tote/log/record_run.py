"""Records of one partition as a backend read them, with their keys and values as columns.

A reader that handles a poll in bulk (the Connect sink: all values to one decoder call,
all keys to one converter call, one next offset per partition) needs columns, not one
`LogRecord` per record. A `RecordRun` keeps the backend's own rows (the SQLite log's
query rows, without building records), gives the keys and values as lists, and is a
read-only `Sequence[LogRecord]` that builds each record only when it is indexed or
iterated, equal to what `Log.read` returns. Backends without rows of their own wrap
their records as they are (`RecordRun(tp, records)`, `RecordRun.split`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any, cast, overload

from tote.core.records import LogRecord, TopicPartition

Row = tuple[Any, ...]
# Where a LogRecord holds its offset, key and value.
RECORD_POSITIONS = (2, 3, 4)
_TOPIC, _PARTITION = itemgetter(0), itemgetter(1)


class RecordRun(Sequence[LogRecord]):
    """Consecutive records of one partition, in offset order."""

    __slots__ = ("_build", "_key", "_offset", "_rows", "_value", "tp")

    def __init__(self, tp: TopicPartition, rows: Sequence[Row],
                 build: Callable[[Row], LogRecord] | None = None,
                 positions: tuple[int, int, int] = RECORD_POSITIONS) -> None:
        """`rows`: LogRecords, or a backend's row tuples with `build` making the record of
        one; `positions`: where a row holds the offset, key and value."""
        self.tp = tp
        self._rows = rows
        self._build = build
        self._offset, self._key, self._value = positions

    @classmethod
    def split(cls, records: Sequence[LogRecord]) -> list[RecordRun]:
        """Records (a poll's) as runs of consecutive records of one partition. A poll of
        one partition (the common case) is recognised without a Python loop."""
        if records:
            last, count = records[-1], len(records)
            if list(map(_PARTITION, records)).count(last.partition) == count \
                    and list(map(_TOPIC, records)).count(last.topic) == count:
                return [cls(TopicPartition(last.topic, last.partition), records)]
        runs: list[RecordRun] = []
        start = 0
        for index in range(1, len(records) + 1):
            if index == len(records) or records[index].partition != records[start].partition \
                    or records[index].topic != records[start].topic:
                first = records[start]
                runs.append(cls(TopicPartition(first.topic, first.partition),
                                records[start:index]))
                start = index
        return runs

    def key_column(self) -> list[bytes | None]:
        return list(map(itemgetter(self._key), self._rows))

    def value_column(self) -> list[bytes | None]:
        return list(map(itemgetter(self._value), self._rows))

    @property
    def next_offset(self) -> int:
        """The offset after the run's last record (the run must not be empty)."""
        return int(self._rows[-1][self._offset]) + 1

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> LogRecord: ...

    @overload
    def __getitem__(self, index: slice) -> list[LogRecord]: ...

    def __getitem__(self, index: int | slice) -> LogRecord | list[LogRecord]:
        build = self._build
        if isinstance(index, slice):
            rows = self._rows[index]
            if build is None:
                return list(cast(Sequence[LogRecord], rows))
            return list(map(build, rows))
        row = self._rows[index]
        return cast(LogRecord, row) if build is None else build(row)

    def __iter__(self) -> Iterator[LogRecord]:
        if self._build is None:
            return iter(cast(Sequence[LogRecord], self._rows))
        return map(self._build, self._rows)

    def __repr__(self) -> str:
        return f"RecordRun({self.tp.topic}-{self.tp.partition}, {len(self._rows)} records)"
