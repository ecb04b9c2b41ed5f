"""REST Proxy v3 topic configs on the Kafka backend (the Tansu broker) are the broker's own
DescribeConfigs answer, entry for entry, not tote's table of Kafka defaults."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from confluent_kafka.admin import AdminClient, ConfigResource, ConfigSource
from tests.proxy.helpers import create_topic
from tests.proxy.process import kafka_proxy_client

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def kafka_client(kafka_bootstrap: str,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    with kafka_proxy_client(tmp_path_factory.mktemp("kafka_configs") / "home",
                            kafka_bootstrap) as client:
        yield client


def broker_described(bootstrap: str, topic: str) -> list[tuple[str, str | None, bool, str]]:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource("topic", topic)
    entries = admin.describe_configs([resource])[resource].result(timeout=60)
    return sorted((e.name, e.value, e.is_default, ConfigSource(e.source).name)
                  for e in entries.values())


def test_topic_configs_are_what_the_broker_describes(kafka_client: httpx.Client,
                                                     kafka_bootstrap: str) -> None:
    topic = f"cfg_{uuid.uuid4().hex[:8]}"
    create_topic(kafka_client, topic, configs={"cleanup.policy": "compact"})
    cluster = kafka_client.get("/v3/clusters").json()["data"][0]["cluster_id"]
    response = kafka_client.get(f"/v3/clusters/{cluster}/topics/{topic}/configs")
    assert response.status_code == 200, response.text
    listed = [(c["name"], c["value"], c["is_default"], c["source"])
              for c in response.json()["data"]]
    assert listed == broker_described(kafka_bootstrap, topic)


def test_v2_topic_configs_are_what_the_broker_describes(kafka_client: httpx.Client,
                                                        kafka_bootstrap: str) -> None:
    """v2 `GET /topics/{t}` shows the same configs, name -> value (kafka-rest's
    GetTopicResponse), not a fixed handful of tote's."""
    topic = f"cfg_{uuid.uuid4().hex[:8]}"
    create_topic(kafka_client, topic, configs={"cleanup.policy": "compact"})
    response = kafka_client.get(f"/topics/{topic}")
    assert response.status_code == 200, response.text
    described = broker_described(kafka_bootstrap, topic)
    assert response.json()["configs"] == {name: value for name, value, _, _ in described}
    assert response.json()["configs"]["cleanup.policy"] == "compact"
