"""The broker configs tote's one logical broker reports under REST Proxy v3.

Only settings tote actually applies are listed, each at its Kafka broker name with the
value tote uses (Kafka's topic defaults of `topic_config_defaults`, one partition and one
replica per new topic). They are all defaults; none can be altered, but `is_read_only`
follows Kafka, which marks only the statically configured ones read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.proxy.metadata import BROKER_ID
from tote.proxy.topic_config_defaults import KAFKA_TOPIC_DEFAULTS


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    name: str
    value: str
    is_read_only: bool


_TOPIC_DEFAULTS = {  # broker config -> the topic config it is the default of
    "log.cleanup.policy": "cleanup.policy",
    "log.retention.ms": "retention.ms",
    "log.retention.bytes": "retention.bytes",
    "message.max.bytes": "max.message.bytes",
    "log.message.timestamp.type": "message.timestamp.type",
    "log.cleaner.delete.retention.ms": "delete.retention.ms",
}

BROKER_CONFIGS: tuple[BrokerConfig, ...] = tuple(sorted(
    [BrokerConfig(name, KAFKA_TOPIC_DEFAULTS[topic].value, False)
     for name, topic in _TOPIC_DEFAULTS.items()]
    + [
        BrokerConfig("broker.id", str(BROKER_ID), True),
        BrokerConfig("default.replication.factor", "1", True),
        BrokerConfig("num.partitions", "1", True),
    ],
    key=lambda config: config.name,
))
