"""REST Proxy v3 brokers, broker configs, partitions and replicas, and ACLs over HTTP
against `tote serve rest-proxy` (sqlite): one broker that holds every replica, and no
authorizer."""

from __future__ import annotations

from typing import Any

import httpx
from tests.proxy.helpers import create_topic, error


def ok(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_partitions_and_their_replicas(client: httpx.Client, proxy_url: str,
                                       names: str) -> None:
    create_topic(client, names, partitions=2)
    base = f"{proxy_url}/v3/clusters/tote"
    partition_url = f"{base}/topics/{names}/partitions/1"
    path = f"/v3/clusters/tote/topics/{names}/partitions"
    assert ok(client, f"{path}/1") == {
        "kind": "KafkaPartition",
        "metadata": {"self": partition_url,
                     "resource_name": f"crn:///kafka=tote/topic={names}/partition=1"},
        "cluster_id": "tote",
        "topic_name": names,
        "partition_id": 1,
        "leader": {"related": f"{partition_url}/replicas/1"},
        "replicas": {"related": f"{partition_url}/replicas"},
        "reassignment": {"related": f"{partition_url}/reassignment"},
    }

    def replica(partition: int) -> dict[str, Any]:
        url = f"{base}/topics/{names}/partitions/{partition}/replicas/1"
        return {
            "kind": "KafkaReplica",
            "metadata": {"self": url, "resource_name":
                         f"crn:///kafka=tote/topic={names}/partition={partition}/replica=1"},
            "cluster_id": "tote",
            "topic_name": names,
            "partition_id": partition,
            "broker_id": 1,
            "is_leader": True,
            "is_in_sync": True,
            "broker": {"related": f"{base}/brokers/1"},
        }

    assert ok(client, f"{path}/1/replicas") == {
        "kind": "KafkaReplicaList",
        "metadata": {"self": f"{partition_url}/replicas", "next": None},
        "data": [replica(1)],
    }
    assert ok(client, f"{path}/0/replicas/1") == replica(0)
    held = ok(client, "/v3/clusters/tote/brokers/1/partition-replicas")
    assert held["kind"] == "KafkaReplicaList"
    assert held["metadata"] == {"self": f"{base}/brokers/1/partition-replicas", "next": None}
    assert [r for r in held["data"] if r["topic_name"] == names] == [replica(0), replica(1)]

    assert error(client.get(f"{path}/5")) == (404, 404, "HTTP 404 Not Found")
    assert error(client.get(f"{path}/5/replicas")) == (
        404, 404, f"Partition 5 of topic {names} could not be found on cluster tote.")
    assert error(client.get(f"{path}/0/replicas/2")) == (404, 404, "HTTP 404 Not Found")
    assert error(client.get(f"/v3/clusters/tote/topics/{names}_nope/partitions/0/replicas"))[
        :2] == (404, 40403)


def test_a_broker_and_its_configs(client: httpx.Client, proxy_url: str) -> None:
    base = f"{proxy_url}/v3/clusters/tote"
    broker = ok(client, "/v3/clusters/tote/brokers/1")
    assert broker == ok(client, "/v3/clusters/tote/brokers")["data"][0]
    assert broker["metadata"] == {"self": f"{base}/brokers/1",
                                  "resource_name": "crn:///kafka=tote/broker=1"}

    configs = ok(client, "/v3/clusters/tote/brokers/1/configs")
    assert configs["kind"] == "KafkaBrokerConfigList"
    assert configs["metadata"] == {"self": f"{base}/brokers/1/configs", "next": None}
    by_name = {c["name"]: c for c in configs["data"]}
    assert list(by_name) == sorted(by_name)
    retention = {
        "kind": "KafkaBrokerConfig",
        "metadata": {"self": f"{base}/brokers/1/configs/log.retention.ms",
                     "resource_name": "crn:///kafka=tote/broker=1/config=log.retention.ms"},
        "cluster_id": "tote",
        "name": "log.retention.ms",
        "value": "604800000",
        "is_default": True,
        "is_read_only": False,
        "is_sensitive": False,
        "source": "DEFAULT_CONFIG",
        "synonyms": [{"name": "log.retention.ms", "value": "604800000",
                      "source": "DEFAULT_CONFIG"}],
        "broker_id": 1,
    }
    assert by_name["log.retention.ms"] == retention
    assert (by_name["num.partitions"]["value"], by_name["num.partitions"]["is_read_only"]) == (
        "1", True)
    assert by_name["log.cleanup.policy"]["value"] == "delete"
    assert ok(client, "/v3/clusters/tote/brokers/1/configs/log.retention.ms") == retention
    assert ok(client, "/v3/clusters/tote/brokers/-/configs") == {
        "kind": "KafkaBrokerConfigList",
        "metadata": {"self": f"{base}/brokers/-/configs", "next": None},
        "data": configs["data"],
    }
    assert ok(client, "/v3/clusters/tote/broker-configs") == {
        "kind": "KafkaClusterConfigList",
        "metadata": {"self": f"{base}/broker-configs", "next": None},
        "data": [],
    }

    assert error(client.get("/v3/clusters/tote/brokers/1/configs/no.such")) == (
        404, 404, "HTTP 404 Not Found")
    for path in ("", "/configs", "/partition-replicas"):
        assert error(client.get(f"/v3/clusters/tote/brokers/2{path}")) == (
            404, 404, "HTTP 404 Not Found")
    assert error(client.get("/v3/clusters/other/brokers/1/configs")) == (
        404, 404, "Cluster other cannot be found.")


def test_acls_answer_as_a_cluster_without_an_authorizer(client: httpx.Client) -> None:
    acls = "/v3/clusters/tote/acls"
    assert error(client.get(acls)) == (400, 40002, "No Authorizer is configured on the broker")
    assert error(client.get(acls, params={"resource_type": "TOPIC"})) == (
        400, 40002, "No Authorizer is configured on the broker")
    acl = {"resource_type": "TOPIC", "resource_name": "orders", "pattern_type": "LITERAL",
           "principal": "User:alice", "host": "*", "operation": "READ", "permission": "ALLOW"}
    assert error(client.post(acls, json=acl)) == (400, 40002, "No Authorizer is configured.")
    assert error(client.delete(acls, params={"resource_type": "TOPIC"})) == (
        400, 40002, "No Authorizer is configured.")
    assert error(client.get("/v3/clusters/other/acls")) == (
        404, 404, "Cluster other cannot be found.")
