"""REST Proxy v3 lists every Kafka 3.8 topic-level config of a topic, as a broker with no
config of its own describes them: Kafka's defaults (DEFAULT_CONFIG, behind the broker
configs that stand for them) and the topic's own settings (DYNAMIC_TOPIC_CONFIG), over
HTTP on sqlite and straight from `TopicConfigs` on the memory log."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.proxy.helpers import create_topic

from tote.log.memory import MemoryLog
from tote.proxy.topic_configs import TopicConfigs
from tote.proxy.v3_errors import UnknownTopicOrPartition

LONG_MAX = "9223372036854775807"
KAFKA_3_8_TOPIC_CONFIGS = [
    "cleanup.policy", "compression.gzip.level", "compression.lz4.level", "compression.type",
    "compression.zstd.level", "delete.retention.ms", "file.delete.delay.ms", "flush.messages",
    "flush.ms", "follower.replication.throttled.replicas", "index.interval.bytes",
    "leader.replication.throttled.replicas", "local.retention.bytes", "local.retention.ms",
    "max.compaction.lag.ms", "max.message.bytes", "message.downconversion.enable",
    "message.format.version", "message.timestamp.after.max.ms",
    "message.timestamp.before.max.ms", "message.timestamp.difference.max.ms",
    "message.timestamp.type", "min.cleanable.dirty.ratio", "min.compaction.lag.ms",
    "min.insync.replicas", "preallocate", "remote.storage.enable", "retention.bytes",
    "retention.ms", "segment.bytes", "segment.index.bytes", "segment.jitter.ms", "segment.ms",
    "unclean.leader.election.enable",
]


def _synonym(name: str, value: str, source: str = "DEFAULT_CONFIG") -> dict[str, str]:
    return {"name": name, "value": value, "source": source}


def test_a_topic_lists_every_kafka_topic_config(client: httpx.Client, names: str) -> None:
    create_topic(client, names, configs={"cleanup.policy": "compact"})
    response = client.get(f"/v3/clusters/tote/topics/{names}/configs")
    assert response.status_code == 200, response.text
    configs: dict[str, Any] = {c["name"]: c for c in response.json()["data"]}
    assert [c["name"] for c in response.json()["data"]] == KAFKA_3_8_TOPIC_CONFIGS

    def described(name: str) -> tuple[Any, ...]:
        c = configs[name]
        return (c["value"], c["is_default"], c["is_read_only"], c["is_sensitive"],
                c["source"], c["synonyms"])

    assert described("retention.ms") == ("604800000", True, False, False, "DEFAULT_CONFIG",
                                         [_synonym("log.retention.hours", "168")])
    assert described("segment.bytes") == ("1073741824", True, False, False, "DEFAULT_CONFIG",
                                          [_synonym("log.segment.bytes", "1073741824")])
    assert described("flush.ms") == (LONG_MAX, True, False, False, "DEFAULT_CONFIG",
                                     [_synonym("log.flush.scheduler.interval.ms", LONG_MAX)])
    assert described("leader.replication.throttled.replicas") == (
        "", True, False, False, "DEFAULT_CONFIG", [])
    assert described("cleanup.policy") == (
        "compact", False, False, False, "DYNAMIC_TOPIC_CONFIG",
        [_synonym("cleanup.policy", "compact", "DYNAMIC_TOPIC_CONFIG"),
         _synonym("log.cleanup.policy", "delete")])

    every = client.get("/v3/clusters/tote/topics/-/configs").json()["data"]
    assert [c["name"] for c in every if c["topic_name"] == names] == KAFKA_3_8_TOPIC_CONFIGS


def test_the_memory_log_describes_the_same_set() -> None:
    log = MemoryLog()
    log.create_topic("orders", configs={"segment.ms": "3600000", "remote.log.copy.disable":
                                        "true"})
    configs = {c.name: c.entry for c in TopicConfigs(log, "tote").of_topic("orders")}
    assert sorted(configs) == sorted([*KAFKA_3_8_TOPIC_CONFIGS, "remote.log.copy.disable"])
    segment = configs["segment.ms"]
    assert (segment.value, segment.is_default, segment.source) == (
        "3600000", False, "DYNAMIC_TOPIC_CONFIG")
    assert [(s.name, s.value, s.source) for s in segment.synonyms] == [
        ("segment.ms", "3600000", "DYNAMIC_TOPIC_CONFIG"),
        ("log.roll.hours", "168", "DEFAULT_CONFIG")]
    assert (configs["compression.type"].value, configs["compression.type"].is_default) == (
        "producer", True)
    with pytest.raises(UnknownTopicOrPartition):
        TopicConfigs(log, "tote").of_topic("missing")
