"""v2 metadata and the v3 basics (clusters, brokers, topics, records) over HTTP."""

from __future__ import annotations

import base64
import json

import httpx
from tests.proxy.helpers import BINARY, JSON, create_topic, error, post, register

from tote.core.records import TopicPartition
from tote.log.base import Log


def test_root_topics_and_brokers(client: httpx.Client, names: str) -> None:
    create_topic(client, f"{names}_b", partitions=2, configs={"cleanup.policy": "compact"})
    create_topic(client, f"{names}_a")
    root = client.get("/")
    assert (root.status_code, root.json()) == (200, {})
    topics = client.get("/topics")
    assert topics.headers["content-type"] == "application/vnd.kafka.v2+json"
    listed = topics.json()
    assert listed == sorted(listed)
    assert {f"{names}_a", f"{names}_b"} <= set(listed)
    assert client.get("/brokers").json() == {"brokers": [1]}


def test_topic_partitions_and_offsets(client: httpx.Client, names: str) -> None:
    create_topic(client, names, partitions=2, configs={"cleanup.policy": "compact",
                                                      "retention.ms": "60000"})
    post(client, f"/topics/{names}/partitions/1", {"records": [{"value": 1}, {"value": 2}]}, JSON)
    replica = [{"broker": 1, "leader": True, "in_sync": True}]
    partitions = [{"partition": 0, "leader": 1, "replicas": replica},
                  {"partition": 1, "leader": 1, "replicas": replica}]
    topic = client.get(f"/topics/{names}").json()
    assert topic == {"name": names, "configs": topic["configs"], "partitions": partitions}
    # Every config v3 lists, name -> value, as kafka-rest's v2 GetTopicResponse.
    listed = client.get(f"/v3/clusters/tote/topics/{names}/configs").json()["data"]
    assert topic["configs"] == {c["name"]: c["value"] for c in listed}
    assert len(topic["configs"]) == 34
    assert {name: topic["configs"][name] for name in (
        "cleanup.policy", "retention.ms", "segment.bytes", "min.insync.replicas")} == {
        "cleanup.policy": "compact", "retention.ms": "60000", "segment.bytes": "1073741824",
        "min.insync.replicas": "1"}
    assert error(client.get(f"/topics/{names}_nope")) == (
        404, 40403, "This server does not host this topic-partition.")
    assert client.get(f"/topics/{names}/partitions").json() == partitions
    assert client.get(f"/topics/{names}/partitions/1").json() == partitions[1]
    assert client.get(f"/topics/{names}/partitions/1/offsets").json() == {
        "beginning_offset": 0, "end_offset": 2}
    assert client.get(f"/topics/{names}/partitions/0/offsets").json() == {
        "beginning_offset": 0, "end_offset": 0}


def test_v3_clusters_and_brokers(client: httpx.Client, proxy_url: str) -> None:
    base = f"{proxy_url}/v3/clusters/tote"
    clusters = client.get("/v3/clusters")
    assert clusters.headers["content-type"] == "application/json"
    cluster = {
        "kind": "KafkaCluster",
        "metadata": {"self": base, "resource_name": "crn:///kafka=tote"},
        "cluster_id": "tote",
        "controller": {"related": f"{base}/brokers/1"},
        "acls": {"related": f"{base}/acls"},
        "brokers": {"related": f"{base}/brokers"},
        "broker_configs": {"related": f"{base}/broker-configs"},
        "consumer_groups": {"related": f"{base}/consumer-groups"},
        "topics": {"related": f"{base}/topics"},
        "partition_reassignments": {"related": f"{base}/topics/-/partitions/-/reassignment"},
    }
    assert clusters.json() == {"kind": "KafkaClusterList",
                               "metadata": {"self": f"{proxy_url}/v3/clusters", "next": None},
                               "data": [cluster]}
    assert client.get("/v3/clusters/tote").json() == cluster
    brokers = client.get("/v3/clusters/tote/brokers").json()
    assert [(b["kind"], b["broker_id"], b["cluster_id"]) for b in brokers["data"]] == [
        ("KafkaBroker", 1, "tote")]
    assert error(client.get("/v3/clusters/other")) == (404, 404, "HTTP 404 Not Found")
    assert error(client.get("/v3/clusters/other/topics")) == (
        404, 404, "Cluster other cannot be found.")


