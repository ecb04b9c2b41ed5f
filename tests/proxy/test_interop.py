"""Other clients on the same log: records written by confluent-kafka's `AvroSerializer` read
through a proxy consumer, and records produced through the proxy read by `tote topic
consume` (a separate process)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from tests.proxy.helpers import AVRO, BET_SCHEMA, JSON, create_topic, new_consumer, post, read_until
from tests.proxy.process import TOTE, ProxyProcess, clean_env

from tote.core.records import Record
from tote.log.base import Log

FAST = {"fetch.min.bytes": 1, "consumer.request.timeout.ms": 500}


def test_avro_serializer_records_read_through_a_proxy_consumer(
        client: httpx.Client, log: Log, registry_url: str, names: str) -> None:
    create_topic(client, names)
    registry = SchemaRegistryClient({"url": registry_url})
    serialize_value = AvroSerializer(registry, BET_SCHEMA)
    serialize_key = AvroSerializer(registry, '"string"')
    bets = [{"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0},
            {"RUNNER_ID": 2, "RACE_ID": 0, "AMOUNT": None}]
    values = SerializationContext(names, MessageField.VALUE)
    keys = SerializationContext(names, MessageField.KEY)
    log.append(names, [Record(serialize_value(b, values), key=serialize_key(f"bet-{i}", keys))
                       for i, b in enumerate(bets)])
    log.append(names, [Record(serialize_value(bets[0], values))])

    base = new_consumer(client, f"{names}_g", "c", "avro", **FAST)
    assert post(client, f"{base}/subscription", {"topics": [names]}).status_code == 204
    records = read_until(client, base, AVRO, 3)
    assert [(r["key"], r["value"]) for r in records] == [
        ("bet-0", {"RUNNER_ID": {"int": 1}, "RACE_ID": {"int": 0}, "AMOUNT": {"double": 25.0}}),
        ("bet-1", {"RUNNER_ID": {"int": 2}, "RACE_ID": {"int": 0}, "AMOUNT": None}),
        (None, {"RUNNER_ID": {"int": 1}, "RACE_ID": {"int": 0}, "AMOUNT": {"double": 25.0}}),
    ]


def test_proxy_records_read_by_tote_topic_consume(client: httpx.Client, proxy: ProxyProcess,
                                                  names: str) -> None:
    create_topic(client, names)
    body = {"records": [{"key": "race-0", "value": {"RUNNER_ID": 1, "AMOUNT": 25.0}},
                        {"value": {"RUNNER_ID": 2, "AMOUNT": 50.0}}]}
    assert post(client, f"/topics/{names}", body, JSON).status_code == 200
    out = subprocess.run(
        [str(TOTE), "topic", "consume", names, "--from-beginning", "--print-key",
         "--home", str(proxy.home), "--backend", "sqlite"],
        capture_output=True, text=True, timeout=120, env=clean_env(Path(proxy.home)), check=True,
    )
    assert out.stdout == (
        '"race-0"\t{"RUNNER_ID":1,"AMOUNT":25.0}\n'
        'null\t{"RUNNER_ID":2,"AMOUNT":50.0}\n'
    )
