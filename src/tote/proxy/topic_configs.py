"""Topic configs as REST Proxy v3 reads and alters them, with kafka-rest's checks and errors.

kafka-rest (`AbstractConfigManager`) lists a topic's configs first and answers 404 for a
name not among them, before Kafka sees the change; Kafka then refuses a name given twice
or a SET without a value (InvalidRequestException) and a bad value
(InvalidConfigurationException), all 400 / 40002 through rest-utils' KafkaExceptionMapper.
On the Kafka backend the listing is the broker's DescribeConfigs answer; the embedded
backends list every Kafka 3.8 topic config with Kafka's default (`topic_config_defaults`),
those set on the topic as DYNAMIC_TOPIC_CONFIG, as a broker with no config of its own would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tote.core.errors import InvalidConfig, TopicNotFound, ToteError
from tote.log.base import Log, altered_spec
from tote.log.config_entries import ConfigEntry, ConfigSynonym
from tote.proxy.errors import KafkaBadRequest
from tote.proxy.topic_config_defaults import KAFKA_TOPIC_DEFAULTS
from tote.proxy.v3_errors import ResourceNotFound, UnknownTopicOrPartition

# Every topic config Kafka's LogConfig defines: Kafka 3.8's (listed with their defaults)
# and the two Kafka 3.9 added.
KAFKA_TOPIC_CONFIGS = frozenset(KAFKA_TOPIC_DEFAULTS) | {
    "remote.log.copy.disable", "remote.log.delete.on.disable"}


@dataclass(frozen=True, slots=True)
class TopicConfig:
    """One config of a topic; `is_default` unless set on the topic itself (even to the
    default's value, as Kafka reports a DYNAMIC_TOPIC_CONFIG)."""

    topic: str
    entry: ConfigEntry

    @property
    def name(self) -> str:
        return self.entry.name


def _embedded_entry(name: str, explicit: dict[str, str]) -> ConfigEntry:
    """Kafka's description of `name`: its default behind the broker's synonyms, or the
    topic's own value ahead of them."""
    default = KAFKA_TOPIC_DEFAULTS.get(name)
    synonyms = tuple(ConfigSynonym(broker, value, "DEFAULT_CONFIG")
                     for broker, value in (default.synonyms if default else ()))
    if name in explicit:
        own = ConfigSynonym(name, explicit[name], "DYNAMIC_TOPIC_CONFIG")
        return ConfigEntry(name, explicit[name], own.source, False, False, False,
                           (own, *synonyms))
    value = default.value if default else None
    return ConfigEntry(name, value, "DEFAULT_CONFIG", True, False, False, synonyms)


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """One alter command: SET `value` (None is Kafka's "null value"), or DELETE (reset)."""

    name: str
    value: str | None
    delete: bool = False


class TopicConfigs:
    def __init__(self, log: Log, cluster_id: str) -> None:
        self._log = log
        self._cluster_id = cluster_id

    def of_topic(self, topic: str) -> list[TopicConfig]:
        """The topic's configs by name; an unknown topic is kafka-rest's 40403."""
        try:
            entries = self._log.describe_topic_configs(topic)
            if entries is None:
                explicit = dict(self._log.describe_topic(topic).spec.configs)
                names = KAFKA_TOPIC_DEFAULTS.keys() | explicit.keys()
                entries = tuple(_embedded_entry(name, explicit) for name in names)
        except TopicNotFound:
            raise UnknownTopicOrPartition() from None
        return [TopicConfig(topic, entry) for entry in sorted(entries, key=lambda e: e.name)]

    def list_all(self) -> list[TopicConfig]:
        """Every topic's configs, topic by topic (`GET .../topics/-/configs`)."""
        configs: list[TopicConfig] = []
        for name in self._log.list_topics():
            try:
                configs.extend(self.of_topic(name))
            except UnknownTopicOrPartition:  # deleted meanwhile
                continue
        return configs

    def get(self, topic: str, name: str) -> TopicConfig:
        for config in self.of_topic(topic):
            if config.name == name:
                return config
        raise ResourceNotFound()

    def alter(
        self, topic: str, changes: Sequence[ConfigChange], *, validate_only: bool = False,
        single: bool = False,
    ) -> None:
        """Apply `changes` in one step, after kafka-rest's existence check: a PUT or DELETE
        of one config names it in its 404 (`single`); the batch's 404 carries no message."""
        known = self._settable(topic)
        for change in changes:
            if change.name not in known:
                if not single:
                    raise ResourceNotFound()
                raise ResourceNotFound(
                    f"Config {change.name} cannot be found for TOPIC {topic} in cluster "
                    f"{self._cluster_id}."
                )
        self._apply(topic, changes, validate_only)

    def alter_many(
        self, changes: Mapping[str, Sequence[ConfigChange]], *, validate_only: bool = False,
    ) -> list[tuple[str, ToteError]]:
        """`topics/-/configs:alter`: every topic is described first (an unknown one fails the
        whole request, 40403) and every name checked (a bare 404), as kafka-rest's
        `safeAlterMultipleConfigs`; then each topic's changes apply on their own, as Kafka's
        IncrementalAlterConfigs does per resource. Returns the topics that failed, in order."""
        known = {topic: self._settable(topic) for topic in changes}
        if any(c.name not in known[topic] for topic, batch in changes.items() for c in batch):
            raise ResourceNotFound()
        failures: list[tuple[str, ToteError]] = []
        for topic, batch in changes.items():
            try:
                self._apply(topic, batch, validate_only)
            except (KafkaBadRequest, UnknownTopicOrPartition) as exc:
                failures.append((topic, exc))
        return failures

    def _settable(self, topic: str) -> set[str]:
        """The names kafka-rest finds in the topic's listing (and Kafka 3.9's two)."""
        return {config.name for config in self.of_topic(topic)} | KAFKA_TOPIC_CONFIGS

    def _apply(self, topic: str, changes: Sequence[ConfigChange], validate_only: bool) -> None:
        """Kafka's own checks in its order (a name twice, a SET without a value, each value),
        then the change in one step: all of it or none."""
        names = [c.name for c in changes]
        if len(set(names)) < len(names):
            raise KafkaBadRequest("Error due to duplicate config keys")
        nulls = [c.name for c in changes if c.value is None and not c.delete]
        if nulls:
            raise KafkaBadRequest("Null value not supported for : " + ", ".join(nulls))
        values = {c.name: None if c.delete else c.value for c in changes}
        try:
            if validate_only:
                altered_spec(self._log.describe_topic(topic).spec, values)
            else:
                self._log.alter_topic_configs(topic, values)
        except TopicNotFound:
            raise UnknownTopicOrPartition() from None
        except InvalidConfig as exc:
            raise KafkaBadRequest(exc.message) from None
