"""The worker's internal topics: replayed at start, tailed after, written with care.

`ConnectStore` is the only code that changes `ConfigState` / `StatusState`, and only by
applying records read from `connect-configs` / `connect-status` (Karapace's rule: the
log is the source of truth; a write is visible once it has been read back). Config writes
are compare-and-set: the store catches up, checks the request against the state (e.g.
"connector exists"), and appends in a log transaction whose predicted offset must be the
end it caught up to; if another worker appended in between, it re-reads and re-checks.
So two workers creating the same connector cannot both succeed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tote.connect.config_state import ConfigState, encode
from tote.connect.errors import StaleConfig
from tote.connect.status_state import StatusState
from tote.core.errors import TopicNotFound, ToteError, TransactionConflict
from tote.core.records import Record, TopicPartition
from tote.log.base import Log, TransactionalProducer

_COMPACT = {"cleanup.policy": "compact"}
_WRITE_ATTEMPTS = 10


class _Moved(ToteError):
    """Another writer appended to the config topic after we caught up: re-check."""


@dataclass(frozen=True)
class InternalTopics:
    """Names and sizes of the internal topics (Connect's worker keys)."""

    config: str = "connect-configs"
    status: str = "connect-status"
    offsets: str = "connect-offsets"
    status_partitions: int = 5
    offsets_partitions: int = 25


class ConnectStore:
    """Config and status state, following the internal topics of one log."""

    def __init__(self, log: Log, topics: InternalTopics, worker_id: str) -> None:
        self.log = log
        self.topics = topics
        self.config = ConfigState()
        self.status = StatusState()
        self.lock = threading.RLock()
        self.version = 0  # bumped on every applied record
        self._worker_id = worker_id
        self._positions: dict[TopicPartition, int] = {}
        self._producer: TransactionalProducer | None = None
        self._write_lock = threading.Lock()

    # -- topics and reading ---------------------------------------------------------------

    def ensure_topics(self) -> None:
        """Create the internal topics if missing (compacted, Connect's partition counts)."""
        topics = self.topics
        self.log.ensure_topic(topics.config, 1, configs=_COMPACT)
        self.log.ensure_topic(topics.status, topics.status_partitions, configs=_COMPACT)
        self.log.ensure_topic(topics.offsets, topics.offsets_partitions, configs=_COMPACT)
        with self.lock:
            for name in (topics.config, topics.status):
                for info in self.log.describe_topic(name).partitions:
                    self._positions.setdefault(TopicPartition(name, info.partition), 0)

    @property
    def config_tp(self) -> TopicPartition:
        return TopicPartition(self.topics.config, 0)

    def catch_up(self) -> bool:
        """Apply every record appended so far; True if any was applied."""
        applied = False
        with self.lock:
            for tp in list(self._positions):
                while True:
                    try:
                        batch = self.log.read(tp, self._positions[tp], 5000)
                    except TopicNotFound:
                        break
                    if not batch:
                        break
                    for record in batch:
                        if tp.topic == self.topics.config:
                            self.config.apply(record.offset, record.key, record.value)
                        else:
                            self.status.apply(record)
                    self._positions[tp] = batch[-1].offset + 1
                    applied = True
            if applied:
                self.version += 1
        return applied

    def wait_for_records(self, timeout_s: float) -> bool:
        with self.lock:
            positions = dict(self._positions)
        return self.log.wait(positions, timeout_s)

    def config_end(self) -> int:
        return self.log.describe_topic(self.topics.config).partitions[0].end_offset

    def sync(self) -> None:
        """Apply everything committed so far (read-your-writes): `read` returns every
        committed record up to the end, on every backend (Kafka's offset gaps included)."""
        self.catch_up()

    def read(self, query: Callable[[ConfigState, StatusState], Any]) -> Any:
        """Run `query` on the state after catching up."""
        self.sync()
        with self.lock:
            return query(self.config, self.status)

    # -- writing --------------------------------------------------------------------------

    def write_config(self, records: Sequence[tuple[str, Any]],
                     check: Callable[[ConfigState], None] | None = None) -> int:
        """Append `(key, value)` records atomically once `check` passes on the latest
        state; return the offset of the last one once it is applied here."""
        batch = [Record(None if value is None else encode(value), key.encode("utf-8"),
                        partition=0) for key, value in records]
        with self._write_lock:
            for _ in range(_WRITE_ATTEMPTS):
                # The end is taken before catching up, so a record appended by anyone after
                # it moves our record's offset past it: then we re-read and re-check. (On
                # Kafka the end counts transaction markers, as do the offsets we get.)
                end = self.config_end()
                self.sync()
                with self.lock:
                    if check is not None:
                        check(self.config)
                if self._producer is None:
                    self._producer = self.log.transactional_producer(
                        f"tote-connect-config-{self._worker_id}")
                try:
                    with self._producer.begin() as txn:
                        positions = txn.append(self.topics.config, batch)
                        if positions[0].offset != end:
                            raise _Moved("config topic moved")
                except (_Moved, TransactionConflict):
                    continue
                last = positions[-1].offset
                self.sync()
                return last
        raise StaleConfig()

    def write_status(self, key: str, body: Any) -> None:
        """Append a status record (no ordering with config writes needed)."""
        value = None if body is None else encode(body)
        self.log.append(self.topics.status, [Record(value, key.encode("utf-8"))])

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close()
            self._producer = None
