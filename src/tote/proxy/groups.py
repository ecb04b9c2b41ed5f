"""Consumer groups, their members and their lag, as REST Proxy v3 reports them.

A group exists while it has committed offsets or live members (`Log.list_groups`). Its
consumers are the live members (`Log.group_members`); a member's lag on a partition is
the partition's end offset less the group's committed offset, never negative, and only
partitions with a committed offset have a lag (kafka-rest's ConsumerLagManagerImpl).
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.core.records import TopicPartition
from tote.log.base import GroupMember, Log
from tote.proxy.metadata import Metadata
from tote.proxy.v3_errors import ResourceNotFound

# tote's embedded logs and the Kafka backend's members both use range assignment.
ASSIGNOR = "range"


@dataclass(frozen=True, slots=True)
class GroupView:
    group_id: str
    consumers: tuple[GroupMember, ...]

    @property
    def state(self) -> str:
        """Kafka's classic-group state as kafka-rest spells it: a group with members is
        STABLE (tote applies a rebalance at once), one with only offsets EMPTY."""
        return "STABLE" if self.consumers else "EMPTY"

    @property
    def partition_assignor(self) -> str:
        """Kafka reports the assignor only while members are in the group."""
        return ASSIGNOR if self.consumers else ""

    def consumer(self, consumer_id: str) -> GroupMember | None:
        return next((c for c in self.consumers if c.member_id == consumer_id), None)

    def owner(self, tp: TopicPartition) -> GroupMember | None:
        return next((c for c in self.consumers if tp in c.assignment), None)


@dataclass(frozen=True, slots=True)
class LagView:
    topic: str
    partition: int
    consumer_id: str  # "" when no live member holds the partition
    client_id: str
    current_offset: int
    log_end_offset: int

    @property
    def lag(self) -> int:
        return max(0, self.log_end_offset - self.current_offset)


@dataclass(frozen=True, slots=True)
class LagSummary:
    group_id: str
    max_lag: LagView  # the first partition (by topic, partition) with the greatest lag
    total_lag: int


class Groups:
    def __init__(self, log: Log, metadata: Metadata) -> None:
        self._log = log
        self._metadata = metadata

    def names(self) -> list[str]:
        return self._log.list_groups()

    def find(self, group_id: str) -> GroupView | None:
        if group_id not in self._log.list_groups():
            return None
        return GroupView(group_id, tuple(self._log.group_members(group_id)))

    def all(self) -> list[GroupView]:
        return [GroupView(name, tuple(self._log.group_members(name))) for name in self.names()]

    def lags(self, group_id: str) -> list[LagView]:
        """Each partition the group committed an offset for, greatest lag first."""
        group = self.find(group_id)
        if group is None:
            raise ResourceNotFound(f"Consumer Group {group_id} could not be found.")
        ends = {
            TopicPartition(view.name, p.partition): p.end_offset
            for view in self._metadata.topics()
            for p in view.partitions
        }
        committed = self._log.committed(group_id, ends)
        if not committed:
            raise ResourceNotFound("Consumer group offsets could not be found.")
        lags = []
        for tp in sorted(committed):
            owner = group.owner(tp)
            lags.append(LagView(
                tp.topic, tp.partition,
                owner.member_id if owner else "", owner.client_id if owner else "",
                committed[tp], ends[tp],
            ))
        return sorted(lags, key=lambda lag: (-lag.lag, lag.topic, lag.partition))

    def lag(self, group_id: str, topic: str, partition: int) -> LagView:
        for lag in self.lags(group_id):
            if (lag.topic, lag.partition) == (topic, partition):
                return lag
        raise ResourceNotFound()

    def lag_summary(self, group_id: str) -> LagSummary:
        lags = sorted(self.lags(group_id), key=lambda lag: (lag.topic, lag.partition))
        worst = lags[0]
        for lag in lags[1:]:
            if lag.lag > worst.lag:
                worst = lag
        return LagSummary(group_id, worst, sum(lag.lag for lag in lags))
