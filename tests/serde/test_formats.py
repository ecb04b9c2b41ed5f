"""ksqlDB's KAFKA, JSON, JSON_SR, DELIMITED and AVRO row formats, byte for byte."""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any

import pytest

from tote.core import types as t
from tote.core.types import Column
from tote.serde.delimited import DelimitedCodec, parse_delimiter
from tote.serde.errors import InvalidSchema, SerializationError
from tote.serde.json_format import JsonCodec
from tote.serde.json_schema import JsonSchema
from tote.serde.kafka_format import KafkaCodec
from tote.serde.ksql_avro import KsqlAvroCodec
from tote.serde.ksql_json_schemas import json_schema_text
from tote.serde.ksql_schemas import avro_schema_text

UTC = datetime.UTC


@pytest.mark.parametrize(("sql", "value", "data"), [
    (t.INTEGER, 1, b"\x00\x00\x00\x01"),
    (t.INTEGER, -2, b"\xff\xff\xff\xfe"),
    (t.BIGINT, 2**40, b"\x00\x00\x01\x00\x00\x00\x00\x00"),
    (t.DOUBLE, 1.5, b"\x3f\xf8\x00\x00\x00\x00\x00\x00"),
    (t.STRING, "héllo", "héllo".encode()),
    (t.BYTES, b"\x00\x01", b"\x00\x01"),
    (t.STRING, None, None),
])
def test_kafka_primitives(sql: t.SqlType, value: object, data: bytes | None) -> None:
    codec = KafkaCodec(sql)
    assert codec.encode(value) == data
    assert codec.decode(data) == value


def test_kafka_errors() -> None:
    with pytest.raises(InvalidSchema, match="The 'KAFKA' format does not support type 'BOOLEAN'"):
        KafkaCodec(t.BOOLEAN)
    with pytest.raises(SerializationError, match="Size of data received by IntegerDeserializer "
                                                 "is not 4"):
        KafkaCodec(t.INTEGER).decode(b"\x00\x01")
    with pytest.raises(SerializationError, match="Cannot serialize 'x' as INTEGER"):
        KafkaCodec(t.INTEGER).encode("x")


BETS = [Column("RUNNER_ID", t.INTEGER), Column("RACE_ID", t.INTEGER), Column("AMOUNT", t.DOUBLE)]
RICH = [Column("DEC", t.decimal(6, 4)), Column("B", t.BYTES), Column("D", t.DATE),
        Column("TM", t.TIME), Column("TS", t.TIMESTAMP),
        Column("S", t.struct(("F0", t.INTEGER), ("L", t.array(t.STRING)))),
        Column("M", t.map_of(t.STRING, t.BOOLEAN))]
RICH_ROW = {"DEC": decimal.Decimal("10"), "B": b"\x01\x02", "D": datetime.date(1970, 1, 11),
            "TM": datetime.time(0, 0, 1, 500_000),
            "TS": datetime.datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC),
            "S": {"F0": 1, "L": ["a", None]}, "M": {"k": True}}


