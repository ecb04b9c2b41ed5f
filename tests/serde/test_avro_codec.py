"""Avro binary codec and Avro's JSON encoding, checked on the seed's bets byte for byte."""

from __future__ import annotations

import datetime
import decimal
import json
import struct
from pathlib import Path
from typing import Any

import pytest

from tote.serde.avro import AvroCodec
from tote.serde.avro_json import from_avro_json, to_avro_json
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import SerializationError
from tote.serde.schemas import parse_schema

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "poc-kafka-sql-registry"
BETS_SCHEMA = (
    '{"type":"record","name":"KsqlDataSourceSchema","namespace":"io.confluent.ksql.avro_schemas",'
    '"fields":[{"name":"RUNNER_ID","type":["null","int"],"default":null},'
    '{"name":"RACE_ID","type":["null","int"],"default":null},'
    '{"name":"AMOUNT","type":["null","double"],"default":null}],'
    '"connect.name":"io.confluent.ksql.avro_schemas.KsqlDataSourceSchema"}')


def avro_double(x: float) -> bytes:
    return struct.pack("<d", x)


def expected_bet(runner: int, race: int, amount: float) -> bytes:
    # union branch 1 (zig-zag 2), then zig-zag varints for ints, little-endian double
    return (b"\x02" + bytes([runner * 2]) + b"\x02" + bytes([race * 2])
            + b"\x02" + avro_double(amount))


def seed_payload(name: str) -> dict[str, Any]:
    with (SEED / name).open() as f:
        loaded: dict[str, Any] = json.load(f)
    return loaded


@pytest.mark.skipif(not SEED.exists(), reason="seed files live in ../shared")
def test_seed_payload_encodes_to_confluent_frames() -> None:
    codec = AvroCodec(BETS_SCHEMA)
    payload = seed_payload("post_bets.payload.json")
    assert payload["value_schema_id"] == 1
    frames = [codec.encode_framed(1, from_avro_json(codec.schema, r["value"]))
              for r in payload["records"]]
    assert frames == [b"\x00\x00\x00\x00\x01" + expected_bet(1, 0, 25.0),
                      b"\x00\x00\x00\x00\x01" + expected_bet(2, 0, 50.0)]
    decoded = [codec.decode_framed(f) for f in frames]
    assert decoded == [(1, {"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0}),
                       (1, {"RUNNER_ID": 2, "RACE_ID": 0, "AMOUNT": 50.0})]
    assert [to_avro_json(codec.schema, v) for _, v in decoded] == \
        [r["value"] for r in payload["records"]]


@pytest.mark.skipif(not SEED.exists(), reason="seed files live in ../shared")
def test_all_seed_payloads_round_trip() -> None:
    codec = AvroCodec(parse_schema("AVRO", BETS_SCHEMA))
    for name in ("post_bets.payload.json", "post_bets_large.payload.json",
                 "post_bets_zero.payload.json"):
        for record in seed_payload(name)["records"]:
            datum = from_avro_json(codec.schema, record["value"])
            assert to_avro_json(codec.schema, codec.decode(codec.encode(datum))) == record["value"]


def test_null_fields_encode_as_branch_zero() -> None:
    codec = AvroCodec(BETS_SCHEMA)
    assert codec.encode({"RUNNER_ID": None, "RACE_ID": None, "AMOUNT": None}) == b"\x00\x00\x00"
    assert codec.encode({}) == b"\x00\x00\x00"  # missing nullable fields are null


@pytest.mark.parametrize(("value", "problem"), [
    ({"RUNNER_ID": "one"}, "value 'one' at /RUNNER_ID matches no branch of union "
                           "['null', 'int']"),
    ({"RUNNER_ID": 2**31}, "value 2147483648 at /RUNNER_ID matches no branch of union "
                           "['null', 'int']"),
    (5, "expected record at /, got int 5"),
])
def test_wrong_types_are_serialization_errors(value: Any, problem: str) -> None:
    with pytest.raises(SerializationError) as info:
        AvroCodec(BETS_SCHEMA).encode(value)
    assert info.value.error_code == 42203
    assert info.value.message == (
        "Error serializing Avro message for schema "
        f"io.confluent.ksql.avro_schemas.KsqlDataSourceSchema: {problem}")


def test_missing_required_field() -> None:
    codec = AvroCodec('{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}')
    with pytest.raises(SerializationError, match="missing field a of record R at /"):
        codec.encode({})


def test_truncated_bytes() -> None:
    with pytest.raises(SerializationError, match=r"Error deserializing Avro message for schema "
                                                 r"io\.confluent\.ksql\.avro_schemas"):
        AvroCodec(BETS_SCHEMA).decode(b"\x02")


def test_reader_schema_resolution() -> None:
    writer = '{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}'
    reader = ('{"type":"record","name":"R","fields":[{"name":"a","type":"long"},'
              '{"name":"b","type":"string","default":"x"}]}')
    data = AvroCodec(writer).encode({"a": 7})
    assert data == b"\x0e"
    assert AvroCodec(writer, reader).decode(data) == {"a": 7, "b": "x"}


def test_primitive_schema() -> None:
    codec = AvroCodec('"int"')
    assert codec.encode(-1) == b"\x01"
    assert codec.decode(b"\x01") == -1


UNION_SCHEMA = AvroSchema.parse(json.dumps({
    "type": "record", "name": "U", "namespace": "com.acme", "fields": [
        {"name": "u", "type": ["null", "string", {"type": "record", "name": "Addr",
                                                   "fields": [{"name": "n", "type": "int"}]}]},
        {"name": "b", "type": "bytes"},
        {"name": "f", "type": {"type": "fixed", "name": "F2", "size": 2}},
        {"name": "m", "type": {"type": "map", "values": ["null", "long"]}},
        {"name": "e", "type": {"type": "enum", "name": "Suit", "symbols": ["H", "S"]}},
        {"name": "d", "type": ["null", {"type": "bytes", "logicalType": "decimal",
                                        "precision": 5, "scale": 2}], "default": None},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}, "default": 0},
    ]}))


