"""Hostile request bodies get kafka-rest's error body, never a 500 or a traceback, and write
nothing: documents nested deeper than the parser's stack, lone UTF-16 surrogates (escaped,
or written as UTF-8 bytes), schema text that holds one or nests too deeply."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from tests.proxy.helpers import AVRO, BINARY, JSON, JSONSCHEMA, V2, create_topic, error
from tests.proxy.process import ProxyProcess

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 100_000 + b"1" + b"}" * 100_000
SURROGATE = b'"\\ud800"'  # a JSON escape of half a UTF-16 pair
RAW_SURROGATE = b'"\xed\xa0\x80"'  # the same, written as (CESU-8) bytes
V2_FORMATS = [JSON, BINARY, AVRO, JSONSCHEMA]


@pytest.fixture
def topic(client: httpx.Client, names: str) -> str:
    create_topic(client, names)
    return names


@pytest.fixture(autouse=True)
def no_traceback(proxy: ProxyProcess) -> Iterator[None]:
    """Bad input is answered, not crashed on: the proxy logs no traceback."""
    yield
    assert "Traceback" not in proxy.output.read_text(errors="replace")


def end_offset(client: httpx.Client, topic: str) -> int:
    response = client.get(f"/topics/{topic}/partitions/0/offsets")
    assert response.status_code == 200, response.text
    offset: int = response.json()["end_offset"]
    return offset


def records(value: bytes, key: bytes | None = None) -> bytes:
    key_part = b'"key":' + key + b"," if key is not None else b""
    return b'{"records":[{' + key_part + b'"value":' + value + b"}]}"


@pytest.mark.parametrize("fmt", V2_FORMATS)
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (DEEP, "nested too deeply"),
        (DEEP_OBJECT, "nested too deeply"),
        (records(DEEP), "nested too deeply"),
        (records(SURROGATE), "surrogate"),
        (records(b'"ok"', key=SURROGATE), "surrogate"),
        (records(b'{"\\udc00": 1}'), "surrogate"),
        (records(RAW_SURROGATE), "surrogate"),
    ],
    ids=["deep-array", "deep-object", "deep-value", "value", "key", "field-name", "raw-bytes"],
)
def test_v2_produce_refuses_unreadable_bodies(
    client: httpx.Client, topic: str, fmt: str, body: bytes, message: str
) -> None:
    response = client.post(f"/topics/{topic}", content=body, headers={"Content-Type": fmt})
    status, code, text = error(response)
    assert (status, code) == (400, 400)
    assert message in text
    assert end_offset(client, topic) == 0


@pytest.mark.parametrize("fmt", [AVRO, JSONSCHEMA])
@pytest.mark.parametrize(
    "schema",
    ['{"type":' * 5000 + '"int"' + "}" * 5000, "[" * 5000 + "]" * 5000,
     '{"type":"record","name":"X","doc":"\\ud800","fields":[]}'],
    ids=["deep-object", "deep-array", "escaped-surrogate"],
)
def test_v2_schema_text_that_cannot_be_parsed_is_an_invalid_schema(
    client: httpx.Client, topic: str, fmt: str, schema: str
) -> None:
    body = json.dumps({"value_schema": schema, "records": [{"value": {}}]})
    response = client.post(f"/topics/{topic}", content=body, headers={"Content-Type": fmt})
    status, code, text = error(response)
    assert (status, code) == (422, 42205)
    assert text.startswith("Invalid schema: Error when parsing raw schema.")
    assert end_offset(client, topic) == 0


GOOD_V3 = b'{"value":{"type":"JSON","data":1}}'


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        b'{"value":{"type":"JSON","data":' + DEEP + b"}}",
        b'{"value":{"type":"JSON","data":' + SURROGATE + b"}}",
        b'{"value":{"type":"STRING","data":' + RAW_SURROGATE + b"}}",
        b'{"headers":[{"name":' + SURROGATE + b',"value":"YQ=="}],'
        b'"value":{"type":"JSON","data":1}}',
        b'{"headers":[{"name":"h","value":' + SURROGATE + b'}],"value":{"type":"JSON","data":1}}',
        b'{"timestamp":' + SURROGATE + b',"value":{"type":"JSON","data":1}}',
        GOOD_V3 + DEEP,
        GOOD_V3 + b'{"value":{"type":"JSON","data":' + SURROGATE + b"}}",
    ],
    ids=["deep", "deep-data", "data", "raw-bytes", "header-name", "header-value", "timestamp",
         "good-then-deep", "good-then-surrogate"],
)
def test_v3_produce_refuses_the_whole_stream(
    client: httpx.Client, topic: str, body: bytes
) -> None:
    response = client.post(f"/v3/clusters/tote/topics/{topic}/records", content=body,
                           headers={"Content-Type": "application/json"})
    assert error(response)[:2] == (400, 400)
    assert end_offset(client, topic) == 0


def test_v3_schema_text_with_a_lone_surrogate_is_an_invalid_schema(
    client: httpx.Client, topic: str
) -> None:
    schema = '{"type":"record","name":"X","doc":"\\ud800","fields":[]}'
    body = json.dumps({"value": {"type": "AVRO", "schema": schema, "data": {}}})
    response = client.post(f"/v3/clusters/tote/topics/{topic}/records", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 200  # v3 answers each record in the stream
    assert response.json()["error_code"] == 42205
    assert end_offset(client, topic) == 0


@pytest.mark.parametrize(
    "body",
    [DEEP, b'{"topic_name":' + SURROGATE + b"}",
     b'{"topic_name":"NAME","configs":[{"name":"retention.ms","value":' + SURROGATE + b"}]}"],
    ids=["deep", "topic-name", "config-value"],
)
def test_v3_create_topic_refuses_unreadable_bodies(
    client: httpx.Client, names: str, body: bytes
) -> None:
    response = client.post("/v3/clusters/tote/topics",
                           content=body.replace(b"NAME", names.encode()),
                           headers={"Content-Type": "application/json"})
    assert error(response)[:2] == (400, 400)
    assert names not in client.get("/topics").json()


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("", DEEP),
        ("", b'{"name":' + SURROGATE + b',"format":"json"}'),
        ("", b'{"name":"c","auto.offset.reset":' + SURROGATE + b"}"),
        ("/instances/c1/subscription", DEEP),
        ("/instances/c1/positions", b'{"offsets":[{"topic":' + SURROGATE
         + b',"partition":0,"offset":0}]}'),
        ("/instances/c1/positions/beginning", b'{"partitions":[{"topic":' + SURROGATE
         + b',"partition":0}]}'),
        ("/instances/c1/offsets", b'{"offsets":[{"topic":"t","partition":0,"offset":0,'
         b'"metadata":' + SURROGATE + b"}]}"),
        ("/instances/c1/offsets", DEEP_OBJECT),
    ],
    ids=["create-deep", "create-name", "create-reset", "subscribe-deep", "seek", "seek-start",
         "commit-metadata", "commit-deep"],
)
def test_consumer_requests_refuse_unreadable_bodies(
    client: httpx.Client, names: str, path: str, body: bytes
) -> None:
    created = client.post(f"/consumers/{names}", json={"name": "c1", "format": "json"},
                          headers={"Content-Type": V2})
    assert created.status_code == 200, created.text
    response = client.post(f"/consumers/{names}{path}", content=body,
                           headers={"Content-Type": V2})
    assert error(response)[:2] == (400, 400)
