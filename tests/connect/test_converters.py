"""Converters: record bytes → Connect schemas and values, as Connect's converters read them."""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import struct
from collections.abc import Iterator

import pytest
from tests.connect.helpers import bet_schema, register

from tote.connect.converters import AVRO, JSON, STRING, ConverterContext, build_converter
from tote.connect.data import DATE, DECIMAL, TIME, TIMESTAMP, Struct, Type
from tote.connect.errors import ConfigException, DataException
from tote.connect.registries import Registries
from tote.log.memory import MemoryLog
from tote.serde.avro import AvroCodec

REGISTRY = "http://schema-registry:8081"


@pytest.fixture
def context(log: MemoryLog) -> Iterator[ConverterContext]:
    registries = Registries(log, {})
    yield ConverterContext(registries.for_url)
    registries.close()


def avro(context: ConverterContext) -> object:
    return build_converter("value.converter", {
        "value.converter": AVRO, "value.converter.schema.registry.url": REGISTRY}, {}, context)


def test_avro_reads_the_seed_bets_into_structs(log: MemoryLog, context: ConverterContext
                                               ) -> None:
    schema = bet_schema()
    schema_id = register(log, "tote_win_bets-value", schema)
    codec = AvroCodec(schema)
    bets = [{"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0},
            {"RUNNER_ID": 2, "RACE_ID": 0, "AMOUNT": None}] * 10
    converter = avro(context)
    results, failures = converter.to_connect_many(  # type: ignore[attr-defined]
        "tote_win_bets", [codec.encode_framed(schema_id, b) for b in bets] + [None])
    assert failures == {}
    connect_schema = results[0][0]
    assert connect_schema.type is Type.STRUCT
    assert connect_schema.name == "io.confluent.ksql.avro_schemas.KsqlDataSourceSchema"
    assert [(f.name, f.schema.type, f.schema.optional, f.schema.default)
            for f in connect_schema.fields] == [
        ("RUNNER_ID", Type.INT32, True, None), ("RACE_ID", Type.INT32, True, None),
        ("AMOUNT", Type.FLOAT64, True, None)]
    assert [r[1] for r in results[:2]] == [Struct(connect_schema, bets[0]),
                                            Struct(connect_schema, bets[1])]
    assert all(r[0] is connect_schema for r in results[:-1])
    assert results[-1] == (None, None)


def test_avro_logical_and_nested_types(log: MemoryLog, context: ConverterContext) -> None:
    schema = json.dumps({"type": "record", "name": "Rec", "namespace": "t", "fields": [
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9,
                                   "scale": 2}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "at", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "small", "type": {"type": "int", "connect.type": "int8"}},
        {"name": "tags", "type": {"type": "array", "items": "string"}},
        {"name": "inner", "type": {"type": "record", "name": "Inner",
                                   "fields": [{"name": "x", "type": "long"}]}},
        {"name": "qty", "type": "int", "default": 7},
    ]})
    schema_id = register(log, "rec-value", schema)
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.UTC)
    value = {"price": decimal.Decimal("12.34"), "day": datetime.date(2024, 5, 6),
             "at": datetime.time(7, 8, 9, 123000), "ts": at, "small": 3, "tags": ["a", "b"],
             "inner": {"x": 5}, "qty": 1}
    converter = avro(context)
    connect_schema, converted = converter.to_connect(  # type: ignore[attr-defined]
        "rec", AvroCodec(schema).encode_framed(schema_id, value))
    kinds = {f.name: (f.schema.type, f.schema.name) for f in connect_schema.fields}
    assert kinds == {"price": (Type.BYTES, DECIMAL), "day": (Type.INT32, DATE),
                     "at": (Type.INT32, TIME), "ts": (Type.INT64, TIMESTAMP),
                     "small": (Type.INT8, None), "tags": (Type.ARRAY, None),
                     "inner": (Type.STRUCT, "t.Inner"), "qty": (Type.INT32, None)}
    assert connect_schema.field("price").schema.scale == 2
    assert connect_schema.field("qty").schema.default == 7
    assert converted.get("price") == decimal.Decimal("12.34")
    assert converted.get("ts") == at
    assert converted.get("inner") == Struct(connect_schema.field("inner").schema, {"x": 5})
    assert converted.get("tags") == ["a", "b"]