def test_avro_json_unions_bytes_and_named_types() -> None:
    value = {"u": {"com.acme.Addr": {"n": 3}}, "b": "\u00ff\u0000", "f": "ab",
             "m": {"x": {"long": 5}, "y": None}, "e": "S", "d": {"bytes": "\u0004\u00d2"}}
    datum = from_avro_json(UNION_SCHEMA, value)
    assert datum == {"u": {"n": 3}, "b": b"\xff\x00", "f": b"ab", "m": {"x": 5, "y": None},
                     "e": "S", "d": b"\x04\xd2", "day": 0}
    decoded = AvroCodec(UNION_SCHEMA).decode(AvroCodec(UNION_SCHEMA).encode(datum))
    assert decoded["d"] == decimal.Decimal("12.34")
    assert decoded["day"] == datetime.date(1970, 1, 1)
    assert to_avro_json(UNION_SCHEMA, decoded) == {**value, "day": 0}


@pytest.mark.parametrize(("value", "message"), [
    ({"u": "plain", "b": "", "f": "ab", "m": {}, "e": "S"},
     "Conversion of JSON to Avro failed at /u: expected a union value wrapped as "
     "{\"<branch>\": value} with branch one of ['string', 'com.acme.Addr'], got \"plain\""),
    ({"u": None, "b": "\u0100", "f": "ab", "m": {}, "e": "S"},
     "Conversion of JSON to Avro failed at /b: expected bytes as a string of code points "
     "0-255, got \"\u0100\""),
    ({"u": None, "b": "", "f": "abc", "m": {}, "e": "S"},
     "Conversion of JSON to Avro failed at /f: expected fixed com.acme.F2 of 2 bytes, "
     "got \"abc\""),
    ({"u": None, "b": "", "f": "ab", "m": {"x": 5}, "e": "S"},
     "Conversion of JSON to Avro failed at /m/x: expected a union value wrapped as "
     "{\"<branch>\": value} with branch one of ['long'], got 5"),
    ({"u": None, "b": "", "f": "ab", "m": {}, "e": "C"},
     "Conversion of JSON to Avro failed at /e: expected one of the symbols ['H', 'S'] of "
     "com.acme.Suit, got \"C\""),
    ({"u": None, "b": "", "f": "ab", "m": {}},
     "Conversion of JSON to Avro failed at /e: missing field e of record com.acme.U, "
     "which has no default"),
])
def test_avro_json_errors_have_paths(value: Any, message: str) -> None:
    with pytest.raises(SerializationError) as info:
        from_avro_json(UNION_SCHEMA, value)
    assert info.value.message == message