def test_v3_topic_create_get_list_configs_delete(client: httpx.Client, proxy_url: str,
                                                  log: Log, names: str) -> None:
    base = f"{proxy_url}/v3/clusters/tote"
    created = client.post("/v3/clusters/tote/topics", json={
        "topic_name": names, "partitions_count": 3, "replication_factor": 1,
        "configs": [{"name": "cleanup.policy", "value": "compact"}]})
    url = f"{base}/topics/{names}"
    topic = {
        "kind": "KafkaTopic",
        "metadata": {"self": url, "resource_name": f"crn:///kafka=tote/topic={names}"},
        "cluster_id": "tote", "topic_name": names, "is_internal": False,
        "replication_factor": 1, "partitions_count": 3,
        "partitions": {"related": f"{url}/partitions"},
        "configs": {"related": f"{url}/configs"},
        "partition_reassignments": {"related": f"{url}/partitions/-/reassignment"},
        "authorized_operations": [],
    }
    assert (created.status_code, created.json()) == (201, topic)
    assert log.describe_topic(names).spec.partitions == 3
    assert client.get(f"/v3/clusters/tote/topics/{names}").json() == topic
    listing = client.get("/v3/clusters/tote/topics").json()
    assert listing["kind"] == "KafkaTopicList"
    assert topic in listing["data"]
    partitions = client.get(f"/v3/clusters/tote/topics/{names}/partitions").json()
    assert [(p["kind"], p["partition_id"]) for p in partitions["data"]] == [
        ("KafkaPartition", 0), ("KafkaPartition", 1), ("KafkaPartition", 2)]
    configs = client.get(f"/v3/clusters/tote/topics/{names}/configs").json()["data"]
    policy = next(c for c in configs if c["name"] == "cleanup.policy")
    assert (policy["value"], policy["is_default"], policy["source"]) == (
        "compact", False, "DYNAMIC_TOPIC_CONFIG")
    again = client.post("/v3/clusters/tote/topics", json={"topic_name": names})
    assert error(again) == (400, 40002, f"Topic '{names}' already exists.")
    assert client.delete(f"/v3/clusters/tote/topics/{names}").status_code == 204
    assert names not in log.list_topics()
    # kafka-rest answers Kafka's UnknownTopicOrPartitionException: 404 / 40403.
    assert error(client.get(f"/v3/clusters/tote/topics/{names}")) == (
        404, 40403, "This server does not host this topic-partition.")
    assert error(client.delete(f"/v3/clusters/tote/topics/{names}"))[:2] == (404, 40403)
    bad = client.post("/v3/clusters/tote/topics", json={"topic_name": "bad name!"})
    assert error(bad)[:2] == (400, 40002)


def test_v3_produce_records(client: httpx.Client, log: Log, registry_url: str,
                            names: str) -> None:
    create_topic(client, names, partitions=2)
    schema_id = register(registry_url, f"{names}-value", '"long"')
    body = {"partition_id": 1,
            "headers": [{"name": "source", "value": base64.b64encode(b"web").decode()}],
            "key": {"type": "STRING", "data": "race-0"},
            "value": {"schema_id": schema_id, "data": 42},
            "timestamp": "2024-05-01T12:00:00Z"}
    response = client.post(f"/v3/clusters/tote/topics/{names}/records", json=body)
    assert response.status_code == 200
    assert response.json() == {
        "error_code": 200, "cluster_id": "tote", "topic_name": names, "partition_id": 1,
        "offset": 0, "timestamp": "2024-05-01T12:00:00.000Z",
        "key": {"type": "STRING", "size": 6, "subject": None, "schema_id": None,
                "schema_version": None},
        "value": {"type": "AVRO", "size": 6, "subject": f"{names}-value",
                  "schema_id": schema_id, "schema_version": 1},
    }
    (record,) = log.read(TopicPartition(names, 1), 0)
    assert (record.key, record.value[5:], record.headers, record.timestamp) == (
        b"race-0", b"\x54", (("source", b"web"),), 1714564800000)
    # Several records in one request: one delivery report each, in order; a bad one fails
    # alone.
    stream = b"".join(json.dumps(r).encode() for r in [
        {"value": {"type": "JSON", "data": {"n": 1}}},
        {"value": {"type": "BINARY", "data": "%%%"}},
        {"partition_id": 0, "value": {"type": "BINARY", "data": base64.b64encode(b"x").decode()}},
    ])
    response = client.post(f"/v3/clusters/tote/topics/{names}/records", content=stream,
                           headers={"Content-Type": "application/json"})
    reports = [json.loads(line) for line in response.text.split("\r\n")]
    assert [r["error_code"] for r in reports] == [200, 400, 200]
    assert reports[1]["message"] == 'Bad Request: data="%%%" is not a valid base64 string.'
    assert (reports[2]["partition_id"], reports[2]["value"]) == (0, {
        "type": "BINARY", "size": 1, "subject": None, "schema_id": None,
        "schema_version": None})
    missing = client.post("/v3/clusters/tote/topics/nope/records",
                          json={"value": {"type": "JSON", "data": 1}})
    assert missing.json() == {"error_code": 40401, "message": "Topic 'nope' not found."}


def test_v3_records_without_a_type_use_the_latest_value_schema(client: httpx.Client, log: Log,
                                                               registry_url: str,
                                                               names: str) -> None:
    create_topic(client, names)
    schema_id = register(registry_url, f"{names}-value", '"string"')
    response = client.post(f"/v3/clusters/tote/topics/{names}/records",
                           json={"value": {"data": "hello"}})
    assert response.json()["value"] == {"type": "AVRO", "size": 11, "subject": f"{names}-value",
                                        "schema_id": schema_id, "schema_version": 1}
    (record,) = log.read(TopicPartition(names, 0), 0)
    assert record.value == b"\x00" + schema_id.to_bytes(4, "big") + b"\x0ahello"
    binary = post(client, f"/topics/{names}", {"records": [{"value": "AA=="}]}, BINARY)
    assert binary.status_code == 200
