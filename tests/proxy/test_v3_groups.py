"""REST Proxy v3 consumer groups, consumers, assignments and lags over HTTP, with a real
group: a v2 consumer instance of `tote serve rest-proxy` (sqlite) that reads and commits."""

from __future__ import annotations

from typing import Any

import httpx
from tests.proxy.helpers import BINARY, V2, create_topic, error, new_consumer, post, read_until

FAST = {"fetch.min.bytes": 1, "consumer.request.timeout.ms": 500,
        "auto.commit.enable": "false"}


def produce(client: httpx.Client, topic: str, partition: int, count: int) -> None:
    records = {"records": [{"value": "dg=="} for _ in range(count)]}
    response = post(client, f"/topics/{topic}/partitions/{partition}", records, BINARY)
    assert response.status_code == 200, response.text


def subscribe(client: httpx.Client, base_uri: str, topic: str) -> None:
    response = post(client, f"{base_uri}/subscription", {"topics": [topic]})
    assert response.status_code == 204, response.text


def commit(client: httpx.Client, base_uri: str, topic: str, last: dict[int, int]) -> None:
    """Commit `last[p]` as the last offset consumed of each partition (next is last + 1)."""
    offsets = [{"topic": topic, "partition": p, "offset": o} for p, o in last.items()]
    response = post(client, f"{base_uri}/offsets", {"offsets": offsets})
    assert response.status_code == 200, response.text


def ok(client: httpx.Client, path: str) -> Any:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def test_a_consumer_groups_members_assignments_and_lags(
    client: httpx.Client, proxy_url: str, names: str
) -> None:
    topic, group = names, f"{names}_g"
    create_topic(client, topic, partitions=2)
    produce(client, topic, 0, 5)
    produce(client, topic, 1, 3)
    consumer = new_consumer(client, group, "c1", **FAST)
    subscribe(client, consumer, topic)
    read_until(client, consumer, BINARY, 8)
    commit(client, consumer, topic, {0: 1, 1: 2})  # committed 2 of 5, and 3 of 3

    base = f"{proxy_url}/v3/clusters/tote"
    group_url = f"{base}/consumer-groups/{group}"
    (member,) = ok(client, f"/v3/clusters/tote/consumer-groups/{group}/consumers")["data"]
    member_id = member["consumer_id"]
    assert member_id.startswith("c1-")
    member_url = f"{group_url}/consumers/{member_id}"

    expected_group = {
        "kind": "KafkaConsumerGroup",
        "metadata": {"self": group_url,
                     "resource_name": f"crn:///kafka=tote/consumer-group={group}"},
        "cluster_id": "tote",
        "consumer_group_id": group,
        "is_simple": False,
        "partition_assignor": "range",
        "state": "STABLE",
        "type": "CLASSIC",
        "is_mixed_consumer_group": False,
        "coordinator": {"related": f"{base}/brokers/1"},
        "consumers": {"related": f"{group_url}/consumers"},
        "lag_summary": {"related": f"{group_url}/lag-summary"},
    }
    assert ok(client, f"/v3/clusters/tote/consumer-groups/{group}") == expected_group
    groups = ok(client, "/v3/clusters/tote/consumer-groups")
    assert groups["kind"] == "KafkaConsumerGroupList"
    assert groups["metadata"] == {"self": f"{base}/consumer-groups", "next": None}
    assert expected_group in groups["data"]

    expected_member = {
        "kind": "KafkaConsumer",
        "metadata": {"self": member_url, "resource_name":
                     f"crn:///kafka=tote/consumer-group={group}/consumer={member_id}"},
        "cluster_id": "tote",
        "consumer_group_id": group,
        "consumer_id": member_id,
        "instance_id": None,
        "client_id": member_id,
        "assignments": {"related": f"{member_url}/assignments"},
    }
    assert member == expected_member
    assert ok(client, f"/v3/clusters/tote/consumer-groups/{group}/consumers/{member_id}") == (
        expected_member)

    def assignment(partition: int) -> dict[str, Any]:
        return {
            "kind": "KafkaConsumerAssignment",
            "metadata": {
                "self": f"{member_url}/assignments/{topic}/partitions/{partition}",
                "resource_name": f"crn:///kafka=tote/consumer-group={group}/consumer={member_id}"
                                 f"/assignment={topic}/partition={partition}",
            },
            "cluster_id": "tote",
            "consumer_group_id": group,
            "consumer_id": member_id,
            "topic_name": topic,
            "partition_id": partition,
            "partition": {"related": f"{base}/topics/{topic}/partitions/{partition}"},
            "lag": {"related": f"{group_url}/lags/{topic}/partitions/{partition}"},
        }

    member_path = f"/v3/clusters/tote/consumer-groups/{group}/consumers/{member_id}"
    assert ok(client, f"{member_path}/assignments") == {
        "kind": "KafkaConsumerAssignmentList",
        "metadata": {"self": f"{member_url}/assignments", "next": None},
        "data": [assignment(0), assignment(1)],
    }
    assert ok(client, f"{member_path}/assignments/{topic}/partitions/1") == assignment(1)

    def lag(partition: int, current: int, end: int, owner: str = member_id) -> dict[str, Any]:
        return {
            "kind": "KafkaConsumerLag",
            "metadata": {
                "self": f"{group_url}/lags/{topic}/partitions/{partition}",
                "resource_name": f"crn:///kafka=tote/consumer-group={group}/lag={topic}"
                                 f"/partition={partition}",
            },
            "cluster_id": "tote",
            "consumer_group_id": group,
            "topic_name": topic,
            "partition_id": partition,
            "consumer_id": owner,
            "instance_id": None,
            "client_id": owner,
            "current_offset": current,
            "log_end_offset": end,
            "lag": end - current,
        }

    lags_path = f"/v3/clusters/tote/consumer-groups/{group}/lags"
    assert ok(client, lags_path) == {
        "kind": "KafkaConsumerLagList",
        "metadata": {"self": f"{group_url}/lags", "next": None},
        "data": [lag(0, 2, 5), lag(1, 3, 3)],  # greatest lag first
    }
    assert ok(client, f"{lags_path}/{topic}/partitions/1") == lag(1, 3, 3)
    assert ok(client, f"/v3/clusters/tote/consumer-groups/{group}/lag-summary") == {
        "kind": "KafkaConsumerGroupLagSummary",
        "metadata": {"self": f"{group_url}/lag-summary",
                     "resource_name": f"crn:///kafka=tote/consumer-group={group}/lag-summary"},
        "cluster_id": "tote",
        "consumer_group_id": group,
        "max_lag": 3,
        "total_lag": 3,
        "max_lag_consumer_id": member_id,
        "max_lag_consumer": {"related": member_url},
        "max_lag_client_id": member_id,
        "max_lag_instance_id": None,
        "max_lag_topic_name": topic,
        "max_lag_partition_id": 0,
        "max_lag_partition": {"related": f"{base}/topics/{topic}/partitions/0"},
    }

    # New records raise the lag; the greatest lag moves to partition 1.
    produce(client, topic, 1, 4)
    assert [(d["partition_id"], d["lag"]) for d in ok(client, lags_path)["data"]] == [
        (1, 4), (0, 3)]
    summary = ok(client, f"/v3/clusters/tote/consumer-groups/{group}/lag-summary")
    assert (summary["max_lag"], summary["total_lag"], summary["max_lag_partition_id"]) == (
        4, 7, 1)

    # Once the instance is deleted the group keeps its offsets but has no consumers.
    assert client.delete(consumer, headers={"Content-Type": V2}).status_code == 204
    emptied = ok(client, f"/v3/clusters/tote/consumer-groups/{group}")
    assert (emptied["state"], emptied["partition_assignor"]) == ("EMPTY", "")
    assert ok(client, f"/v3/clusters/tote/consumer-groups/{group}/consumers")["data"] == []
    assert ok(client, lags_path)["data"] == [lag(1, 3, 7, owner=""), lag(0, 2, 5, owner="")]


