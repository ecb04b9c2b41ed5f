"""One `put` in flight on a helper thread, so a task reads and converts the next poll
while the database commits the previous one.

Puts still run strictly one after another (each is its own transaction, offsets
included), so exactly-once is unchanged; what overlaps is the database's time (COPY
processing, commit, fsync) with this process's decoding. Retriable failures are retried
here until the task stops; any other failure is raised by the next `drain`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from tote.connect.api import OffsetsMoved, SinkTask
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


class PutPipeline:
    """Runs a task's puts on one helper thread, at most one at a time."""

    def __init__(self, task: SinkTask, stopping: threading.Event, name: str) -> None:
        self.task = task
        self.stopping = stopping
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"put-{name}")
        self._pending: tuple[Future[PutResult], Mapping[TopicPartition, int]] | None = None

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

    def submit(self, records: Sequence[SinkRecord], offsets: Mapping[TopicPartition, int]
               ) -> None:
        if self._pending is not None:
            raise ConnectException("A put is already in flight")
        self._pending = (self._executor.submit(self._put, records, offsets), offsets)

    @property
    def busy(self) -> bool:
        return self._pending is not None and not self._pending[0].done()

    def drain(self) -> PutResult | None:
        """Wait for the put in flight (if any); raise its failure."""
        pending, self._pending = self._pending, None
        if pending is None:
            return None
        return pending[0].result()

    def close(self) -> None:
        """Let a put in flight finish (it commits or rolls back as a whole), then stop."""
        pending, self._pending = self._pending, None
        if pending is not None:
            try:
                pending[0].result()
            except ConnectException as exc:
                _logger.warning("The last put failed while stopping: %s", exc)
        self._executor.shutdown(wait=True)