def test_json_row_layout() -> None:
    codec = JsonCodec(BETS)
    data = codec.encode({"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0})
    assert data == b'{"RUNNER_ID":1,"RACE_ID":0,"AMOUNT":25.0}'
    assert codec.decode(data) == {"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0}
    assert codec.encode(None) is None
    assert codec.decode(b"null") is None


def test_json_representations_of_rich_types() -> None:
    codec = JsonCodec(RICH)
    data = codec.encode(RICH_ROW)
    assert data == (b'{"DEC":10.0000,"B":"AQI=","D":10,"TM":1500,"TS":2000,'
                    b'"S":{"F0":1,"L":["a",null]},"M":{"k":true}}')
    assert codec.decode(data) == {**RICH_ROW, "DEC": decimal.Decimal("10.0000")}


def test_json_reading_is_lenient_like_ksqldb() -> None:
    codec = JsonCodec([*BETS, Column("NAME", t.STRING), Column("OK", t.BOOLEAN)])
    assert codec.decode(b'{"runner_id":"2","Race_Id":3.0,"amount":1,"name":5,"ok":"true",'
                        b'"extra":1}') == {"RUNNER_ID": 2, "RACE_ID": 3, "AMOUNT": 1.0,
                                           "NAME": "5", "OK": True}
    assert codec.decode(b"{}") == {"RUNNER_ID": None, "RACE_ID": None, "AMOUNT": None,
                                   "NAME": None, "OK": None}


def test_json_unwrapped_single_value() -> None:
    codec = JsonCodec([Column("FOO", t.array(t.BIGINT))], unwrap=True)
    assert codec.encode({"FOO": [12, None]}) == b"[12,null]"
    assert codec.decode(b"[12,34]") == {"FOO": [12, 34]}


def test_json_errors() -> None:
    with pytest.raises(SerializationError) as info:
        JsonCodec(BETS).decode(b'{"RUNNER_ID":"x"}')
    assert info.value.message == ("Can't convert type. sourceType: TextNode, requiredType: "
                                  "INTEGER, path: /RUNNER_ID")
    with pytest.raises(SerializationError, match="Failed to deserialize JSON"):
        JsonCodec(BETS).decode(b"{nope")
    with pytest.raises(SerializationError, match="sourceType: ArrayNode, requiredType: STRUCT<"):
        JsonCodec(BETS).decode(b"[1]")
    with pytest.raises(SerializationError, match=r"Cannot fit decimal '1\.23456' into "
                                                 r"DECIMAL\(6, 4\) without rounding\."):
        JsonCodec(RICH[:1]).encode({"DEC": decimal.Decimal("1.23456")})


def test_json_sr_frames_and_validates() -> None:
    schema = JsonSchema.parse(json_schema_text(BETS))
    codec = JsonCodec(BETS, schema_id=3, schema=schema)
    data = codec.encode({"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0})
    assert data == b'\x00\x00\x00\x00\x03{"RUNNER_ID":1,"RACE_ID":0,"AMOUNT":25.0}'
    assert codec.decode(data) == {"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0}
    # the plain JSON format also reads JSON_SR-framed data
    assert JsonCodec(BETS).decode(data) == {"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0}
    strict = JsonSchema.parse('{"type":"object","properties":{"RUNNER_ID":{"type":"integer",'
                              '"maximum":5}}}')
    with pytest.raises(SerializationError, match="JSON does not match its schema at "
                                                 "#/RUNNER_ID: 9 is greater than the maximum"):
        JsonCodec(BETS[:1], schema_id=4, schema=strict).encode({"RUNNER_ID": 9})


@pytest.mark.parametrize(("row", "text"), [
    ({"A": "x", "B": 100, "C": 0.0}, "x,100,0.0"),
    ({"A": None, "B": None, "C": None}, ",,"),
    ({"A": "", "B": 1, "C": 1e7}, '"",1,1.0E7'),
    ({"A": "a,b", "B": 1, "C": 2.5}, '"a,b",1,2.5'),
    ({"A": 'say "hi"', "B": 1, "C": 2.5}, '"say ""hi""",1,2.5'),
    ({"A": " lead", "B": 1, "C": 2.5}, '" lead",1,2.5'),
    ({"A": "trail ", "B": 1, "C": 2.5}, '"trail ",1,2.5'),
    ({"A": "#tag", "B": -1, "C": -0.5}, '"#tag",-1,-0.5'),
    # the smallest doubles print as Java does: the closest two digits, not `5.0E-324`
    ({"A": "min", "B": 1, "C": 5e-324}, "min,1,4.9E-324"),
    ({"A": "neg", "B": 1, "C": -5e-324}, "neg,1,-4.9E-324"),
])
def test_delimited_quoting(row: dict[str, object], text: str) -> None:
    codec = DelimitedCodec([Column("A", t.STRING), Column("B", t.INTEGER),
                            Column("C", t.DOUBLE)])
    assert codec.encode(row) == text.encode()
    expected = {k: (None if v == "" else v) for k, v in row.items()}
    assert codec.decode(text.encode()) == expected


def test_delimited_decimal_full_scale_and_other_delimiters() -> None:
    codec = DelimitedCodec([Column("ID", t.BIGINT), Column("V", t.decimal(6, 4))], "TAB")
    assert codec.encode({"ID": 100, "V": decimal.Decimal("10")}) == b"100\t10.0000"
    assert codec.decode(b"7\t0.1") == {"ID": 7, "V": decimal.Decimal("0.1000")}
    assert parse_delimiter("SPACE") == " "
    assert parse_delimiter("|") == "|"
    with pytest.raises(InvalidSchema, match="Delimiter must be a single character"):
        parse_delimiter("::")


def test_delimited_errors() -> None:
    codec = DelimitedCodec([Column("A", t.INTEGER), Column("B", t.INTEGER)])
    with pytest.raises(SerializationError) as info:
        codec.decode(b"1,2,3")
    assert info.value.message == ("Column count mismatch on deserialization. expected: 2, "
                                  "got: 3")
    with pytest.raises(SerializationError, match="Failed to parse 'x' as INTEGER"):
        codec.decode(b"x,1")
    with pytest.raises(InvalidSchema, match="does not support type 'ARRAY'"):
        DelimitedCodec([Column("A", t.array(t.INTEGER))])


def test_avro_rows_with_ksqldb_schema() -> None:
    codec = KsqlAvroCodec(RICH, avro_schema_text(RICH), schema_id=9)
    data = codec.encode(RICH_ROW)
    assert data is not None and data[:5] == b"\x00\x00\x00\x00\x09"
    assert codec.decode(data) == {**RICH_ROW, "DEC": decimal.Decimal("10.0000")}
    # the map went out as ksqlDB's MapEntry array
    assert codec.codec.decode(data[5:])["M"] == [{"key": "k", "value": True}]


def test_avro_rows_from_a_foreign_schema() -> None:
    schema = json.dumps({"type": "record", "name": "blah", "fields": [
        {"name": "c1", "type": {"type": "map", "values": "long"}},
        {"name": "c2", "type": {"type": "enum", "name": "Suit", "symbols": ["SPADES"]}},
        {"name": "c3", "type": "float"}]})
    columns = [Column("C1", t.map_of(t.STRING, t.BIGINT)), Column("C2", t.STRING),
               Column("C3", t.DOUBLE)]
    codec = KsqlAvroCodec(columns, schema)
    row = {"C1": {"f1": 1}, "C2": "SPADES", "C3": 4.0}
    assert codec.from_datum(codec.codec.decode(codec.codec.encode(codec.to_datum(row)))) == row


def test_avro_unwrapped_value() -> None:
    columns = [Column("FOO", t.array(t.BIGINT))]
    codec = KsqlAvroCodec(columns, avro_schema_text(columns, unwrap=True), unwrap=True,
                          schema_id=1)
    data = codec.encode({"FOO": [12, None]})
    assert data == b"\x00\x00\x00\x00\x01" + b"\x04\x02\x18\x00\x00"
    assert codec.decode(data) == {"FOO": [12, None]}


NESTED = [Column("ID", t.BIGINT), Column("NAMES", t.array(t.STRING)),
          Column("AMOUNTS", t.array(t.DOUBLE)),
          Column("S", t.struct(("L", t.array(t.array(t.INTEGER))),
                               ("INNER", t.struct(("X", t.BIGINT), ("D", t.decimal(6, 2)))),
                               ("M", t.map_of(t.STRING, t.BIGINT)))),
          Column("TS", t.TIMESTAMP)]


@pytest.mark.parametrize("row", [
    {"ID": 1, "NAMES": ["a", None], "AMOUNTS": [1, 2.5, None],
     "S": {"L": [[1, None], []], "INNER": {"X": 3, "D": decimal.Decimal("1.5")},
           "M": {"k": 1}},
     "TS": datetime.datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC)},
    {"ID": None, "NAMES": None, "AMOUNTS": [], "S": {"L": None, "INNER": None, "M": None},
     "TS": None},
    {"ID": 2, "NAMES": [], "AMOUNTS": None, "S": None, "TS": None},
])
def test_compiled_conversions_are_the_walks(row: dict[str, Any]) -> None:
    """A codec converts with functions compiled once per (type, schema); they give what
    walking the type and the schema for every value gives."""
    from tote.serde.ksql_avro import _row_type, from_avro, to_avro

    codec = KsqlAvroCodec(NESTED, avro_schema_text(NESTED), schema_id=3)
    node = codec.schema.node
    datum = codec.to_datum(row)
    assert datum == to_avro(_row_type(NESTED), row, node)
    read = codec.codec.decode(codec.codec.encode(datum))
    assert codec.from_datum(read) == from_avro(_row_type(NESTED), read, node)
    amounts = row["AMOUNTS"]
    doubles = None if amounts is None else [None if v is None else float(v) for v in amounts]
    assert codec.decode(codec.encode(row)) == {**row, "AMOUNTS": doubles}