def test_consumer_group_lookups_that_find_nothing(client: httpx.Client, names: str) -> None:
    topic, group = names, f"{names}_g"
    create_topic(client, topic)
    produce(client, topic, 0, 2)
    consumer = new_consumer(client, group, "c1", **FAST)
    subscribe(client, consumer, topic)
    read_until(client, consumer, BINARY, 2)  # a live member, nothing committed
    groups = "/v3/clusters/tote/consumer-groups"
    (member,) = ok(client, f"{groups}/{group}/consumers")["data"]
    member_path = f"{groups}/{group}/consumers/{member['consumer_id']}"

    assert error(client.get(f"{groups}/{group}/lags")) == (
        404, 404, "Consumer group offsets could not be found.")
    assert error(client.get(f"{groups}/{group}/lag-summary")) == (
        404, 404, "Consumer group offsets could not be found.")
    assert error(client.get(f"{member_path}/assignments/{topic}/partitions/7")) == (
        404, 404, "HTTP 404 Not Found")
    assert error(client.get(f"{groups}/{group}/consumers/nobody")) == (
        404, 404, "HTTP 404 Not Found")
    assert error(client.get(f"{groups}/{group}/consumers/nobody/assignments")) == (
        404, 404, "Consumer nobody does not exist.")
    commit(client, consumer, topic, {0: 0})
    assert error(client.get(f"{groups}/{group}/lags/{topic}/partitions/3")) == (
        404, 404, "HTTP 404 Not Found")

    missing = f"{names}_nope"
    assert error(client.get(f"{groups}/{missing}")) == (404, 404, "HTTP 404 Not Found")
    assert error(client.get(f"{groups}/{missing}/consumers")) == (
        404, 404, f"Consumer Group {missing} does not exist.")
    assert error(client.get(f"{groups}/{missing}/consumers/x")) == (
        404, 404, f"Consumer Group {missing} does not exist.")
    for path in ("lags", "lag-summary", f"lags/{topic}/partitions/0"):
        assert error(client.get(f"{groups}/{missing}/{path}")) == (
            404, 404, f"Consumer Group {missing} could not be found.")
    assert error(client.get(f"/v3/clusters/other/consumer-groups/{group}")) == (
        404, 404, "Cluster other could not be found.")
    assert client.delete(consumer, headers={"Content-Type": V2}).status_code == 204
