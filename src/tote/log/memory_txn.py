"""Transactions and state stores of the memory log.

A transaction only buffers: appends, offsets and store writes are checked as they arrive
and applied together under the log's lock at commit, so readers never see part of one.
`append` promises positions from the partition ends it saw; if another writer moved one
of those ends before the commit, the commit fails with TransactionConflict instead.
Fencing follows Kafka: each new producer for a transactional id bumps its epoch, and a
producer holding an older epoch can no longer begin or commit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

from tote.core.errors import Fenced, ToteError, TransactionConflict, TransactionError
from tote.core.records import Position, Record, TopicPartition
from tote.log.base import GroupConsumer, StateStore, Transaction, TransactionalProducer, TxnStatus
from tote.log.memory_groups import MemoryGroupConsumer

if TYPE_CHECKING:
    from tote.log.memory import BatchPlan, MemoryLog

class MemoryStore(StateStore):
    """A read view of one state store of a MemoryLog."""

    def __init__(self, log: MemoryLog, name: str) -> None:
        self._log = log
        self.name = name

    def get(self, key: bytes) -> bytes | None:
        with self._log.lock:
            return self._log.stores.setdefault(self.name, {}).get(key)

    def get_many(self, keys: Sequence[bytes]) -> list[bytes | None]:
        with self._log.lock:
            entries = self._log.stores.setdefault(self.name, {})
            return [entries.get(key) for key in keys]

    def items(self, prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        with self._log.lock:
            entries = self._log.stores.setdefault(self.name, {})
            snapshot = sorted((k, v) for k, v in entries.items() if k.startswith(prefix))
        return iter(snapshot)


class MemoryTransactionalProducer(TransactionalProducer):
    """A transactional producer of a MemoryLog, holding the epoch it was created with."""

    def __init__(self, log: MemoryLog, transactional_id: str, epoch: int) -> None:
        self._log = log
        self.transactional_id = transactional_id
        self.epoch = epoch
        self._current: MemoryTransaction | None = None
        self._closed = False

    def check_not_fenced(self) -> None:
        if self._log.producer_epoch(self.transactional_id) != self.epoch:
            raise Fenced(
                f"Producer with transactional id '{self.transactional_id}' has been fenced: "
                "a newer producer with the same transactional id took over."
            )

    def begin(self) -> Transaction:
        with self._log.lock:
            if self._closed:
                raise TransactionError(f"Producer '{self.transactional_id}' is closed.")
            self.check_not_fenced()
            if self._current is not None and self._current.status is TxnStatus.OPEN:
                raise TransactionError(
                    f"Producer '{self.transactional_id}' already has an open transaction."
                )
            self._current = MemoryTransaction(self._log, self)
            return self._current

    def close(self) -> None:
        with self._log.lock:
            self._closed = True
            if self._current is not None and self._current.status is TxnStatus.OPEN:
                self._current.abort()


class MemoryTransaction(Transaction):
    """Buffered appends, offsets and store writes, applied atomically by `commit`."""

    predicts_positions = True

    def __init__(self, log: MemoryLog, producer: MemoryTransactionalProducer) -> None:
        super().__init__()
        self._log = log
        self._producer = producer
        self._plans: list[BatchPlan] = []
        self._seen_ends: dict[TopicPartition, int] = {}
        self._next: dict[TopicPartition, int] = {}
        self._offsets: list[tuple[str, MemoryGroupConsumer | None, dict[TopicPartition, int]]] = []
        self._writes: dict[str, dict[bytes, bytes | None]] = {}

    def _fail(self) -> None:
        self.status = TxnStatus.FAILED

    def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        """Buffer a batch and predict its positions from the partition ends seen now."""
        with self._log.lock:
            self._check_open()
            try:
                plan = self._log.plan_batch(topic, records)
            except ToteError:
                self._fail()
                raise
            positions: list[Position] = []
            for partition, stamp in zip(plan.partitions, plan.timestamps, strict=True):
                tp = TopicPartition(topic, partition)
                offset = self._next.get(tp)
                if offset is None:
                    bounds = self._log.bounds(tp)
                    offset = self._seen_ends[tp] = bounds[1] if bounds else 0
                self._next[tp] = offset + 1
                positions.append(Position(partition, offset, stamp))
            self._plans.append(plan)
            return positions

    def end_offset(self, tp: TopicPartition) -> int:
        with self._log.lock:
            self._check_open()
            offset = self._next.get(tp)
            if offset is None:
                bounds = self._log.bounds(tp)
                offset = self._seen_ends[tp] = self._next[tp] = bounds[1] if bounds else 0
            return offset

    def send_offsets(
        self, group: GroupConsumer | str, offsets: Mapping[TopicPartition, int]
    ) -> None:
        with self._log.lock:
            self._check_open()
            if isinstance(group, str):
                self._offsets.append((group, None, dict(offsets)))
            elif isinstance(group, MemoryGroupConsumer):
                self._offsets.append((group.group, group, dict(offsets)))
            else:
                self._fail()
                raise TransactionError(
                    f"Group member '{group.member_id}' does not belong to this memory log."
                )

    def put(self, store: str, key: bytes, value: bytes | None) -> None:
        with self._log.lock:
            self._check_open()
            self._writes.setdefault(store, {})[key] = value

    def get(self, store: str, key: bytes) -> bytes | None:
        with self._log.lock:
            self._check_open()
            pending = self._writes.get(store, {})
            if key in pending:
                return pending[key]
            return self._log.stores.get(store, {}).get(key)

    def commit(self) -> None:
        with self._log.lock:
            self._check_open()
            try:
                self._producer.check_not_fenced()
                for _, member, _ in self._offsets:
                    if member is not None:
                        member.check_current()
                for plan in self._plans:
                    self._log.check_batch(plan.topic, plan.records)
                for tp, seen in self._seen_ends.items():
                    bounds = self._log.bounds(tp)
                    if bounds is None or bounds[1] != seen:
                        raise TransactionConflict(
                            f"Another writer appended to {tp.topic}-{tp.partition} during "
                            "this transaction; abort and retry."
                        )
                for _, _, offsets in self._offsets:
                    self._log.check_offsets(offsets)
            except ToteError:
                self._fail()
                raise
            for plan in self._plans:
                self._log.apply_batch(plan)
            for group, _, offsets in self._offsets:
                self._log.groups.commit(group, offsets)
            for store, writes in self._writes.items():
                entries = self._log.stores.setdefault(store, {})
                for key, value in writes.items():
                    if value is None:
                        entries.pop(key, None)
                    else:
                        entries[key] = value
            self.status = TxnStatus.COMMITTED
            self._log.changed.notify_all()

    def abort(self) -> None:
        with self._log.lock:
            if self.status is not TxnStatus.FAILED:
                self._check_open()
            self._plans.clear()
            self._offsets.clear()
            self._writes.clear()
            self.status = TxnStatus.ABORTED
