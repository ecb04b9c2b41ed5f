"""v2 produce against `tote serve rest-proxy`: every embedded format, keys, partitions,
schemas by text and by id, and the exact v2 response; records checked on the log itself."""

from __future__ import annotations

import base64
import json

import httpx
from tests.proxy.helpers import (
    AVRO,
    BINARY,
    JSON,
    JSONSCHEMA,
    PROTOBUF,
    create_topic,
    post,
    register,
    registry_get,
)

from tote.core.records import TopicPartition
from tote.log.base import Log
from tote.serde.avro import AvroCodec
from tote.serde.wire import frame, unframe

PAIR = json.dumps({
    "type": "record", "name": "Pair",
    "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": ["null", "string"]}],
})


def offsets(*pairs: tuple[int, int]) -> list[dict[str, object]]:
    return [{"partition": p, "offset": o, "error_code": None, "error": None} for p, o in pairs]


def values(log: Log, topic: str, partition: int = 0) -> list[tuple[bytes | None, bytes | None]]:
    return [(r.key, r.value) for r in log.read(TopicPartition(topic, partition), 0)]


def test_binary_keys_values_and_the_v2_response(client: httpx.Client, log: Log,
                                                names: str) -> None:
    create_topic(client, names)
    body = {"records": [
        {"key": base64.b64encode(b"k1").decode(), "value": base64.b64encode(b"\x00\xffv").decode()},
        {"value": base64.b64encode(b"second").decode()},
        {"value": None},
    ]}
    response = post(client, f"/topics/{names}", body, BINARY)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.kafka.v2+json"
    assert response.json() == {
        "key_schema_id": None, "value_schema_id": None, "offsets": offsets((0, 0), (0, 1), (0, 2)),
    }
    assert values(log, names) == [(b"k1", b"\x00\xffv"), (None, b"second"), (None, None)]


def test_json_is_written_compactly_and_null_is_a_kafka_null(client: httpx.Client, log: Log,
                                                             names: str) -> None:
    create_topic(client, names)
    body = {"records": [
        {"key": "bet-1", "value": {"runner": 1, "amount": 25.0, "name": "Émile"}},
        {"key": {"race": 0}, "value": [1, 2, None]},
        {"value": None},
    ]}
    response = post(client, f"/topics/{names}", body, JSON)
    assert response.json()["offsets"] == offsets((0, 0), (0, 1), (0, 2))
    assert values(log, names) == [
        (b'"bet-1"', '{"runner":1,"amount":25.0,"name":"Émile"}'.encode()),
        (b'{"race":0}', b"[1,2,null]"),
        (None, None),
    ]


def test_keyed_records_land_where_kafkas_partitioner_puts_them(client: httpx.Client,
                                                                names: str) -> None:
    create_topic(client, names, partitions=4)
    # murmur2 values from Kafka's UtilsTest; partition = (murmur2 & 0x7fffffff) % 4.
    expected = {"21": 0, "foobar": 2, "a-little-bit-long-string": 0,
                "a-little-bit-longer-string": 3,
                "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": 1, "abc": 3}
    body = {"records": [{"key": base64.b64encode(k.encode()).decode(), "value": "AA=="}
                        for k in expected]}
    response = post(client, f"/topics/{names}", body, BINARY)
    partitions = [entry["partition"] for entry in response.json()["offsets"]]
    assert partitions == list(expected.values())


def test_explicit_partitions_per_record_and_by_path(client: httpx.Client, log: Log,
                                                    names: str) -> None:
    create_topic(client, names, partitions=3)
    body = {"records": [{"value": {"n": 1}, "partition": 2}, {"value": {"n": 2}, "partition": 0},
                        {"value": {"n": 3}, "partition": 2}]}
    response = post(client, f"/topics/{names}", body, JSON)
    assert response.json()["offsets"] == offsets((2, 0), (0, 0), (2, 1))
    response = post(client, f"/topics/{names}/partitions/1", {"records": [{"value": {"n": 4}}]},
                    JSON)
    assert response.json() == {"key_schema_id": None, "value_schema_id": None,
                               "offsets": offsets((1, 0))}
    # A record's own partition wins over the path's, as in kafka-rest.
    response = post(client, f"/topics/{names}/partitions/1",
                    {"records": [{"value": {"n": 5}, "partition": 0}]}, JSON)
    assert response.json()["offsets"] == offsets((0, 1))
    assert values(log, names, 2) == [(None, b'{"n":1}'), (None, b'{"n":3}')]
    assert values(log, names, 1) == [(None, b'{"n":4}')]


