"""The seed, verbatim: `make play` posts the payload files with curl to a fresh stack whose
`tote_win_bets-value` subject holds the ksqlDB bet schema as id 1; confluent-kafka's
`AvroDeserializer` must decode every record to exactly the posted values."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from tests.proxy.helpers import BET_SCHEMA, SEED, SEED_PAYLOADS, create_topic, register
from tests.proxy.process import ProxyProcess, start_proxy

from tote.core.config import Config
from tote.core.records import TopicPartition
from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.log.base import Log
from tote.log.open import open_log
from tote.registry import Registry

TOPIC = "tote_win_bets"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ProxyProcess, Log, str]]:
    """A new stack: proxy, its log, and a registry whose first schema is the bet schema."""
    running = start_proxy(tmp_path_factory.mktemp("seed") / "home")
    log = open_log(Config(home=running.home, backend="sqlite"))
    try:
        with ServerThread(create_registry_app(Registry(log))) as registry:
            assert register(registry.url, f"{TOPIC}-value", BET_SCHEMA) == 1
            with httpx.Client(base_url=running.url) as client:
                create_topic(client, TOPIC)
            yield running, log, registry.url
    finally:
        log.close()
        running.stop()


def unwrap(avro_json: dict[str, Any]) -> dict[str, Any]:
    """Avro-JSON record with `["null", T]` fields -> the plain values a deserializer returns."""
    return {k: None if v is None else next(iter(v.values())) for k, v in avro_json.items()}


def curl_post(url: str, payload: str) -> dict[str, Any]:
    """What the seed's post_bets.sh does."""
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    out = subprocess.run(
        [curl, "-s", "-X", "POST", f"{url}/topics/{TOPIC}",
         "-H", "Content-Type: application/vnd.kafka.avro.v2+json",
         "-H", "Accept: application/vnd.kafka.v2+json",
         "--data", f"@{SEED / payload}"],
        check=True, capture_output=True, timeout=60,
    )
    answer: dict[str, Any] = json.loads(out.stdout)
    return answer


def test_seed_payloads_decode_with_confluent_kafka(fresh: tuple[ProxyProcess, Log, str]) -> None:
    running, log, registry_url = fresh
    posted: list[dict[str, Any]] = []
    next_offset = 0
    for payload in SEED_PAYLOADS:
        records = json.loads((SEED / payload).read_text())["records"]
        answer = curl_post(running.url, payload)
        assert answer == {
            "key_schema_id": None, "value_schema_id": 1,
            "offsets": [{"partition": 0, "offset": next_offset + i, "error_code": None,
                         "error": None} for i in range(len(records))],
        }
        next_offset += len(records)
        posted.extend(r["value"] for r in records)
    assert len(posted) == 2 + 7 + 2

    deserialize = AvroDeserializer(SchemaRegistryClient({"url": registry_url}))
    context = SerializationContext(TOPIC, MessageField.VALUE)
    stored = log.read(TopicPartition(TOPIC, 0), 0)
    assert [r.key for r in stored] == [None] * len(posted)
    decoded = [deserialize(r.value, context) for r in stored]
    assert decoded == [unwrap(v) for v in posted]
    assert [d["AMOUNT"] for d in decoded] == [
        25.0, 50.0, 50.0, 5.0, 10.0, 20.0, -20.0, 0.0, 0.0, 0.0, 0.0]
