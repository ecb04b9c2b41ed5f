"""The memory log: the whole Log contract in one process, for tests and embedding.

Everything sits behind one lock, with one condition that every change notifies, so
`wait` and `poll` wake the moment data arrives. Time comes only from the injected clock.
`close()` leaves consumer groups but keeps the data: the same object is its own
"reopened" log, which is how state stores "survive a restart" here.
"""

from __future__ import annotations

import threading
import uuid
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import (
    OffsetOutOfRange,
    PartitionNotFound,
    RecordTooLarge,
    TopicExists,
    TopicNotFound,
)
from tote.core.records import (
    LogRecord,
    PartitionInfo,
    Position,
    Record,
    TimestampType,
    TopicDescription,
    TopicPartition,
    TopicSpec,
)
from tote.log.base import (
    DEFAULT_MAX_MESSAGE_BYTES,
    GroupConsumer,
    GroupMember,
    Log,
    StateStore,
    TransactionalProducer,
    altered_spec,
    record_size,
    validate_offset_reset,
    validate_topic_spec,
)
from tote.log.memory_groups import GroupCoordinator, MemoryGroupConsumer
from tote.log.memory_txn import MemoryStore, MemoryTransactionalProducer
from tote.log.partitioner import StickyPartitioner, assign_partitions
from tote.log.wake import Wake

# Kafka's log.retention.check.interval.ms: how often appends also apply retention.
RETENTION_CHECK_MS = 300_000
DEFAULT_DELETE_RETENTION_MS = 86_400_000


def _offset_of(record: LogRecord) -> int:
    return record.offset


@dataclass
class _Partition:
    records: list[LogRecord] = field(default_factory=list)
    start: int = 0
    end: int = 0


@dataclass
class _Topic:
    spec: TopicSpec
    partitions: list[_Partition]


@dataclass(frozen=True)
class BatchPlan:
    """A checked batch: its topic, each record's partition and timestamp, fixed up front."""

    topic: str
    records: tuple[Record, ...]
    partitions: tuple[int, ...]
    timestamps: tuple[int, ...]
    timestamp_type: TimestampType


