"""The proxy as a library over MemoryLog: idle expiry on a manual clock, both schema sources,
media-type rules; and the HTTP app with a registry reached by URL."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.proxy.helpers import AVRO, BET_SCHEMA, V2, new_consumer, post, read_until, registry_get

from tote.core.clock import ManualClock
from tote.core.records import TopicPartition
from tote.http.common import ServerThread
from tote.http.proxy_api import create_app
from tote.http.registry_api import create_registry_app
from tote.log.memory import MemoryLog
from tote.proxy import bodies
from tote.proxy.errors import ConsumerInstanceNotFound, UnsupportedMediaType
from tote.proxy.formats import EmbeddedFormat, accepted_format, produce_format
from tote.proxy.instance import ConsumerSettings
from tote.proxy.service import RestProxy
from tote.registry import Registry
from tote.registry.source import (
    HttpSchemaSource,
    RegistryRejected,
    RegistrySchemaSource,
    SchemaSource,
    StoredSchema,
    SubjectVersion,
)


@pytest.fixture
def memory_log() -> Iterator[MemoryLog]:
    log = MemoryLog()
    yield log
    log.close()


def test_idle_instances_expire_on_the_clock(memory_log: MemoryLog) -> None:
    memory_log.create_topic("bets", 2)
    clock = ManualClock()
    proxy = RestProxy(memory_log, consumer_settings=ConsumerSettings(instance_timeout_ms=1000),
                      clock=clock)
    consumers = proxy.consumers
    consumers.create("g", bodies.ConsumerConfig(name="idle"))
    consumers.create("g", bodies.ConsumerConfig(name="busy"))
    consumers.subscribe("g", "idle", bodies.Subscription(("bets",), None))
    assert consumers.read("g", "idle", None, timeout_ms=1) == []
    clock.advance(600)
    consumers.get("g", "busy")  # any use resets the idle timer
    clock.advance(600)
    assert consumers.expire_idle() == [("g", "idle")]
    assert consumers.instances() == [("g", "busy")]
    with pytest.raises(ConsumerInstanceNotFound):
        consumers.get("g", "idle")
    # The expired instance left its group: a new member owns every partition at once.
    with memory_log.consumer("g", ["bets"]) as member:
        member.poll(0)
        assert member.assignment() == {TopicPartition("bets", 0), TopicPartition("bets", 1)}
    clock.advance(1000)
    assert consumers.expire_idle() == [("g", "busy")]
    proxy.close()


@pytest.mark.parametrize("content_type,expected", [
    ("application/vnd.kafka.avro.v2+json", EmbeddedFormat.AVRO),
    ("application/vnd.kafka.binary.v2+json; charset=UTF-8", EmbeddedFormat.BINARY),
    ("Application/Vnd.Kafka.Json.V2+Json", EmbeddedFormat.JSON),
    ("application/vnd.kafka.jsonschema.v2+json", EmbeddedFormat.JSONSCHEMA),
    ("application/vnd.kafka.v2+json", EmbeddedFormat.BINARY),
    ("application/json", EmbeddedFormat.BINARY),
    (None, EmbeddedFormat.BINARY),
])
def test_produce_formats_from_content_type(content_type: str | None,
                                           expected: EmbeddedFormat) -> None:
    assert produce_format(content_type) is expected


def test_unsupported_content_types_and_accept_headers() -> None:
    for bad in ("text/plain", "application/vnd.kafka.string.v2+json", "multipart/form-data"):
        with pytest.raises(UnsupportedMediaType):
            produce_format(bad)
    assert accepted_format("application/vnd.kafka.avro.v2+json, */*") is EmbeddedFormat.AVRO
    assert accepted_format("*/*") is None
    assert accepted_format("application/vnd.kafka.v2+json") is None
    assert accepted_format(None) is None


@pytest.fixture
def registry_server(memory_log: MemoryLog) -> Iterator[str]:
    with ServerThread(create_registry_app(Registry(memory_log))) as server:
        yield server.url


def _exercise(source: SchemaSource) -> None:
    schema_id = source.register("bets-value", "AVRO", BET_SCHEMA)
    stored = source.by_id(schema_id)
    assert isinstance(stored, StoredSchema)
    assert (stored.schema_id, stored.schema_type) == (schema_id, "AVRO")
    found = source.lookup("bets-value", "AVRO", stored.schema)
    assert found == SubjectVersion("bets-value", 1, schema_id, "AVRO", stored.schema)
    assert source.latest("bets-value") == found
    assert source.by_id(schema_id + 100) is None
    assert source.lookup("bets-value", "AVRO", '"string"') is None
    assert source.lookup("nobody-value", "AVRO", '"string"') is None
    assert source.latest("nobody-value") is None
    with pytest.raises(RegistryRejected) as rejected:
        source.register("bets-value", "AVRO", '"string"')
    assert rejected.value.error_code == 409
    assert rejected.value.message.endswith("; error code: 409")


def test_http_schema_source(registry_server: str) -> None:
    source = HttpSchemaSource(registry_server)
    try:
        _exercise(source)
    finally:
        source.close()


def test_registry_schema_source(memory_log: MemoryLog) -> None:
    with Registry(memory_log) as registry:
        _exercise(RegistrySchemaSource(registry))


def test_proxy_with_a_registry_reached_by_url(memory_log: MemoryLog,
                                              registry_server: str) -> None:
    memory_log.create_topic("bets")
    source = HttpSchemaSource(registry_server)
    app = create_app(RestProxy(memory_log, source))
    with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        bet = {"RUNNER_ID": {"int": 3}, "RACE_ID": {"int": 1}, "AMOUNT": {"double": 2.5}}
        answer = post(client, "/topics/bets", {"value_schema": BET_SCHEMA,
                                               "records": [{"value": bet}]}, AVRO)
        assert answer.json()["value_schema_id"] == 1
        assert registry_get(registry_server, "/subjects/bets-value/versions") == [1]
        base = new_consumer(client, "g", "c", "avro", **{"fetch.min.bytes": 1})
        assert post(client, f"{base}/subscription", {"topics": ["bets"]}, V2).status_code == 204
        assert [r["value"] for r in read_until(client, base, AVRO, 1)] == [bet]
    source.close()
