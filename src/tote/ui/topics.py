"""What the stack view shows about the log: topics, partitions, offsets, a record peek,
and how far behind each consumer group is.

Read straight from the `Log` the UI was started on (the same log every service shares),
so it works whichever services are running. Calls block briefly (sqlite reads, Kafka
metadata): the routes run them in a worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.core.errors import BadRequest
from tote.core.records import LogRecord, PartitionInfo, TopicPartition
from tote.log.base import Log

MAX_PEEK = 200


@dataclass(frozen=True, slots=True)
class TopicSummary:
    name: str
    partitions: tuple[PartitionInfo, ...]
    configs: tuple[tuple[str, str], ...]

    @property
    def internal(self) -> bool:
        """Internal topics (`_schemas`, ksqlDB's command topic...) start with `_`."""
        return self.name.startswith("_")

    @property
    def records(self) -> int:
        """Records currently held (end minus start offset, summed over partitions)."""
        return sum(p.end_offset - p.start_offset for p in self.partitions)


@dataclass(frozen=True, slots=True)
class GroupLag:
    """A consumer group's committed offset on one partition and how far behind it is."""

    group: str
    topic: str
    partition: int
    committed: int
    end_offset: int

    @property
    def lag(self) -> int:
        return max(0, self.end_offset - self.committed)


class TopicBrowser:
    def __init__(self, log: Log) -> None:
        self.log = log

    def topics(self) -> list[TopicSummary]:
        out = []
        for name in self.log.list_topics():
            described = self.log.describe_topic(name)
            out.append(TopicSummary(name, described.partitions, described.spec.configs))
        return out

    def topic(self, name: str) -> TopicSummary:
        """One topic; TopicNotFound if there is no such topic."""
        described = self.log.describe_topic(name)
        return TopicSummary(name, described.partitions, described.spec.configs)

    def peek(self, name: str, partition: int | None = None, offset: int | None = None,
             limit: int = 20) -> list[LogRecord]:
        """Records of a topic: from `offset` of `partition` on, or else the newest `limit`
        records of each partition (of `partition` only, if given), newest last."""
        if not 1 <= limit <= MAX_PEEK:
            raise BadRequest(f"Peek between 1 and {MAX_PEEK} records, not {limit}.")
        summary = self.topic(name)
        numbers = [p.partition for p in summary.partitions]
        if partition is not None and partition not in numbers:
            raise BadRequest(f"Topic '{name}' has no partition {partition} "
                             f"(partitions 0-{len(numbers) - 1}).")
        if offset is not None:
            if partition is None:
                raise BadRequest("Choose a partition to read from an offset.")
            info = summary.partitions[numbers.index(partition)]
            if not info.start_offset <= offset <= info.end_offset:
                raise BadRequest(f"Offset {offset} is outside partition {partition}'s range "
                                 f"{info.start_offset}-{info.end_offset}.")
            return self.log.read(TopicPartition(name, partition), offset, limit)
        records: list[LogRecord] = []
        for info in summary.partitions:
            if partition is not None and info.partition != partition:
                continue
            start = max(info.start_offset, info.end_offset - limit)
            if start < info.end_offset:
                records.extend(self.log.read(TopicPartition(name, info.partition), start,
                                             limit))
        records.sort(key=lambda r: (r.timestamp, r.partition, r.offset))
        return records[-limit:]

    def lags(self) -> list[GroupLag]:
        """Every consumer group's committed offsets with the partitions' end offsets."""
        ends = {}
        for summary in self.topics():
            for info in summary.partitions:
                ends[TopicPartition(summary.name, info.partition)] = info.end_offset
        out = []
        for group in self.log.list_groups():
            for tp, committed in sorted(self.log.committed(group, ends).items()):
                out.append(GroupLag(group, tp.topic, tp.partition, committed, ends[tp]))
        return out
