"""The proxy on the Kafka backend (the Tansu broker): seed bets produced through the proxy
read by a plain confluent-kafka consumer with `AvroDeserializer`, and records from a plain
confluent-kafka producer with `AvroSerializer` read through a proxy consumer."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_kafka import Consumer, Producer
from confluent_kafka import TopicPartition as KafkaTopicPartition
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from tests.proxy.helpers import (
    AVRO,
    BET_SCHEMA,
    SEED,
    SEED_PAYLOADS,
    create_topic,
    new_consumer,
    post,
    read_until,
    register,
)
from tests.proxy.process import ProxyProcess, start_proxy

from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.log.kafka import KafkaLog
from tote.registry import Registry

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="module")
def kafka_proxy(kafka_bootstrap: str,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ProxyProcess, str]]:
    """The proxy on Kafka, and a registry API (same `_schemas` topic) for confluent-kafka."""
    home: Path = tmp_path_factory.mktemp("kafka") / "home"
    running = start_proxy(home, "--bootstrap-servers", kafka_bootstrap, backend="kafka")
    log = KafkaLog(kafka_bootstrap)
    try:
        with ServerThread(create_registry_app(Registry(log))) as registry:
            yield running, registry.url
    finally:
        running.stop()
        log.close()


def unwrap(avro_json: dict[str, Any]) -> dict[str, Any]:
    return {k: None if v is None else next(iter(v.values())) for k, v in avro_json.items()}


def test_seed_bets_through_the_proxy_read_by_a_kafka_consumer(
        kafka_proxy: tuple[ProxyProcess, str], kafka_bootstrap: str) -> None:
    running, registry_url = kafka_proxy
    topic = f"bets_{uuid.uuid4().hex[:8]}"
    with httpx.Client(base_url=running.url, timeout=120) as client:
        create_topic(client, topic)
        schema_id = register(registry_url, f"{topic}-value", BET_SCHEMA)
        posted = []
        for payload in SEED_PAYLOADS:
            body = json.loads((SEED / payload).read_text())
            body["value_schema_id"] = schema_id  # the shared broker's registry is not fresh
            answer = post(client, f"/topics/{topic}", body, AVRO)
            assert answer.status_code == 200, answer.text
            assert answer.json()["value_schema_id"] == schema_id
            posted.extend(r["value"] for r in body["records"])

    consumer = Consumer({"bootstrap.servers": kafka_bootstrap, "group.id": f"g_{topic}",
                         "enable.auto.commit": False})
    consumer.assign([KafkaTopicPartition(topic, 0, 0)])
    deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    decoded = []
    deadline = time.monotonic() + 120
    try:
        while len(decoded) < len(posted):
            assert time.monotonic() < deadline, decoded
            message = consumer.poll(1.0)
            if message is None:
                continue
            assert message.error() is None, message.error()
            decoded.append(deserialize(message.value(),
                                       SerializationContext(topic, MessageField.VALUE)))
    finally:
        consumer.close()
    assert decoded == [unwrap(v) for v in posted]


def test_avro_serializer_records_read_through_a_proxy_consumer_on_kafka(
        kafka_proxy: tuple[ProxyProcess, str], kafka_bootstrap: str) -> None:
    running, registry_url = kafka_proxy
    topic = f"bets_{uuid.uuid4().hex[:8]}"
    bets = [{"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0},
            {"RUNNER_ID": 2, "RACE_ID": 0, "AMOUNT": None}]
    with httpx.Client(base_url=running.url, timeout=120) as client:
        create_topic(client, topic)
        serialize = AvroSerializer(SchemaRegistryClient({"url": registry_url}), BET_SCHEMA)
        producer = Producer({"bootstrap.servers": kafka_bootstrap})
        for bet in bets:
            producer.produce(topic, serialize(bet, SerializationContext(topic,
                                                                        MessageField.VALUE)))
        assert producer.flush(60) == 0
        base = new_consumer(client, f"g_{topic}", "c", "avro", **{"fetch.min.bytes": 1})
        assert post(client, f"{base}/subscription", {"topics": [topic]}).status_code == 204
        records = read_until(client, base, AVRO, 2, timeout=120)
    assert [r["value"] for r in records] == [
        {"RUNNER_ID": {"int": 1}, "RACE_ID": {"int": 0}, "AMOUNT": {"double": 25.0}},
        {"RUNNER_ID": {"int": 2}, "RACE_ID": {"int": 0}, "AMOUNT": None},
    ]
