"""Kafka 3.8's topic-level configs with their defaults, as a broker with no config of its
own describes them (DescribeConfigs with synonyms), for the embedded backends' REST Proxy v3
listing.

Each default is Kafka's `LogConfig` default; its synonyms are the broker configs that
stand behind it (`ServerTopicConfigSynonyms`) that hold a default value, in Kafka's
order, each reported as DEFAULT_CONFIG. `retention.ms`, for one, falls back on
`log.retention.ms` and `log.retention.minutes` (no default) and then on
`log.retention.hours`, so its only synonym is `log.retention.hours=168`. The replica
throttles and `remote.storage.enable` have no broker synonym.
"""

from __future__ import annotations

from dataclasses import dataclass

LONG_MAX = "9223372036854775807"


@dataclass(frozen=True, slots=True)
class TopicDefault:
    value: str
    synonyms: tuple[tuple[str, str], ...]  # (broker config, its default value)


def _same(name: str, value: str) -> TopicDefault:
    return TopicDefault(value, ((name, value),))


def _behind(broker: str, value: str, broker_value: str | None = None) -> TopicDefault:
    return TopicDefault(value, ((broker, value if broker_value is None else broker_value),))


KAFKA_TOPIC_DEFAULTS: dict[str, TopicDefault] = {
    "cleanup.policy": _behind("log.cleanup.policy", "delete"),
    "compression.gzip.level": _same("compression.gzip.level", "-1"),
    "compression.lz4.level": _same("compression.lz4.level", "9"),
    "compression.type": _same("compression.type", "producer"),
    "compression.zstd.level": _same("compression.zstd.level", "3"),
    "delete.retention.ms": _behind("log.cleaner.delete.retention.ms", "86400000"),
    "file.delete.delay.ms": _behind("log.segment.delete.delay.ms", "60000"),
    "flush.messages": _behind("log.flush.interval.messages", LONG_MAX),
    "flush.ms": _behind("log.flush.scheduler.interval.ms", LONG_MAX),
    "follower.replication.throttled.replicas": TopicDefault("", ()),
    "index.interval.bytes": _behind("log.index.interval.bytes", "4096"),
    "leader.replication.throttled.replicas": TopicDefault("", ()),
    "local.retention.bytes": _behind("log.local.retention.bytes", "-2"),
    "local.retention.ms": _behind("log.local.retention.ms", "-2"),
    "max.compaction.lag.ms": _behind("log.cleaner.max.compaction.lag.ms", LONG_MAX),
    "max.message.bytes": _behind("message.max.bytes", "1048588"),
    "message.downconversion.enable": _behind("log.message.downconversion.enable", "true"),
    "message.format.version": _behind("log.message.format.version", "3.0-IV1"),
    "message.timestamp.after.max.ms": _behind("log.message.timestamp.after.max.ms", LONG_MAX),
    "message.timestamp.before.max.ms": _behind("log.message.timestamp.before.max.ms",
                                               LONG_MAX),
    "message.timestamp.difference.max.ms": _behind("log.message.timestamp.difference.max.ms",
                                                   LONG_MAX),
    "message.timestamp.type": _behind("log.message.timestamp.type", "CreateTime"),
    "min.cleanable.dirty.ratio": _behind("log.cleaner.min.cleanable.ratio", "0.5"),
    "min.compaction.lag.ms": _behind("log.cleaner.min.compaction.lag.ms", "0"),
    "min.insync.replicas": _same("min.insync.replicas", "1"),
    "preallocate": _behind("log.preallocate", "false"),
    "remote.storage.enable": TopicDefault("false", ()),
    "retention.bytes": _behind("log.retention.bytes", "-1"),
    "retention.ms": _behind("log.retention.hours", "604800000", "168"),
    "segment.bytes": _behind("log.segment.bytes", "1073741824"),
    "segment.index.bytes": _behind("log.index.size.max.bytes", "10485760"),
    "segment.jitter.ms": _behind("log.roll.jitter.hours", "0"),
    "segment.ms": _behind("log.roll.hours", "604800000", "168"),
    "unclean.leader.election.enable": _same("unclean.leader.election.enable", "false"),
}
