"""Topics and consumer-group offsets of the kafka backend, through Kafka's admin API.

Requests are validated with the shared rules of `tote.log.base` before the broker sees
them (Tansu accepts names and partition counts Kafka rejects), so every backend fails
the same way. Partition counts and topic specs are cached: appends need them and they only
change when a topic is deleted or created, which this class does itself.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from confluent_kafka import (
    Consumer,
    ConsumerGroupState,
    ConsumerGroupTopicPartitions,
    IsolationLevel,
    KafkaException,
)
from confluent_kafka import TopicPartition as KafkaTopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin._config import AlterConfigOpType, ConfigResource, ConfigSource
from confluent_kafka.admin._config import ConfigEntry as KafkaConfigEntry
from confluent_kafka.admin._listoffsets import OffsetSpec
from confluent_kafka.cimpl import (
    CONFIG_SOURCE_DEFAULT_CONFIG,
    CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG,
    NewTopic,
)

from tote.core.errors import (
    Conflict,
    GroupNotFound,
    InvalidTopic,
    PartitionNotFound,
    TopicNotFound,
)
from tote.core.records import PartitionInfo, TopicDescription, TopicPartition, TopicSpec
from tote.log.base import (
    GroupMember,
    altered_spec,
    validate_topic_name,
    validate_topic_spec,
)
from tote.log.config_entries import ConfigEntry, ConfigSynonym
from tote.log.kafka_config import admin_config, reader_config
from tote.log.kafka_errors import Context, translate, wait_future

_LIVE_STATES = {
    ConsumerGroupState.STABLE,
    ConsumerGroupState.PREPARING_REBALANCING,
    ConsumerGroupState.COMPLETING_REBALANCING,
}


class KafkaAdmin:
    """Admin requests, topic metadata and watermarks for one KafkaLog."""

    def __init__(self, bootstrap: str, overrides: Mapping[str, str], timeout: float) -> None:
        self.timeout = timeout
        self._admin = AdminClient(admin_config(bootstrap, overrides))
        # Watermarks come from a read_uncommitted consumer: the end offset is the log end
        # (Tansu answers read_committed ListOffsets with 0 while a transaction is open).
        self._meta = Consumer(reader_config(bootstrap, overrides, committed=False, eof=False))
        self._lock = threading.Lock()
        self._specs: dict[str, TopicSpec] = {}

    def close(self) -> None:
        self._meta.close()

    # -- topics -----------------------------------------------------------------------------

    def create_topic(
        self, name: str, partitions: int, replication_factor: int, configs: Mapping[str, str]
    ) -> TopicSpec:
        spec = validate_topic_spec(name, partitions, replication_factor, configs)
        new = NewTopic(name, partitions, replication_factor, config=dict(configs))
        futures = self._admin.create_topics([new], request_timeout=self.timeout)
        wait_future(futures[name], self.timeout, Context(topic=name))
        self._await_metadata(name, present=True)
        with self._lock:
            self._specs[name] = spec
        return spec

    def delete_topic(self, name: str) -> None:
        self.forget(name)
        futures = self._admin.delete_topics([name], request_timeout=self.timeout)
        wait_future(futures[name], self.timeout, Context(topic=name))
        self._await_metadata(name, present=False)

    def alter_configs(self, name: str, changes: Mapping[str, str | None]) -> TopicSpec:
        """Kafka's IncrementalAlterConfigs: SET each value, DELETE each None. Checked here
        first with the shared rules, as a create is (a broker may accept what Kafka
        refuses)."""
        altered_spec(self.spec(name, fresh=True), changes)
        entries = [
            KafkaConfigEntry(
                key, value,
                incremental_operation=(
                    AlterConfigOpType.DELETE if value is None else AlterConfigOpType.SET
                ),
            )
            for key, value in changes.items()
        ]
        resource = ConfigResource("topic", name, incremental_configs=entries)
        futures = self._admin.incremental_alter_configs([resource], request_timeout=self.timeout)
        try:
            wait_future(futures[resource], self.timeout, Context(topic=name))
        finally:
            self.forget(name)
        return self.spec(name, fresh=True)

    def forget(self, name: str) -> None:
        """Drop the cached spec of a topic (after a delete, or an error naming it)."""
        with self._lock:
            self._specs.pop(name, None)

    def cluster_id(self) -> str | None:
        """The cluster id the broker's Metadata answer names (None from a broker too old)."""
        cluster_id: str | None = self._metadata(None).cluster_id
        return cluster_id

    def list_topics(self) -> list[str]:
        metadata = self._metadata(None)
        return sorted(
            name
            for name, topic in metadata.topics.items()
            if topic.error is None and not name.startswith("__")
        )

    def describe_topic(self, name: str) -> TopicDescription:
        spec = self.spec(name, fresh=True)
        infos = []
        for partition in range(spec.partitions):
            low, high = self.watermarks(TopicPartition(name, partition))
            infos.append(PartitionInfo(partition, low, high))
        return TopicDescription(spec, tuple(infos))

    def spec(self, name: str, *, fresh: bool = False) -> TopicSpec:
        """The topic's spec (cached); raises TopicNotFound."""
        with self._lock:
            cached = self._specs.get(name)
        if cached is not None and not fresh:
            return cached
        try:
            validate_topic_name(name)
        except InvalidTopic:
            raise TopicNotFound(name) from None
        topic = self._metadata(name).topics.get(name)
        if topic is None or topic.error is not None:
            self.forget(name)
            raise TopicNotFound(name)
        partitions = topic.partitions
        replication = len(partitions[0].replicas) if partitions else 1
        spec = TopicSpec(name, len(partitions), replication, self._configs(name))
        with self._lock:
            self._specs[name] = spec
        return spec

    def check_partition(self, tp: TopicPartition) -> int:
        """The partition count of `tp`'s topic; raises TopicNotFound / PartitionNotFound."""
        count = self.spec(tp.topic).partitions
        if not 0 <= tp.partition < count:
            count = self.spec(tp.topic, fresh=True).partitions
            if not 0 <= tp.partition < count:
                raise PartitionNotFound(tp.topic, tp.partition)
        return count

    def watermarks(self, tp: TopicPartition) -> tuple[int, int]:
        """(start, end) offsets of a partition as the broker reports them now."""
        self.check_partition(tp)
        try:
            return self._watermarks(tp)
        except KafkaException:
            # librdkafka says "unknown partition" when its metadata is stale or the broker
            # is gone: ask the broker afresh (raising TopicNotFound, PartitionNotFound or
            # Timeout), then try once more.
            self.forget(tp.topic)
            self.check_partition(tp)
        try:
            return self._watermarks(tp)
        except KafkaException as exc:
            raise translate(exc, Context(tp.topic, tp.partition)) from exc

    def ends(self, tps: Iterable[TopicPartition]) -> dict[TopicPartition, tuple[int, int]]:
        """(log end, stable end) of each partition, in one round trip: the end as a
        read_uncommitted reader sees it (where the next record goes) and as a
        read_committed one does (lower while a transaction with records there is open)."""
        latest = OffsetSpec.latest()  # type: ignore[no-untyped-call]
        wanted = {KafkaTopicPartition(tp.topic, tp.partition): latest for tp in tps}
        if not wanted:
            return {}
        levels = (IsolationLevel.READ_UNCOMMITTED, IsolationLevel.READ_COMMITTED)
        futures = [self._admin.list_offsets(wanted, isolation_level=level,
                                            request_timeout=self.timeout)
                   for level in levels]
        ends: dict[TopicPartition, list[int]] = {}
        for by_partition in futures:
            for ktp, future in by_partition.items():
                tp = TopicPartition(ktp.topic, ktp.partition)
                info = wait_future(future, self.timeout, Context(tp.topic, tp.partition))
                ends.setdefault(tp, []).append(int(info.offset))
        return {tp: (end, stable) for tp, (end, stable) in ends.items()}

    def _watermarks(self, tp: TopicPartition) -> tuple[int, int]:
        low, high = self._meta.get_watermark_offsets(
            KafkaTopicPartition(tp.topic, tp.partition), timeout=self.timeout, cached=False
        )
        return int(low), int(high)

    def config_entries(self, name: str) -> tuple[ConfigEntry, ...]:
        """Every config of the topic as the broker describes it (raises TopicNotFound)."""
        self.spec(name)  # an invalid or unknown name is TopicNotFound
        return tuple(_config_entry(entry) for entry in self._describe(name).values())

    def _configs(self, name: str) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(_explicit(self._describe(name)).items()))

    def _describe(self, name: str) -> dict[str, Any]:
        resource = ConfigResource("topic", name)
        futures = self._admin.describe_configs([resource], request_timeout=self.timeout)
        entries: dict[str, Any] = wait_future(futures[resource], self.timeout, Context(name))
        return entries

    def _metadata(self, name: str | None) -> Any:
        try:
            return self._admin.list_topics(topic=name, timeout=self.timeout)
        except Exception as exc:
            raise translate(exc, Context(topic=name)) from exc

    def _await_metadata(self, name: str, *, present: bool) -> None:
        """Wait until metadata shows the create/delete (Kafka applies them asynchronously)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            topic = self._metadata(name).topics.get(name)
            if (topic is not None and topic.error is None) == present:
                return
            time.sleep(0.05)

    # -- consumer-group offsets ---------------------------------------------------------------

    def committed(self, group: str, tps: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        wanted = [KafkaTopicPartition(tp.topic, tp.partition) for tp in tps]
        if not wanted:
            return {}
        request = ConsumerGroupTopicPartitions(group, wanted)
        futures = self._admin.list_consumer_group_offsets(
            [request], request_timeout=self.timeout
        )
        result = wait_future(futures[group], self.timeout, Context(group=group))
        return {
            TopicPartition(p.topic, p.partition): p.offset
            for p in result.topic_partitions
            if p.error is None and p.offset >= 0
        }

    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> None:
        for tp in offsets:
            self.check_partition(tp)
        if not offsets:
            return
        request = ConsumerGroupTopicPartitions(
            group, [KafkaTopicPartition(tp.topic, tp.partition, off) for tp, off in offsets.items()]
        )
        futures = self._admin.alter_consumer_group_offsets(
            [request], request_timeout=self.timeout
        )
        result = wait_future(futures[group], self.timeout, Context(group=group))
        for p in result.topic_partitions:
            if p.error is not None:
                raise translate(p.error, Context(p.topic, p.partition, group))

    def list_groups(self) -> list[str]:
        future = self._admin.list_consumer_groups(request_timeout=self.timeout)
        listed = wait_future(future, self.timeout, Context())
        names = sorted(g.group_id for g in listed.valid)
        return [name for name in names if self._is_live(name) or self._has_offsets(name)]

    def delete_group(self, group: str) -> None:
        if self._is_live(group):
            raise Conflict(f"Consumer group '{group}' is not empty: it has active members.")
        if not self._has_offsets(group):
            raise GroupNotFound(group)
        futures = self._admin.delete_consumer_groups([group], request_timeout=self.timeout)
        wait_future(futures[group], self.timeout, Context(group=group))

    def group_members(self, group: str) -> list[GroupMember]:
        """Each member's ids and assigned partitions, from the broker's group description."""
        futures = self._admin.describe_consumer_groups([group], request_timeout=self.timeout)
        description = wait_future(futures[group], self.timeout, Context(group=group))
        members = [
            GroupMember(
                member.member_id,
                member.client_id,
                frozenset(TopicPartition(tp.topic, tp.partition)
                          for tp in member.assignment.topic_partitions),
            )
            for member in description.members
        ]
        return sorted(members, key=lambda m: m.member_id)

    def _is_live(self, group: str) -> bool:
        futures = self._admin.describe_consumer_groups([group], request_timeout=self.timeout)
        description = wait_future(futures[group], self.timeout, Context(group=group))
        return description.state in _LIVE_STATES

    def _has_offsets(self, group: str) -> bool:
        futures = self._admin.list_consumer_group_offsets(
            [ConsumerGroupTopicPartitions(group)], request_timeout=self.timeout
        )
        result = wait_future(futures[group], self.timeout, Context(group=group))
        return any(p.offset >= 0 for p in result.topic_partitions)


def _source(source: Any) -> str:
    """confluent-kafka's ConfigSource (or its int) as Kafka names it."""
    return ConfigSource(source).name


def _config_entry(entry: Any) -> ConfigEntry:
    synonyms = tuple(
        ConfigSynonym(synonym.name, synonym.value, _source(synonym.source))
        for synonym in (entry.synonyms or {}).values()
    )
    return ConfigEntry(entry.name, entry.value, _source(entry.source), entry.is_default,
                       entry.is_read_only, entry.is_sensitive, synonyms)


def _explicit(entries: Mapping[str, Any]) -> dict[str, str]:
    """The configs set on the topic itself, without broker defaults.

    Kafka marks those DYNAMIC_TOPIC_CONFIG. A broker that marks nothing as dynamic (Tansu
    reports every entry as DEFAULT_CONFIG) stores only what was set, so all entries count.
    """
    dynamic = {
        name: entry.value
        for name, entry in entries.items()
        if entry.source == CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG and entry.value is not None
    }
    if dynamic:
        return dynamic
    if all(entry.source == CONFIG_SOURCE_DEFAULT_CONFIG for entry in entries.values()):
        return {name: entry.value for name, entry in entries.items() if entry.value is not None}
    return {}
