"""A poll's records kept as rows until someone asks for them one by one.

When every value of a poll was written with one flat Avro schema, the converter decodes
them into plain tuples (`StructRows`) instead of one `Struct` per record. The runtime
hands the sink a `SinkRecordBatch`: a read-only sequence of `SinkRecord`s that builds
each record (and its `Struct`) only when it is indexed or iterated, and that also
exposes the rows, so a sink that can write rows as they are (the JDBC sink's COPY) skips
the per-record objects altogether. Records built on demand equal the ones the general
path builds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, overload

from tote.connect.data import Schema, SinkRecord, Struct
from tote.core.records import LogRecord

_NEW = tuple.__new__
_FIRST, _SECOND = itemgetter(0), itemgetter(1)


@dataclass(frozen=True)
class StructRows:
    """STRUCT values of one schema as tuples of field values, in `names` order."""

    schema: Schema
    names: tuple[str, ...]
    rows: list[tuple[Any, ...]]

    def struct(self, index: int) -> Struct:
        return _NEW(Struct, (self.schema, dict(zip(self.names, self.rows[index], strict=True))))


class SinkRecordBatch(Sequence[SinkRecord]):
    """Records of one topic whose values are `StructRows`; built lazily, then cached."""

    def __init__(self, records: Sequence[LogRecord],
                 keys: Sequence[tuple[Schema | None, Any]], values: StructRows) -> None:
        if not len(records) == len(keys) == len(values.rows):
            raise ValueError("records, keys and values must line up")
        self.records = records
        self.keys = keys
        self.values = values
        self.topic = records[0].topic if records else ""
        self._built: list[SinkRecord] | None = None

    def keys_share_schema(self) -> bool:
        """Whether every key has the first key's schema (schemas are shared objects, so
        `count` finds them by identity)."""
        schemas = list(map(_FIRST, self.keys))
        return not schemas or schemas.count(schemas[0]) == len(schemas)

    def has_null_key(self) -> bool:
        return None in map(_SECOND, self.keys)

    def _build(self, index: int) -> SinkRecord:
        r, (key_schema, key) = self.records[index], self.keys[index]
        return _NEW(SinkRecord, (r.topic, r.partition, r.offset, key_schema, key,
                                 self.values.schema, self.values.struct(index), r.timestamp,
                                 r.headers, r))

    @property
    def materialized(self) -> bool:
        """Whether the records were built (someone needed them one by one)."""
        return self._built is not None

    def built(self) -> list[SinkRecord]:
        if self._built is None:
            self._built = [self._build(i) for i in range(len(self.records))]
        return self._built

    def __len__(self) -> int:
        return len(self.records)

    @overload
    def __getitem__(self, index: int) -> SinkRecord: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SinkRecord]: ...

    def __getitem__(self, index: int | slice) -> SinkRecord | Sequence[SinkRecord]:
        if isinstance(index, slice) or self._built is not None:
            return self.built()[index]
        if index < 0:
            index += len(self.records)
        if not 0 <= index < len(self.records):
            raise IndexError("record index out of range")
        return self._build(index)

    def __iter__(self) -> Iterator[SinkRecord]:
        return iter(self.built())
