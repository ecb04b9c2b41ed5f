"""A consumer-group member of the kafka backend: a classic-protocol librdkafka consumer.

Auto-commit is off; positions are tracked here so `position`, `seek` and `commit()` agree
with what `poll` returned. Rebalances are eager (range assignor, like the memory backend):
partitions a member keeps across a rebalance keep their position instead of falling back
to the committed offset.

Like Kafka's generations, a member that has not polled since its group rebalanced may not
commit (in a transaction or not): it gets `Fenced`. This is checked here as well as by
the broker, because Tansu 0.6 accepts such commits.

A member polled with `max_records=0` only takes part in the group (ksqlDB servers sharing
queries read through the log, not through their members): its partitions are paused, so
librdkafka neither fetches records nobody reads nor hands them over, until it polls for
records again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

from confluent_kafka import Consumer, KafkaException
from confluent_kafka import TopicPartition as KafkaTopicPartition

from tote.core.errors import Conflict, Fenced, ToteError
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import GroupConsumer
from tote.log.kafka_admin import KafkaAdmin
from tote.log.kafka_errors import Context, translate
from tote.log.kafka_read import check_event, to_log_record


class KafkaGroupConsumer(GroupConsumer):
    """One member of a Kafka consumer group."""

    def __init__(
        self,
        consumer: Consumer,
        admin: KafkaAdmin,
        group: str,
        topics: Sequence[str],
        *,
        member_id: str | None,
        auto_offset_reset: str,
    ) -> None:
        self.consumer = consumer
        self.group = group
        self.member_id = member_id or ""
        self._label = member_id
        self._admin = admin
        self._reset = auto_offset_reset
        self._assigned: frozenset[TopicPartition] = frozenset()
        self._positions: dict[TopicPartition, int] = {}
        self._pending: list[LogRecord] = []
        self._rebalanced = False
        self._closed = False
        self._idle = False  # fetching paused by a `max_records=0` poll
        self._held: set[str] = set()  # topics paused for deletion, never resumed
        consumer.subscribe(
            list(topics), on_assign=self._on_assign, on_revoke=self._on_revoke,
            on_lost=self._on_revoke,
        )

    # -- rebalance callbacks (run inside consumer.poll) ----------------------------------

    def _on_assign(self, consumer: Consumer, partitions: list[KafkaTopicPartition]) -> None:
        assigned = frozenset(TopicPartition(p.topic, p.partition) for p in partitions)
        positions = {tp: pos for tp, pos in self._positions.items() if tp in assigned}
        # Resolve new partitions' start now and assign it explicitly: librdkafka would apply
        # auto.offset.reset lazily, and "latest" could then skip records appended meanwhile.
        positions.update(self._start_positions(assigned - positions.keys()))
        for partition in partitions:
            partition.offset = positions[TopicPartition(partition.topic, partition.partition)]
        consumer.assign(partitions)
        # librdkafka keeps a pause (see `pause_topic`) across assign: set it afresh.
        if self._idle:
            consumer.pause(partitions)
        else:
            consumer.resume(partitions)
        self._positions = positions
        self._assigned = assigned
        self._rebalanced = True
        if self._label is None:
            self.member_id = consumer.memberid() or self.member_id

    def _on_revoke(self, consumer: Consumer, partitions: list[KafkaTopicPartition]) -> None:
        gone = {TopicPartition(p.topic, p.partition) for p in partitions}
        self._assigned = self._assigned - gone
        self._pending = [r for r in self._pending if r.tp not in gone]
        self._rebalanced = True
        consumer.unassign()

    # -- GroupConsumer --------------------------------------------------------------------

    def join(self, timeout: float) -> None:
        """Poll until the first assignment arrives or `timeout` passes (records are kept)."""
        deadline = time.monotonic() + timeout
        while not self._assigned:
            remaining = deadline - time.monotonic()
            if remaining <= 0:  # (a negative poll timeout means "forever" to librdkafka)
                break
            self._pending.extend(self._fetch(min(0.1, remaining), 1000))
        self._pending = [r for r in self._pending if r.tp in self._assigned]

    def poll(self, timeout: float = 1.0, max_records: int = 1000) -> list[LogRecord]:
        self._check_open()
        if max_records <= 0:
            # Only take part in the group; a record librdkafka hands over waits for later.
            self._rest()
            self._pending.extend(self._fetch(0, 1))
            out = []
        else:
            self._wake()
            if not self._pending:
                self._pending = self._fetch(max(timeout, 0.0), max_records)
            out, self._pending = self._pending[:max_records], self._pending[max_records:]
        for record in out:
            self._positions[record.tp] = record.offset + 1
        # This member has now seen every rebalance so far (Kafka's generation).
        self._rebalanced = False
        return out

    def _rest(self) -> None:
        """Stop fetching (librdkafka drops what it prefetched and resumes from the last
        record it handed over, so no record is skipped)."""
        if not self._idle:
            self._idle = True
            self._set_paused(True)

    def _wake(self) -> None:
        if self._idle:
            self._idle = False
            self._set_paused(False)

    def _set_paused(self, paused: bool) -> None:
        partitions = [KafkaTopicPartition(tp.topic, tp.partition) for tp in self._assigned
                      if tp.topic not in self._held]
        if not partitions:
            return
        try:
            (self.consumer.pause if paused else self.consumer.resume)(partitions)
        except KafkaException as exc:
            raise translate(exc, Context(group=self.group)) from exc

    def _fetch(self, timeout: float, max_records: int) -> list[LogRecord]:
        """Records librdkafka delivers within `timeout` (without moving the positions)."""
        try:
            first = self.consumer.poll(timeout)
            if first is None:
                return []
            batch = [first, *self.consumer.consume(max_records - 1, 0)]
        except KafkaException as exc:
            raise translate(exc, Context(group=self.group)) from exc
        out: list[LogRecord] = []
        for message in batch:
            if check_event(message) is None:
                record = to_log_record(message)
                if record.tp in self._assigned:
                    out.append(record)
        return out

    def assignment(self) -> frozenset[TopicPartition]:
        return self._assigned

    def position(self, tp: TopicPartition) -> int:
        self._check_assigned(tp)
        return self._positions[tp]

    def _start_positions(self, tps: frozenset[TopicPartition]) -> dict[TopicPartition, int]:
        """The group's committed offsets (moved up to the log start if retention passed
        them), else the start or end of the log as `auto_offset_reset` says."""
        if not tps:
            return {}
        committed = self._admin.committed(self.group, tps)
        positions: dict[TopicPartition, int] = {}
        for tp in tps:
            low, high = self._admin.watermarks(tp)
            offset = committed.get(tp)
            if offset is not None and offset <= high:
                positions[tp] = max(offset, low)
            else:
                positions[tp] = low if self._reset == "earliest" else high
        return positions

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self._check_assigned(tp)
        self._pending = [r for r in self._pending if r.tp != tp]
        try:
            self.consumer.seek(KafkaTopicPartition(tp.topic, tp.partition, offset))
        except KafkaException as exc:
            raise translate(exc, Context(tp.topic, tp.partition, self.group)) from exc
        self._positions[tp] = offset

    def commit(self, offsets: Mapping[TopicPartition, int] | None = None) -> None:
        self.check_current()
        chosen = (
            {tp: self.position(tp) for tp in self._assigned} if offsets is None else offsets
        )
        self.commit_offsets(chosen)

    def commit_offsets(self, chosen: Mapping[TopicPartition, int]) -> None:
        """Commit as this member (the broker checks the generation; Tansu does not)."""
        for tp in chosen:
            self._admin.check_partition(tp)
        if not chosen:
            return
        try:
            self.consumer.commit(
                offsets=[
                    KafkaTopicPartition(tp.topic, tp.partition, off) for tp, off in chosen.items()
                ],
                asynchronous=False,
            )
        except KafkaException as exc:
            raise translate(exc, Context(group=self.group)) from exc

    def pause_topic(self, topic: str) -> bool:
        """Stop fetching `topic` (it is about to be deleted); whether this member held it."""
        held = [tp for tp in self._assigned if tp.topic == topic]
        self._held.add(topic)
        if held and not self._closed:
            self.consumer.pause([KafkaTopicPartition(tp.topic, tp.partition) for tp in held])
        return bool(held)

    def check_current(self) -> None:
        """Raise Fenced if the group rebalanced since this member last polled.

        Serves the rebalance callbacks librdkafka has queued first. Kafka answers such a
        commit with REBALANCE_IN_PROGRESS or ILLEGAL_GENERATION; Tansu accepts it.
        """
        self._check_open()
        self._pending.extend(self._fetch(0, 1))
        if self._rebalanced:
            raise Fenced(
                f"Commit cannot be completed since the group '{self.group}' has already "
                f"rebalanced and assigned the partitions to another member (member "
                f"'{self.member_id}' has not polled since)."
            )

    def group_metadata(self) -> object:
        """librdkafka's group metadata, for `send_offsets_to_transaction`."""
        self.check_current()
        return self.consumer.consumer_group_metadata()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._assigned = frozenset()
        self.consumer.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise ToteError(f"Consumer '{self.member_id}' of group '{self.group}' is closed.")

    def _check_assigned(self, tp: TopicPartition) -> None:
        if tp not in self._assigned:
            raise Conflict(f"No current assignment for partition {tp.topic}-{tp.partition}.")
