"""The two ways a REST consumer instance reads: as a group member, or from assigned partitions.

kafka-rest wraps a Java `KafkaConsumer`, which either `subscribe`s (partitions come from
the group coordinator and are shared with every other member of the group, wherever it
runs) or is `assign`ed partitions by hand (no membership, positions from the group's
committed offsets). `Reader` is that common surface over the Log ABC.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Protocol

from tote.core.clock import SYSTEM_CLOCK
from tote.core.errors import OffsetOutOfRange, PartitionNotFound
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import GroupConsumer, Log
from tote.proxy.errors import IllegalConsumerState

REFRESH_S = 1.0  # how often a subscription looks for new (or deleted) topics while reading


class Reader(Protocol):
    def poll(self, timeout: float, max_records: int) -> list[LogRecord]: ...

    def assignment(self) -> frozenset[TopicPartition]: ...

    def seek(self, tp: TopicPartition, offset: int) -> None: ...

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None: ...

    def close(self) -> None: ...


def partition_bounds(log: Log, tp: TopicPartition) -> tuple[int, int]:
    """(first readable offset, next offset to be written) of a partition."""
    description = log.describe_topic(tp.topic)
    for info in description.partitions:
        if info.partition == tp.partition:
            return info.start_offset, info.end_offset
    raise PartitionNotFound(tp.topic, tp.partition)


def no_assignment(tp: TopicPartition) -> IllegalConsumerState:
    return IllegalConsumerState(f"No current assignment for partition {tp.topic}-{tp.partition}")


class GroupReader:
    """A subscription: one group member over the subscribed topics that exist right now.

    Topics named in a subscription may not exist yet and a pattern may match topics
    created later, so `refresh` re-resolves the subscription and re-joins the group when
    the set of topics changed (Kafka's consumer does the same on its metadata refresh).
    """

    def __init__(
        self,
        log: Log,
        group: str,
        *,
        topics: Sequence[str] | None,
        pattern: str | None,
        member_id: str,
        session_timeout_ms: int,
        auto_offset_reset: str,
    ) -> None:
        self._log = log
        self._group = group
        self._topics = tuple(topics) if topics is not None else None
        self._pattern = re.compile(pattern) if pattern is not None else None
        self._member_id = member_id
        self._session_timeout_ms = session_timeout_ms
        self._reset = auto_offset_reset
        self._member: GroupConsumer | None = None
        self._member_topics: tuple[str, ...] = ()
        self._refreshed_at: float | None = None

    def subscription(self) -> tuple[str, ...]:
        """Topics as subscribed (for a pattern: the topics it matches now)."""
        if self._topics is not None:
            return self._topics
        return self._member_topics

    def refresh(self, *, force: bool = True) -> None:
        """Re-resolve the subscription; without `force`, at most once per REFRESH_S."""
        now = SYSTEM_CLOCK.monotonic()
        if not force and self._refreshed_at is not None and now - self._refreshed_at < REFRESH_S:
            return
        self._refreshed_at = now
        existing = self._log.list_topics()
        if self._topics is not None:
            wanted = tuple(t for t in self._topics if t in existing)
        else:
            assert self._pattern is not None
            wanted = tuple(t for t in existing if self._pattern.fullmatch(t))
        if wanted == self._member_topics and (self._member is not None or not wanted):
            return
        self.close()
        self._member_topics = wanted
        if wanted:
            self._member = self._log.consumer(
                self._group,
                wanted,
                member_id=self._member_id,
                session_timeout_ms=self._session_timeout_ms,
                auto_offset_reset=self._reset,
            )

    def poll(self, timeout: float, max_records: int) -> list[LogRecord]:
        if self._member is None:
            return []
        return self._member.poll(timeout, max_records)

    def assignment(self) -> frozenset[TopicPartition]:
        return self._member.assignment() if self._member is not None else frozenset()

    def seek(self, tp: TopicPartition, offset: int) -> None:
        if self._member is None or tp not in self._member.assignment():
            raise no_assignment(tp)
        self._member.seek(tp, offset)

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        if self._member is None:
            self._log.commit_offsets(self._group, offsets)
        else:
            self._member.commit(offsets)

    def close(self) -> None:
        if self._member is not None:
            member, self._member = self._member, None
            member.close()


class AssignedReader:
    """Manually assigned partitions: reads the log directly, commits as the group."""

    def __init__(
        self, log: Log, group: str, tps: Sequence[TopicPartition], auto_offset_reset: str
    ) -> None:
        for tp in tps:
            partition_bounds(log, tp)  # TopicNotFound / PartitionNotFound now, not on read
        self._log = log
        self._group = group
        self._tps = tuple(dict.fromkeys(tps))
        self._reset = auto_offset_reset
        self._positions: dict[TopicPartition, int] = {}
        self._turn = 0

    def _reset_position(self, tp: TopicPartition) -> int:
        start, end = partition_bounds(self._log, tp)
        return start if self._reset == "earliest" else end

    def _ensure_positions(self) -> None:
        missing = [tp for tp in self._tps if tp not in self._positions]
        if not missing:
            return
        committed = self._log.committed(self._group, missing)
        for tp in missing:
            self._positions[tp] = committed[tp] if tp in committed else self._reset_position(tp)

    def _fetch(self, max_records: int) -> list[LogRecord]:
        out: list[LogRecord] = []
        self._turn += 1
        for i in range(len(self._tps)):
            if len(out) >= max_records:
                break
            tp = self._tps[(self._turn + i) % len(self._tps)]
            try:
                batch = self._log.read(tp, self._positions[tp], max_records - len(out))
            except OffsetOutOfRange:
                self._positions[tp] = self._reset_position(tp)
                batch = self._log.read(tp, self._positions[tp], max_records - len(out))
            if batch:
                self._positions[tp] = batch[-1].offset + 1
                out.extend(batch)
        return out

    def poll(self, timeout: float, max_records: int) -> list[LogRecord]:
        self._ensure_positions()
        records = self._fetch(max_records)
        if records or timeout <= 0:
            return records
        self._log.wait(dict(self._positions), timeout)
        return self._fetch(max_records)

    def assignment(self) -> frozenset[TopicPartition]:
        return frozenset(self._tps)

    def seek(self, tp: TopicPartition, offset: int) -> None:
        if tp not in self._tps:
            raise no_assignment(tp)
        self._positions[tp] = offset

    def commit(self, offsets: Mapping[TopicPartition, int]) -> None:
        self._log.commit_offsets(self._group, offsets)

    def close(self) -> None:
        self._positions.clear()
