"""Following the `_schemas` partition: replay at start, tail afterwards, catch up on demand.

One `pull` reads a batch at the current position and feeds it, in order, to the state's
`apply` under the registry lock. The background thread pulls whenever `log.wait` says
there is data; a request that must see everything written so far (read-your-writes,
across processes too) pulls itself until an empty read proves it is at the end. An
empty read counts as "at the end" because it started after the caller captured the end
offset, which also covers Kafka's transaction markers (offsets that hold no record).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from tote.core.clock import Clock
from tote.core.errors import ToteError
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import Log
from tote.registry.errors import OperationTimeout, StoreError

log = logging.getLogger(__name__)

POLL_SECONDS = 0.1  # also how long close() may wait for the tail thread
ERROR_BACKOFF_SECONDS = 0.5
REPLAY_LOG_EVERY = 10_000


def store_error(exc: ToteError, doing: str) -> StoreError:
    """A log failure, reported the registry's way (50001)."""
    return StoreError(f"Error from the backend Kafka store while {doing}: {exc.message}")


class TopicFollower:
    """Applies one partition's records to `apply` in offset order, exactly once each."""

    def __init__(self, log_: Log, tp: TopicPartition, apply: Callable[[LogRecord], None],
                 state_lock: threading.RLock, clock: Clock) -> None:
        self._log = log_
        self._tp = tp
        self._apply = apply
        self._state_lock = state_lock
        self._clock = clock
        self._pull_lock = threading.Lock()
        self._position = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def position(self) -> int:
        """The offset of the next record to apply."""
        return self._position

    def end_offset(self) -> int:
        try:
            described = self._log.describe_topic(self._tp.topic)
            return described.partitions[self._tp.partition].end_offset
        except ToteError as exc:
            raise store_error(exc, "reading the end offset") from None

    def pull(self) -> int:
        """Read one batch at the position and apply it; the number of records applied."""
        with self._pull_lock:
            try:
                batch = self._log.read(self._tp, self._position)
            except ToteError as exc:
                raise store_error(exc, "reading the schemas topic") from None
            if not batch:
                return 0
            with self._state_lock:
                for record in batch:
                    self._apply(record)
                    self._position = record.offset + 1
            return len(batch)

    def catch_up(self, target: int, deadline: float | None, timeout_message: str) -> None:
        """Return once every record committed before `target` was captured is applied."""
        while self._position < target:
            if self.pull() == 0:
                return
            if deadline is not None and self._clock.monotonic() > deadline:
                raise OperationTimeout(timeout_message)

    def replay(self) -> int:
        """Apply everything up to the end offset as of now; the number of records applied."""
        target = self.end_offset()
        applied = 0
        next_report = REPLAY_LOG_EVERY
        while self._position < target:
            count = self.pull()
            if count == 0:
                break
            applied += count
            if applied >= next_report:
                log.info("Replayed %d of %d %s records", self._position, target, self._tp.topic)
                next_report += REPLAY_LOG_EVERY
        return applied

    # -- background tailing -----------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"follow-{self._tp.topic}",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                if self.pull() == 0:
                    self._log.wait({self._tp: self._position}, POLL_SECONDS)
            except ToteError as exc:
                if self._stop.is_set():
                    return
                log.warning("Following %s failed, retrying: %s", self._tp.topic, exc)
                self._stop.wait(ERROR_BACKOFF_SECONDS)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
