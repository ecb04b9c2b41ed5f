"""Topic, partition and broker metadata as kafka-rest reports it (v2 spec §3.3, v3 basics).

tote's log is one logical broker (id 1) that leads every partition; on the Kafka backend
the log does not expose brokers, so the same single-broker view is reported there too.
A topic's configs are `topic_configs.TopicConfigs`' (v2 and v3 show the same ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tote.core.errors import PartitionNotFound, TopicExists, TopicNotFound
from tote.core.records import PartitionInfo, TopicDescription
from tote.log.base import Log
from tote.proxy.errors import KafkaBadRequest

BROKER_ID = 1


@dataclass(frozen=True, slots=True)
class PartitionView:
    topic: str
    partition: int
    leader: int
    replicas: tuple[int, ...]
    start_offset: int
    end_offset: int


@dataclass(frozen=True, slots=True)
class TopicView:
    name: str
    partitions: tuple[PartitionView, ...]
    replication_factor: int

    @property
    def is_internal(self) -> bool:
        return self.name.startswith("__")


def _partition_view(description: TopicDescription, info: PartitionInfo) -> PartitionView:
    return PartitionView(
        description.spec.name, info.partition, BROKER_ID, (BROKER_ID,), info.start_offset,
        info.end_offset,
    )


class Metadata:
    def __init__(self, log: Log) -> None:
        self._log = log

    def topic_names(self) -> list[str]:
        return self._log.list_topics()

    def topic(self, name: str) -> TopicView:
        description = self._log.describe_topic(name)  # TopicNotFound -> 40401
        return TopicView(
            name,
            tuple(_partition_view(description, info) for info in description.partitions),
            description.spec.replication_factor,
        )

    def topics(self) -> list[TopicView]:
        views = []
        for name in self.topic_names():
            try:
                views.append(self.topic(name))
            except TopicNotFound:  # deleted meanwhile
                continue
        return views

    def partition(self, topic: str, partition: int) -> PartitionView:
        for view in self.topic(topic).partitions:
            if view.partition == partition:
                return view
        raise PartitionNotFound(topic, partition)

    @staticmethod
    def brokers() -> list[int]:
        return [BROKER_ID]

    def create_topic(
        self,
        name: str,
        partitions: int | None,
        replication_factor: int | None,
        configs: Mapping[str, str],
    ) -> TopicView:
        """v3 create: Kafka answers an existing topic with 400 / 40002, not 409."""
        try:
            self._log.create_topic(name, partitions or 1, replication_factor or 1, configs)
        except TopicExists:
            raise KafkaBadRequest(f"Topic '{name}' already exists.") from None
        return self.topic(name)

    def delete_topic(self, name: str) -> None:
        self._log.delete_topic(name)
