"""Push queries (`EMIT CHANGES`) and pull queries on streams: rows as the log grows.

A `StreamingQuery` is pulled by its client: each `poll` processes the records available
(waiting up to a timeout when there are none) and returns the rows they produced. A
push query ends when its LIMIT is reached or its client closes it; a pull query on a
stream ends once it has read every partition up to the end offsets captured when it
started, which is how ksqlDB scans a stream.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from tote.core.records import TopicPartition
from tote.log.wake import Wake
from tote.sql.transient.builder import OutputColumn
from tote.sql.transient.rows import Row
from tote.sql.transient.run import TransientRun

LIMIT_REACHED = "Limit Reached"
COMPLETED = "Query Completed"


@dataclass
class Batch:
    rows: list[Row]
    # Set once the query has ended: ksqlDB's `finalMessage` ("Limit Reached", ...).
    final: str | None = None


@dataclass(eq=False)
class StreamingQuery:
    query_id: str
    sql: str
    columns: tuple[OutputColumn, ...]
    run: TransientRun
    limit: int | None = None
    # Pull queries on streams read up to these offsets, then complete.
    end: dict[TopicPartition, int] | None = None
    is_pull: bool = False
    source_names: tuple[str, ...] = ()
    _pending: list[Row] = field(default_factory=list)
    _sent: int = 0
    _closed: threading.Event = field(default_factory=threading.Event)
    # Set with `_closed`: ends a poll's pending wait for records at once.
    _wake: Wake = field(default_factory=Wake)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _final: str | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit <= 0:
            self._final = LIMIT_REACHED

    def accept(self, row: Row) -> None:
        """Called by the plan's last operator for every row it produces."""
        self._pending.append(row)

    def _full(self) -> bool:
        return self.limit is not None and self._sent + len(self._pending) >= self.limit

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        self._closed.set()
        self._wake.set()

    def poll(self, timeout: float) -> Batch:
        """Rows produced since the last poll (waiting up to `timeout` for some)."""
        with self._lock:
            if self._final is not None or self.closed:
                return Batch([], self._final or COMPLETED)
            rows = self._advance()
            if not rows and self._final is None:
                self.run.wait(timeout, self._wake)
                rows = self._advance()
            return Batch(rows, self._final)

    def _advance(self) -> list[Row]:
        def stop() -> bool:
            return self._full() or self.closed

        while not stop():
            if self.run.step(self.end, stop) == 0:
                break
        rows = self._pending
        self._pending = []
        if self.limit is not None and self._sent + len(rows) >= self.limit:
            rows = rows[: self.limit - self._sent]
            self._final = LIMIT_REACHED
        elif self.end is not None and self._complete():
            self._final = COMPLETED
        self._sent += len(rows)
        return rows

    def _complete(self) -> bool:
        assert self.end is not None
        return all(self.run.positions.get(tp, 0) >= end for tp, end in self.end.items())