def test_avro_value_schema_text_registers_under_topic_value(client: httpx.Client, log: Log,
                                                            registry_url: str,
                                                            names: str) -> None:
    create_topic(client, names)
    body = {"value_schema": PAIR,
            "records": [{"value": {"a": 1, "b": {"string": "x"}}}, {"value": {"a": 2, "b": None}}]}
    response = post(client, f"/topics/{names}", body, AVRO)
    assert response.status_code == 200, response.text
    schema_id = response.json()["value_schema_id"]
    assert response.json() == {"key_schema_id": None, "value_schema_id": schema_id,
                               "offsets": offsets((0, 0), (0, 1))}
    latest = registry_get(registry_url, f"/subjects/{names}-value/versions/latest")
    assert (latest["id"], latest["version"]) == (schema_id, 1)
    codec = AvroCodec(PAIR)
    assert [unframe(v or b"") for _, v in values(log, names)] == [
        (schema_id, codec.encode({"a": 1, "b": "x"})),
        (schema_id, codec.encode({"a": 2, "b": None})),
    ]
    # The same text again finds the registered version instead of adding one.
    again = post(client, f"/topics/{names}", body, AVRO)
    assert again.json()["value_schema_id"] == schema_id
    versions = registry_get(registry_url, f"/subjects/{names}-value/versions")
    assert versions == [1]


def test_avro_keys_and_values_by_schema_id(client: httpx.Client, log: Log, registry_url: str,
                                           names: str) -> None:
    create_topic(client, names)
    key_id = register(registry_url, f"{names}-key", '"string"')
    value_id = register(registry_url, f"{names}-value", PAIR)
    body = {"key_schema_id": key_id, "value_schema_id": value_id,
            "records": [{"key": "race-0", "value": {"a": 7, "b": {"string": "y"}}}]}
    response = post(client, f"/topics/{names}", body, AVRO)
    assert response.json() == {"key_schema_id": key_id, "value_schema_id": value_id,
                               "offsets": offsets((0, 0))}
    assert values(log, names) == [(
        frame(key_id, AvroCodec('"string"').encode("race-0")),
        frame(value_id, AvroCodec(PAIR).encode({"a": 7, "b": "y"})),
    )]


def test_avro_key_schema_text_and_null_values_need_no_value_schema(client: httpx.Client,
                                                                    log: Log,
                                                                    names: str) -> None:
    create_topic(client, names)
    body = {"key_schema": '{"type": "int"}', "records": [{"key": 5, "value": None}]}
    response = post(client, f"/topics/{names}", body, AVRO)
    assert response.status_code == 200, response.text
    key_id = response.json()["key_schema_id"]
    assert response.json()["value_schema_id"] is None
    assert values(log, names) == [(frame(key_id, AvroCodec('"int"').encode(5)), None)]


def test_jsonschema_values_are_validated_and_framed(client: httpx.Client, log: Log,
                                                    names: str) -> None:
    create_topic(client, names)
    schema = json.dumps({"type": "object", "properties": {"amount": {"type": "number"}},
                         "required": ["amount"]})
    body = {"value_schema": schema, "records": [{"value": {"amount": 12.5}}]}
    response = post(client, f"/topics/{names}", body, JSONSCHEMA)
    assert response.status_code == 200, response.text
    schema_id = response.json()["value_schema_id"]
    assert values(log, names) == [(None, frame(schema_id, b'{"amount":12.5}'))]
    bad = post(client, f"/topics/{names}",
               {"value_schema_id": schema_id, "records": [{"value": {"amount": "x"}}]},
               JSONSCHEMA)
    assert bad.status_code == 422
    assert bad.json() == {"error_code": 42203, "message": (
        "Conversion of JSON to Object failed: #/amount: 'x' is not of type 'number'")}


def test_protobuf_values_use_the_first_message_and_index_zero(client: httpx.Client, log: Log,
                                                               names: str) -> None:
    create_topic(client, names)
    schema = 'syntax = "proto3";\nmessage Bet { int32 runner = 1; string note = 2; }\n'
    body = {"value_schema": schema, "records": [{"value": {"runner": 150, "note": "hi"}}]}
    response = post(client, f"/topics/{names}", body, PROTOBUF)
    assert response.status_code == 200, response.text
    schema_id = response.json()["value_schema_id"]
    # Protobuf's own docs: field 1 = 150 is 08 96 01; field 2 = "hi" is 12 02 68 69.
    assert values(log, names) == [
        (None, frame(schema_id, b"\x00" + bytes.fromhex("089601") + bytes.fromhex("12026869")))]
