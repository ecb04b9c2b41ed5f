"""The `_schemas` topic as a store: replay, read-your-writes, and one writer at a time.

Writes are serialised across every registry process on the log by transactional-producer
fencing (all registries on a topic share one transactional id): a writer holds a producer,
catches up to the end of the topic, validates against that state, and commits its records
in a transaction. Creating a producer fences every older one, so a commit only succeeds
if no other registry created a producer (and therefore wrote) since ours was created; a
fenced writer re-creates its producer, catches up again and retries. Ids and versions are
therefore computed from a complete state and never collide. After a commit the writer
catches up once more, so the state it answers from includes its own write.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import TypeVar

from tote.core.clock import Clock
from tote.core.errors import Fenced, RecordTooLarge, ToteError
from tote.core.records import Record, TopicPartition
from tote.log.base import Log, Transaction, TransactionalProducer, TxnStatus
from tote.registry.errors import OperationTimeout, SchemaTooLarge, StoreError
from tote.registry.follower import TopicFollower, store_error
from tote.registry.state import RegistryState

log = logging.getLogger(__name__)
T = TypeVar("T")
Build = Callable[[RegistryState], tuple[Sequence[Record], T]]

TOPIC_CONFIGS = MappingProxyType({"cleanup.policy": "compact"})


class SchemaStore:
    """Owns the state, its lock, the follower and the producer of one registry."""

    def __init__(self, log_: Log, topic: str, *, clock: Clock, timeout: float,
                 transactional_id: str, halt_on_corrupt: bool = False) -> None:
        self.log = log_
        self.topic = topic
        self.state = RegistryState(halt_on_corrupt=halt_on_corrupt)
        self.lock = threading.RLock()
        self._clock = clock
        self._timeout = timeout
        self._txn_id = transactional_id
        self._write_lock = threading.Lock()
        self._producer: TransactionalProducer | None = None
        self._follower = TopicFollower(log_, TopicPartition(topic, 0), self.state.apply,
                                       self.lock, clock)
        self.ready = False

    def start(self) -> None:
        """Create the topic if needed, replay it to the end offset of now, then tail it."""
        try:
            spec = self.log.ensure_topic(self.topic, 1, 1, TOPIC_CONFIGS)
        except ToteError as exc:
            raise store_error(exc, f"creating the topic {self.topic}") from None
        if spec.partitions != 1:
            raise StoreError(f"The schema topic {self.topic} should have only 1 partition "
                             f"but has {spec.partitions}.")
        started = self._clock.monotonic()
        applied = self._follower.replay()
        log.info("Schema registry replayed %d records of %s in %.3f s (next offset %d)",
                 applied, self.topic, self._clock.monotonic() - started, self._follower.position)
        self.ready = True
        self._follower.start()

    def close(self) -> None:
        self.ready = False
        self._follower.stop()
        with self._write_lock:
            self._drop_producer()

    @property
    def position(self) -> int:
        return self._follower.position

    def sync(self, message: str = "Operation timed out waiting for the schema store") -> None:
        """Apply everything committed to the topic before this call (read-your-writes)."""
        deadline = self._clock.monotonic() + self._timeout
        self._follower.catch_up(self._follower.end_offset(), deadline, message)

    # -- writing ------------------------------------------------------------------------------

    def write(self, build: Build[T], what: str) -> T:
        """Run `build` on a complete state and commit the records it returns.

        `build` validates (raising the registry's errors) and returns the records to append
        with the result to hand back. `what` names the operation in timeout/store errors.
        """
        timeout_message = f"{what} operation timed out"
        with self._write_lock:
            deadline = self._clock.monotonic() + self._timeout
            attempt = 0
            while True:
                attempt += 1
                producer = self._current_producer(what)
                self._follower.catch_up(self._follower.end_offset(), deadline, timeout_message)
                with self.lock:
                    records, result = build(self.state)
                if not records:
                    return result
                if self._commit(producer, records, what):
                    self._follower.catch_up(self._follower.end_offset(), deadline,
                                            timeout_message)
                    return result
                if self._clock.monotonic() > deadline:
                    raise OperationTimeout(timeout_message)
                # Another registry wrote meanwhile: back off a little, then redo on fresh state.
                time.sleep(random.uniform(0.0, min(0.2, 0.005 * 2**attempt)))

    def _current_producer(self, what: str) -> TransactionalProducer:
        if self._producer is None:
            try:
                self._producer = self.log.transactional_producer(self._txn_id)
            except ToteError as exc:
                raise StoreError(f"{what} operation failed while writing to the Kafka store: "
                                 f"{exc.message}") from None
        return self._producer

    def _drop_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close()
            except ToteError as exc:
                log.debug("Closing a fenced registry producer failed: %s", exc)

    def _commit(self, producer: TransactionalProducer, records: Sequence[Record],
                what: str) -> bool:
        """Commit `records` in one transaction; False if this producer was fenced."""
        txn: Transaction | None = None
        try:
            txn = producer.begin()
            txn.append(self.topic, records)
            txn.commit()
            return True
        except Fenced:
            self._abort(txn)
            self._drop_producer()
            return False
        except RecordTooLarge:
            self._abort(txn)
            self._drop_producer()
            raise SchemaTooLarge() from None
        except ToteError as exc:
            self._abort(txn)
            self._drop_producer()
            raise StoreError(f"{what} operation failed while writing to the Kafka store: "
                             f"{exc.message}") from None

    @staticmethod
    def _abort(txn: Transaction | None) -> None:
        if txn is None or txn.status is not TxnStatus.OPEN:
            return
        try:
            txn.abort()
        except ToteError as exc:
            log.debug("Aborting a failed registry transaction failed: %s", exc)
