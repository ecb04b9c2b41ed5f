"""REST Proxy v3 topic configs over HTTP against `tote serve rest-proxy` (sqlite): reading
one config or every topic's, updating, resetting and batch-altering them (the change is in
the log, and the log acts on it), with kafka-rest's status codes; and the 40403 kafka-rest
answers for an unknown topic under `/topics/{t}`."""

from __future__ import annotations

import base64
from typing import Any

import httpx
from tests.proxy.helpers import create_topic, error

from tote.core.records import TopicPartition
from tote.log.base import Log

NO_TOPIC = (404, 40403, "This server does not host this topic-partition.")


def config_of(client: httpx.Client, topic: str, name: str) -> Any:
    response = client.get(f"/v3/clusters/tote/topics/{topic}/configs/{name}")
    assert response.status_code == 200, response.text
    return response.json()


def test_one_config_is_a_topic_config_resource(client: httpx.Client, proxy_url: str,
                                               names: str) -> None:
    create_topic(client, names, configs={"cleanup.policy": "compact"})
    url = f"{proxy_url}/v3/clusters/tote/topics/{names}/configs/cleanup.policy"
    assert config_of(client, names, "cleanup.policy") == {
        "kind": "KafkaTopicConfig",
        "metadata": {"self": url,
                     "resource_name": f"crn:///kafka=tote/topic={names}/config=cleanup.policy"},
        "cluster_id": "tote",
        "topic_name": names,
        "name": "cleanup.policy",
        "value": "compact",
        "is_default": False,
        "is_read_only": False,
        "is_sensitive": False,
        "source": "DYNAMIC_TOPIC_CONFIG",
        "synonyms": [
            {"name": "cleanup.policy", "value": "compact", "source": "DYNAMIC_TOPIC_CONFIG"},
            {"name": "log.cleanup.policy", "value": "delete", "source": "DEFAULT_CONFIG"},
        ],
    }
    listed = client.get(f"/v3/clusters/tote/topics/{names}/configs").json()["data"]
    assert config_of(client, names, "cleanup.policy") in listed
    retention = config_of(client, names, "retention.ms")
    assert (retention["value"], retention["is_default"], retention["source"]) == (
        "604800000", True, "DEFAULT_CONFIG")
    assert error(client.get(f"/v3/clusters/tote/topics/{names}/configs/foobar")) == (
        404, 404, "HTTP 404 Not Found")


def test_update_and_reset_change_the_topic_in_the_log(client: httpx.Client, log: Log,
                                                      names: str) -> None:
    create_topic(client, names)
    path = f"/v3/clusters/tote/topics/{names}/configs/retention.ms"
    response = client.put(path, json={"value": "60000"})
    assert (response.status_code, response.content) == (204, b"")
    assert log.describe_topic(names).spec.config("retention.ms") == "60000"
    updated = config_of(client, names, "retention.ms")
    assert (updated["value"], updated["is_default"], updated["source"]) == (
        "60000", False, "DYNAMIC_TOPIC_CONFIG")
    response = client.delete(path)
    assert (response.status_code, response.content) == (204, b"")
    assert log.describe_topic(names).spec.config("retention.ms") is None
    reset = config_of(client, names, "retention.ms")
    assert (reset["value"], reset["is_default"], reset["source"]) == (
        "604800000", True, "DEFAULT_CONFIG")
    # Set on the topic, even to the default's value, is a topic config (as Kafka reports).
    assert client.put(path, json={"value": "604800000"}).status_code == 204
    explicit = config_of(client, names, "retention.ms")
    assert (explicit["is_default"], explicit["source"]) == (False, "DYNAMIC_TOPIC_CONFIG")


def test_a_kafka_config_tote_does_not_list_can_be_set(client: httpx.Client, log: Log,
                                                      names: str) -> None:
    create_topic(client, names)
    path = f"/v3/clusters/tote/topics/{names}/configs/segment.bytes"
    assert client.put(path, json={"value": "1048576"}).status_code == 204
    assert log.describe_topic(names).spec.config("segment.bytes") == "1048576"
    assert config_of(client, names, "segment.bytes")["value"] == "1048576"


