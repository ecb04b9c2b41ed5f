"""One `put` in flight, so a task reads and converts the next poll while the database
commits the previous one.

A task that can hand a put over whole (`SinkTask.begin_put`: the JDBC sink on
PostgreSQL sends it as one query) does so on the task's own thread, and the database
works while this thread decodes; otherwise the put runs on a helper thread. A helper
thread competes for the interpreter lock with the decoding thread: whenever one of its
database waits ends it may wait up to the switch interval (5 ms) for its turn, and the
database idles meanwhile; a handed-over put has no such waits. Puts still run strictly
one after another (each is its own transaction, offsets included), so exactly-once is
unchanged; what overlaps is the database's time (COPY processing, commit, fsync) with
this process's decoding. Retriable failures are retried here until the task stops; any
other failure is raised by the next `drain`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from tote.connect.api import OffsetsMoved, PendingPut, SinkTask
from tote.connect.data import SinkRecord
from tote.connect.errors import ConnectException, RetriableException
from tote.core.records import TopicPartition

_logger = logging.getLogger(__name__)
RETRY_BACKOFF_S = 1.0


@dataclass(frozen=True)
class PutResult:
    """A finished put: the offsets it stored, or the partitions another writer moved."""

    offsets: Mapping[TopicPartition, int]
    moved: list[TopicPartition] = field(default_factory=list)


@dataclass(frozen=True)
class _HandedOver:
    """A put the task handed over whole, with what a retry needs."""

    put: PendingPut
    records: Sequence[SinkRecord]
    offsets: Mapping[TopicPartition, int]


class PutPipeline:
    """Runs a task's puts, at most one at a time: handed over whole, or on one helper
    thread."""

    def __init__(self, task: SinkTask, stopping: threading.Event, name: str) -> None:
        self.task = task
        self.stopping = stopping
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"put-{name}")
        self._pending: Future[PutResult] | _HandedOver | None = None

    def _put(self, records: Sequence[SinkRecord], offsets: Mapping[TopicPartition, int]
             ) -> PutResult:
        while True:
            try:
                self.task.put(records, offsets)
                return PutResult(offsets)
            except RetriableException as exc:
                _logger.warning("Put of %s records will be retried: %s", len(records), exc)
                if self.stopping.wait(RETRY_BACKOFF_S):
                    raise ConnectException("Task stopped while retrying a put") from None
            except OffsetsMoved as moved:
                return PutResult(offsets, moved.partitions)

    def _finish(self, handed: _HandedOver) -> PutResult:
        """Complete a handed-over put; a retriable failure is retried as a plain put."""
        try:
            handed.put.finish()
            return PutResult(handed.offsets)
        except RetriableException as exc:
            _logger.warning("Put of %s records will be retried: %s", len(handed.records), exc)
            return self._put(handed.records, handed.offsets)
        except OffsetsMoved as moved:
            return PutResult(handed.offsets, moved.partitions)

    def submit(self, records: Sequence[SinkRecord], offsets: Mapping[TopicPartition, int]
               ) -> None:
        if self._pending is not None:
            raise ConnectException("A put is already in flight")
        try:
            handed = self.task.begin_put(records, offsets)
        except (RetriableException, OffsetsMoved):
            handed = None  # the plain put meets it again, and handles it as always
        if handed is not None:
            self._pending = _HandedOver(handed, records, offsets)
        else:
            self._pending = self._executor.submit(self._put, records, offsets)

    @property
    def busy(self) -> bool:
        pending = self._pending
        if isinstance(pending, _HandedOver):
            return not pending.put.ready()
        return pending is not None and not pending.done()

    def drain(self) -> PutResult | None:
        """Wait for the put in flight (if any); raise its failure."""
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        if isinstance(pending, _HandedOver):
            return self._finish(pending)
        return pending.result()

    def close(self) -> None:
        """Let a put in flight finish (it commits or rolls back as a whole), then stop."""
        try:
            self.drain()
        except ConnectException as exc:
            _logger.warning("The last put failed while stopping: %s", exc)
        finally:
            self._pending = None
            self._executor.shutdown(wait=True)
