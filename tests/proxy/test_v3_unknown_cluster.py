"""An unknown cluster id under `/v3/clusters/{c}` answers 404 / 404 worded as kafka-rest's
manager for that resource words it, against `tote serve rest-proxy` (sqlite): "cannot be
found" (topics, configs, brokers, ACLs), "could not be found" (consumer groups), a bare
"HTTP 404 Not Found" (the cluster itself, a partition and its replicas); v3 produce never
checks the id."""

from __future__ import annotations

import httpx
from tests.proxy.helpers import create_topic, error

CANNOT = (404, 404, "Cluster other cannot be found.")
COULD_NOT = (404, 404, "Cluster other could not be found.")
BARE = (404, 404, "HTTP 404 Not Found")
OTHER = "/v3/clusters/other"


def test_each_resource_words_an_unknown_cluster_as_kafka_rest_does(
    client: httpx.Client, names: str
) -> None:
    create_topic(client, names)
    topic = f"{OTHER}/topics/{names}"
    expected = {
        ("GET", OTHER): BARE,
        ("GET", f"{OTHER}/topics"): CANNOT,
        ("GET", topic): CANNOT,
        ("DELETE", topic): CANNOT,
        ("GET", f"{topic}/partitions"): CANNOT,
        ("GET", f"{topic}/partitions/0"): BARE,
        ("GET", f"{topic}/partitions/0/replicas"): BARE,
        ("GET", f"{topic}/partitions/0/replicas/1"): BARE,
        ("GET", f"{topic}/configs"): CANNOT,
        ("GET", f"{topic}/configs/cleanup.policy"): CANNOT,
        ("DELETE", f"{topic}/configs/cleanup.policy"): CANNOT,
        ("GET", f"{OTHER}/topics/-/configs"): CANNOT,
        ("GET", f"{OTHER}/brokers"): CANNOT,
        ("GET", f"{OTHER}/brokers/1"): CANNOT,
        ("GET", f"{OTHER}/brokers/1/configs"): CANNOT,
        ("GET", f"{OTHER}/brokers/-/configs"): CANNOT,
        ("GET", f"{OTHER}/brokers/1/partition-replicas"): CANNOT,
        ("GET", f"{OTHER}/broker-configs"): CANNOT,
        ("GET", f"{OTHER}/acls"): CANNOT,
        ("DELETE", f"{OTHER}/acls"): CANNOT,
        ("GET", f"{OTHER}/consumer-groups"): COULD_NOT,
        ("GET", f"{OTHER}/consumer-groups/g"): COULD_NOT,
        ("GET", f"{OTHER}/consumer-groups/g/consumers"): COULD_NOT,
        ("GET", f"{OTHER}/consumer-groups/g/consumers/c"): COULD_NOT,
        ("GET", f"{OTHER}/consumer-groups/g/consumers/c/assignments"): COULD_NOT,
        ("GET", f"{OTHER}/consumer-groups/g/lags"): COULD_NOT,
        ("GET", f"{OTHER}/consumer-groups/g/lags/{names}/partitions/0"): COULD_NOT,
        ("GET", f"{OTHER}/consumer-groups/g/lag-summary"): COULD_NOT,
    }
    answers = {(method, path): error(client.request(method, path))
               for method, path in expected}
    assert answers == expected


def test_v3_produce_does_not_check_the_cluster_id(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    response = client.post(f"{OTHER}/topics/{names}/records",
                           json={"value": {"type": "STRING", "data": "x"}})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["error_code"], report["cluster_id"], report["topic_name"]) == (
        200, "other", names)