def test_avro_reports_each_bad_record_alone(log: MemoryLog, context: ConverterContext) -> None:
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    good = AvroCodec(schema).encode_framed(schema_id, {"RUNNER_ID": 1, "RACE_ID": 2,
                                                       "AMOUNT": 3.0})
    datas = [good] * 9 + [b"\x01\x00\x00\x00\x01xyz", b"\x00\x00", good,
                          b"\x00\x00\x00\x00\x63" + good[5:], good[:7]]
    converter = avro(context)
    results, failures = converter.to_connect_many("bets", datas)  # type: ignore[attr-defined]
    assert {i: e.message for i, e in failures.items()} == {
        9: "Failed to deserialize data for topic bets to Avro: Unknown magic byte!",
        10: "Failed to deserialize data for topic bets to Avro: Expecting data framing of "
            "length 5 bytes or more but total data size is 2 bytes",
        12: "Failed to deserialize data for topic bets to Avro: Error retrieving Avro schema "
            "for id 99: Schema not found; error code: 40403",
        13: failures[13].message,
    }
    assert failures[13].message.startswith(
        "Failed to deserialize data for topic bets to Avro: Error deserializing Avro message")
    assert [r[1].get("RACE_ID") for i, r in enumerate(results) if i not in failures] == [2] * 10


def test_json_with_schemas_reads_the_envelope(context: ConverterContext) -> None:
    converter = build_converter("value.converter", {"value.converter": JSON}, {}, context)
    unscaled = base64.b64encode((1234).to_bytes(2, "big", signed=True)).decode()
    envelope = {"schema": {"type": "struct", "name": "order", "optional": False, "fields": [
        {"field": "id", "type": "int64", "optional": False},
        {"field": "price", "type": "bytes", "optional": True,
         "name": "org.apache.kafka.connect.data.Decimal", "parameters": {"scale": "2"}},
        {"field": "day", "type": "int32", "optional": True,
         "name": "org.apache.kafka.connect.data.Date"},
        {"field": "ts", "type": "int64", "optional": True,
         "name": "org.apache.kafka.connect.data.Timestamp"},
        {"field": "qty", "type": "int32", "optional": True, "default": 5}]},
        "payload": {"id": 7, "price": unscaled, "day": 19849, "ts": 1700000000123,
                    "qty": None}}
    schema, value = converter.to_connect("orders", json.dumps(envelope).encode())
    assert schema is not None and schema.name == "order"
    assert value.values == {"id": 7, "price": decimal.Decimal("12.34"),
                            "day": datetime.date(2024, 5, 6),
                            "ts": datetime.datetime(2023, 11, 14, 22, 13, 20, 123000,
                                                    tzinfo=datetime.UTC),
                            "qty": 5}


@pytest.mark.parametrize(("data", "message"), [
    (b'{"id": 1}', "JsonConverter with schemas.enable requires \"schema\" and \"payload\" "
                   "fields and may not contain additional fields. If you are trying to "
                   "deserialize plain JSON data, set schemas.enable=false in your converter "
                   "configuration."),
    (b'{"schema": {"type": "struct", "fields": [{"field": "id", "type": "int64"}]}, '
     b'"payload": {}}', "Invalid null value for required INT64 field id"),
    (b"{nope", "Converting byte[] to Kafka Connect data failed due to serialization error: "
               "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
])
def test_json_rejects_what_connect_rejects(context: ConverterContext, data: bytes,
                                           message: str) -> None:
    converter = build_converter("value.converter", {"value.converter": JSON}, {}, context)
    with pytest.raises(DataException) as failure:
        converter.to_connect("t", data)
    assert failure.value.message == message


def test_json_without_schemas_gives_plain_values(context: ConverterContext) -> None:
    converter = build_converter("value.converter", {
        "value.converter": "JsonConverter", "value.converter.schemas.enable": "false"}, {},
        context)
    assert converter.to_connect("t", b'{"a": [1, 2.5, "x"]}') == (None, {"a": [1, 2.5, "x"]})


def test_simple_converters(context: ConverterContext) -> None:
    string = build_converter("key.converter", {}, {"key.converter": STRING}, context)
    assert string.to_connect("t", "bé".encode())[1] == "bé"
    assert string.to_connect("t", None)[1] is None
    raw = build_converter("key.converter", {"key.converter": "ByteArrayConverter"}, {}, context)
    assert raw.to_connect("t", b"\x00\x01") [1] == b"\x00\x01"
    ints = build_converter("key.converter", {
        "key.converter": "org.apache.kafka.connect.converters.IntegerConverter"}, {}, context)
    schema, value = ints.to_connect("t", struct.pack(">i", -7))
    assert (schema.type, schema.optional, value) == (Type.INT32, True, -7)
    with pytest.raises(DataException) as failure:
        ints.to_connect("t", b"\x00")
    assert failure.value.message == ("Failed to deserialize integer: Size of data received by "
                                     "IntegerDeserializer is not 4")


def test_converter_configuration_errors(context: ConverterContext) -> None:
    with pytest.raises(ConfigException) as unknown:
        build_converter("value.converter", {"value.converter": "com.acme.Nope"}, {}, context)
    assert unknown.value.message == ("Invalid value com.acme.Nope for configuration "
                                     "value.converter: Class com.acme.Nope could not be found.")
    with pytest.raises(ConfigException) as no_url:
        build_converter("value.converter", {"value.converter": AVRO}, {}, context)
    assert no_url.value.message == ("Missing required configuration \"schema.registry.url\" "
                                    "which has no default value.")