class MemoryLog(Log):
    """Topics, groups, transactions and state stores held in dicts behind one lock."""

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self.groups = GroupCoordinator(clock, self._partition_count)
        self.stores: dict[str, dict[bytes, bytes]] = {}
        self._topics: dict[str, _Topic] = {}
        self._sticky = StickyPartitioner()
        self._epochs: dict[str, int] = {}
        self._consumers: list[MemoryGroupConsumer] = []
        self._last_retention_ms = clock.now_ms()

    # -- topics -------------------------------------------------------------------------

    def create_topic(
        self,
        name: str,
        partitions: int = 1,
        replication_factor: int = 1,
        configs: Mapping[str, str] | None = None,
    ) -> TopicSpec:
        spec = validate_topic_spec(name, partitions, replication_factor, configs or {})
        with self.lock:
            if name in self._topics:
                raise TopicExists(name)
            self._topics[name] = _Topic(spec, [_Partition() for _ in range(partitions)])
            return spec

    def delete_topic(self, name: str) -> None:
        with self.lock:
            self._topic(name)
            del self._topics[name]
            self._sticky.forget(name)
            self.groups.topic_deleted(name)
            self.changed.notify_all()

    def list_topics(self) -> list[str]:
        with self.lock:
            return sorted(self._topics)

    def describe_topic(self, name: str) -> TopicDescription:
        with self.lock:
            topic = self._topic(name)
            infos = tuple(
                PartitionInfo(index, part.start, part.end)
                for index, part in enumerate(topic.partitions)
            )
            return TopicDescription(topic.spec, infos)

    def alter_topic_configs(self, name: str, changes: Mapping[str, str | None]) -> TopicSpec:
        with self.lock:
            topic = self._topic(name)
            topic.spec = altered_spec(topic.spec, changes)
            return topic.spec

    def _topic(self, name: str) -> _Topic:
        topic = self._topics.get(name)
        if topic is None:
            raise TopicNotFound(name)
        return topic

    def _partition(self, tp: TopicPartition) -> _Partition:
        topic = self._topic(tp.topic)
        if not 0 <= tp.partition < len(topic.partitions):
            raise PartitionNotFound(tp.topic, tp.partition)
        return topic.partitions[tp.partition]

    def _partition_count(self, name: str) -> int | None:
        topic = self._topics.get(name)
        return len(topic.partitions) if topic else None

    # -- writing ------------------------------------------------------------------------

    def check_batch(self, topic: str, records: Sequence[Record]) -> None:
        """Raise what appending `records` would raise, without choosing partitions."""
        spec = self._topic(topic).spec
        limit = int(spec.config("max.message.bytes") or DEFAULT_MAX_MESSAGE_BYTES)
        for record in records:
            if record.partition is not None and not 0 <= record.partition < spec.partitions:
                raise PartitionNotFound(topic, record.partition)
            size = record_size(record)
            if size > limit:
                raise RecordTooLarge(size, limit, topic)

    def plan_batch(self, topic: str, records: Sequence[Record]) -> BatchPlan:
        """Check a batch, choose its partitions and timestamps; nothing is written yet.

        The broker's clock is read here: a transaction's records carry the time they were
        appended to it (as on Kafka, where the broker writes them before the commit).
        """
        self.check_batch(topic, records)
        spec = self._topics[topic].spec
        chosen = assign_partitions(topic, records, spec.partitions, self._sticky)
        now = self.clock.now_ms()
        if spec.config("message.timestamp.type") == "LogAppendTime":
            stamps = tuple(now for _ in records)
            kind = TimestampType.LOG_APPEND_TIME
        else:
            stamps = tuple(now if r.timestamp is None else r.timestamp for r in records)
            kind = TimestampType.CREATE_TIME
        return BatchPlan(topic, tuple(records), tuple(chosen), stamps, kind)

    def apply_batch(self, plan: BatchPlan) -> list[Position]:
        """Write a planned batch (cannot fail)."""
        topic = self._topics[plan.topic]
        kind = plan.timestamp_type
        positions: list[Position] = []
        for record, index, stamp in zip(
            plan.records, plan.partitions, plan.timestamps, strict=True
        ):
            part = topic.partitions[index]
            headers = tuple((k, v) for k, v in record.headers)
            part.records.append(
                LogRecord(
                    plan.topic, index, part.end, record.key, record.value, headers, stamp, kind
                )
            )
            positions.append(Position(index, part.end, stamp))
            part.end += 1
        return positions

    def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        with self.lock:
            positions = self.apply_batch(self.plan_batch(topic, records))
            self.changed.notify_all()
            if self.clock.now_ms() - self._last_retention_ms >= RETENTION_CHECK_MS:
                self.enforce_retention()
            return positions

    # -- reading ------------------------------------------------------------------------

    def read(self, tp: TopicPartition, offset: int, max_records: int = 1000) -> list[LogRecord]:
        with self.lock:
            part = self._partition(tp)
            if offset > part.end:
                raise OffsetOutOfRange(
                    f"Offset {offset} is out of range for partition {tp.topic}-{tp.partition}: "
                    f"the log ends at offset {part.end}."
                )
            first = bisect_left(part.records, offset, key=_offset_of)
            return part.records[first : first + max(max_records, 0)]

    def offsets_for_times(
        self, timestamps: Mapping[TopicPartition, int]
    ) -> dict[TopicPartition, int | None]:
        """One look at each partition under the lock (see `Log.offsets_for_times`)."""
        with self.lock:
            parts = {tp: self._partition(tp) for tp in timestamps}
            return {
                tp: next((r.offset for r in parts[tp].records if r.timestamp >= stamp), None)
                for tp, stamp in timestamps.items()
            }

    def bounds(self, tp: TopicPartition) -> tuple[int, int] | None:
        """(start, end) offsets of a partition, or None if it does not exist (any more)."""
        topic = self._topics.get(tp.topic)
        if topic is None or not 0 <= tp.partition < len(topic.partitions):
            return None
        part = topic.partitions[tp.partition]
        return part.start, part.end

    def available(self, positions: Mapping[TopicPartition, int]) -> bool:
        """Whether some partition holds a record at or past its position."""
        for tp, position in positions.items():
            topic = self._topics.get(tp.topic)
            if topic is None or not 0 <= tp.partition < len(topic.partitions):
                continue
            records = topic.partitions[tp.partition].records
            if records and records[-1].offset >= position:
                return True
        return False

    def wait(self, positions: Mapping[TopicPartition, int], timeout: float) -> bool:
        with self.lock:
            for tp in positions:
                self._partition(tp)
            return self.changed.wait_for(lambda: self.available(positions), max(timeout, 0.0))

    def wait_or_wake(
        self, positions: Mapping[TopicPartition, int], timeout: float, wake: Wake
    ) -> bool:
        with self.lock, wake.hooked(self._notify_waiters):
            for tp in positions:
                self._partition(tp)
            self.changed.wait_for(lambda: wake.is_set() or self.available(positions),
                                  max(timeout, 0.0))
            return self.available(positions)

    def _notify_waiters(self) -> None:
        with self.lock:
            self.changed.notify_all()

    # -- consumer groups ----------------------------------------------------------------

    def consumer(
        self,
        group: str,
        topics: Sequence[str],
        *,
        member_id: str | None = None,
        session_timeout_ms: int = 10_000,
        auto_offset_reset: str = "earliest",
    ) -> GroupConsumer:
        validate_offset_reset(auto_offset_reset)
        with self.lock:
            for topic in topics:
                self._topic(topic)
            member = member_id or f"{group}-{uuid.uuid4()}"
            consumer = MemoryGroupConsumer(
                self,
                group,
                topics,
                member_id=member,
                session_timeout_ms=session_timeout_ms,
                auto_offset_reset=auto_offset_reset,
            )
            self.groups.join(group, member, consumer)
            consumer.poll(timeout=0, max_records=0)
            self._consumers = [c for c in self._consumers if not c.closed]
            self._consumers.append(consumer)
            self.changed.notify_all()
            return consumer

    def check_offsets(self, offsets: Mapping[TopicPartition, int]) -> None:
        for tp in offsets:
            self._partition(tp)

    def committed(self, group: str, tps: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        with self.lock:
            return self.groups.committed(group, tps)

    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> None:
        with self.lock:
            self.check_offsets(offsets)
            self.groups.commit(group, offsets)

    def list_groups(self) -> list[str]:
        with self.lock:
            return self.groups.live_groups()

    def delete_group(self, group: str) -> None:
        with self.lock:
            self.groups.delete(group)

    def group_members(self, group: str) -> list[GroupMember]:
        with self.lock:
            live = self.groups.members(group)
        return [GroupMember(member, member, held) for member, held in live.items()]

    # -- transactions and state ---------------------------------------------------------

    def transactional_producer(self, transactional_id: str) -> TransactionalProducer:
        with self.lock:
            epoch = self._epochs.get(transactional_id, -1) + 1
            self._epochs[transactional_id] = epoch
            return MemoryTransactionalProducer(self, transactional_id, epoch)

    def producer_epoch(self, transactional_id: str) -> int:
        return self._epochs.get(transactional_id, -1)

    def store(self, name: str) -> StateStore:
        with self.lock:
            self.stores.setdefault(name, {})
            return MemoryStore(self, name)

    # -- housekeeping -------------------------------------------------------------------

    def enforce_retention(self, topic: str | None = None) -> None:
        with self.lock:
            now = self.clock.now_ms()
            names = [topic] if topic is not None else list(self._topics)
            for name in names:
                spec = self._topic(name).spec
                for part in self._topics[name].partitions:
                    _apply_policies(part, spec, now)
            if topic is None:
                self._last_retention_ms = now

    def close(self) -> None:
        with self.lock:
            consumers, self._consumers = self._consumers, []
            for consumer in consumers:
                consumer.close()
            self.changed.notify_all()


def _apply_policies(part: _Partition, spec: TopicSpec, now: int) -> None:
    """Kafka's cleanup for one partition: delete by age, then compact by key.

    Topics without `retention.ms` keep records forever: Kafka's 7-day default would drop
    records that carry old event times (the seed's and many tests').
    """
    policy = (spec.config("cleanup.policy") or "delete").split(",")
    retention = int(spec.config("retention.ms") or -1)
    if "delete" in policy and retention >= 0:
        cutoff = now - retention
        keep_from = 0
        while keep_from < len(part.records) and part.records[keep_from].timestamp < cutoff:
            keep_from += 1
        del part.records[:keep_from]
    if "compact" in policy:
        tombstone_cutoff = now - int(
            spec.config("delete.retention.ms") or DEFAULT_DELETE_RETENTION_MS
        )
        latest = {r.key: i for i, r in enumerate(part.records) if r.key is not None}
        part.records = [
            r
            for i, r in enumerate(part.records)
            if r.key is None
            or (latest[r.key] == i and (r.value is not None or r.timestamp >= tombstone_cutoff))
        ]
    part.start = part.records[0].offset if part.records else part.end