def test_update_errors(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    configs = f"/v3/clusters/tote/topics/{names}/configs"
    assert error(client.put(f"{configs}/foobar", json={"value": "1"})) == (
        404, 404, f"Config foobar cannot be found for TOPIC {names} in cluster tote.")
    assert error(client.delete(f"{configs}/foobar")) == (
        404, 404, f"Config foobar cannot be found for TOPIC {names} in cluster tote.")
    assert error(client.put(f"{configs}/retention.ms", json={"value": "soon"})) == (
        400, 40002, "Invalid value soon for configuration retention.ms: Not a number of type LONG")
    assert error(client.put(f"{configs}/retention.ms", json={})) == (
        400, 40002, "Null value not supported for : retention.ms")
    assert error(client.put(f"/v3/clusters/nope/topics/{names}/configs/retention.ms",
                            json={"value": "1"}))[:2] == (404, 404)


def test_a_batch_alter_applies_every_change_or_none(client: httpx.Client, log: Log,
                                                    names: str) -> None:
    create_topic(client, names, configs={"retention.ms": "60000"})
    alter = f"/v3/clusters/tote/topics/{names}/configs:alter"
    batch = {"data": [{"name": "cleanup.policy", "value": "compact"},
                      {"name": "max.message.bytes", "value": "2000"},
                      {"name": "retention.ms", "operation": "DELETE"}]}
    response = client.post(alter, json=batch)
    assert (response.status_code, response.content) == (204, b"")
    assert log.describe_topic(names).spec.configs == (
        ("cleanup.policy", "compact"), ("max.message.bytes", "2000"))

    bad = {"data": [{"name": "cleanup.policy", "value": "delete"},
                    {"name": "retention.ms", "value": "soon"}]}
    assert error(client.post(alter, json=bad)) == (
        400, 40002, "Invalid value soon for configuration retention.ms: Not a number of type LONG")
    unknown = {"data": [{"name": "cleanup.policy", "value": "delete"}, {"name": "foobar",
                                                                         "value": "1"}]}
    assert error(client.post(alter, json=unknown)) == (404, 404, "HTTP 404 Not Found")
    dry = {"data": [{"name": "cleanup.policy", "value": "delete"}], "validate_only": True}
    assert client.post(alter, json=dry).status_code == 204
    assert log.describe_topic(names).spec.configs == (
        ("cleanup.policy", "compact"), ("max.message.bytes", "2000"))
    assert error(client.post(alter, json={"data": [{"name": "cleanup.policy",
                                                    "operation": "APPEND"}]}))[:2] == (400, 400)
    assert error(client.post(alter, content=b"", headers={"Content-Type": "application/json"})
                 ) == (422, 42206, "Payload error. Null input provided. Data is required.")


def test_a_batch_naming_a_config_twice_is_refused(client: httpx.Client, log: Log,
                                                 names: str) -> None:
    """Kafka's IncrementalAlterConfigs refuses the resource before applying anything (the
    last value does not win), after kafka-rest's own check that each name exists."""
    create_topic(client, names)
    alter = f"/v3/clusters/tote/topics/{names}/configs:alter"
    twice = {"data": [{"name": "retention.ms", "value": "60000"},
                      {"name": "cleanup.policy", "value": "compact"},
                      {"name": "retention.ms", "operation": "DELETE"}]}
    duplicate = (400, 40002, "Error due to duplicate config keys")
    assert error(client.post(alter, json=twice)) == duplicate
    assert error(client.post(alter, json={**twice, "validate_only": True})) == duplicate
    assert log.describe_topic(names).spec.configs == ()
    unknown_too = {"data": [*twice["data"], {"name": "foobar", "value": "1"}]}
    assert error(client.post(alter, json=unknown_too)) == (404, 404, "HTTP 404 Not Found")
    null_too = {"data": [{"name": "segment.ms"}, {"name": "segment.ms", "value": "1"}]}
    assert error(client.post(alter, json=null_too)) == duplicate


def test_an_altered_max_message_bytes_refuses_larger_records(client: httpx.Client,
                                                             names: str) -> None:
    create_topic(client, names)
    record = {"value": {"type": "BINARY", "data": base64.b64encode(b"x" * 1500).decode()}}
    records = f"/v3/clusters/tote/topics/{names}/records"
    assert client.post(records, json=record).json()["error_code"] == 200
    path = f"/v3/clusters/tote/topics/{names}/configs/max.message.bytes"
    assert client.put(path, json={"value": "1000"}).status_code == 204
    assert client.post(records, json=record).json()["error_code"] == 41301


def test_a_retention_set_later_deletes_old_records(client: httpx.Client, log: Log,
                                                   names: str) -> None:
    create_topic(client, names)
    old = {"value": {"type": "JSON", "data": "old"}, "timestamp": "2020-01-01T00:00:00Z"}
    client.post(f"/v3/clusters/tote/topics/{names}/records", json=old)
    log.enforce_retention(names)
    assert len(log.read(TopicPartition(names, 0), 0)) == 1
    assert client.put(f"/v3/clusters/tote/topics/{names}/configs/retention.ms",
                      json={"value": "86400000"}).status_code == 204
    log.enforce_retention(names)
    assert log.read(TopicPartition(names, 0), 0) == []


def test_every_topics_configs(client: httpx.Client, proxy_url: str, names: str) -> None:
    first, second = f"{names}_a", f"{names}_b"
    create_topic(client, first, configs={"cleanup.policy": "compact"})
    create_topic(client, second)
    response = client.get("/v3/clusters/tote/topics/-/configs")
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["metadata"]) == (
        "KafkaTopicConfigList",
        {"self": f"{proxy_url}/v3/clusters/tote/topics/-/configs", "next": None})
    mine = [(c["topic_name"], c["name"], c["value"]) for c in body["data"]
            if c["topic_name"] in (first, second) and c["name"] == "cleanup.policy"]
    assert mine == [(first, "cleanup.policy", "compact"), (second, "cleanup.policy", "delete")]
    assert error(client.get("/v3/clusters/nope/topics/-/configs"))[:2] == (404, 404)


def test_an_unknown_topic_is_40403_under_topics(client: httpx.Client, names: str) -> None:
    topic = f"/v3/clusters/tote/topics/{names}_nope"
    assert error(client.get(topic)) == NO_TOPIC
    assert error(client.delete(topic)) == NO_TOPIC
    assert error(client.get(f"{topic}/partitions")) == NO_TOPIC
    assert error(client.get(f"{topic}/configs")) == NO_TOPIC
    assert error(client.get(f"{topic}/configs/cleanup.policy")) == NO_TOPIC
    assert error(client.put(f"{topic}/configs/cleanup.policy", json={"value": "compact"})
                 ) == NO_TOPIC
    assert error(client.delete(f"{topic}/configs/cleanup.policy")) == NO_TOPIC
    assert error(client.post(f"{topic}/configs:alter", json={"data": [
        {"name": "cleanup.policy", "value": "compact"}]})) == NO_TOPIC
    partition = (404, 40403, f"This server does not host topic-partition 0 for topic "
                             f"{names}_nope")
    assert error(client.get(f"{topic}/partitions/0")) == partition
    assert error(client.get(f"{topic}/partitions/0/replicas")) == partition
    assert error(client.get(f"{topic}/partitions/0/replicas/1")) == partition
