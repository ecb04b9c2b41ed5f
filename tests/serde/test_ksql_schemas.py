"""ksqlDB's schema naming for AVRO and JSON_SR, checked against the seed and QTT files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tote.core import types as t
from tote.core.types import Column
from tote.serde.avro_json import from_avro_json
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import InvalidSchema
from tote.serde.ksql_json_schemas import columns_from_json_schema, json_schema_json
from tote.serde.ksql_schemas import (
    avro_schema_json,
    avro_schema_text,
    columns_from_avro,
    key_schema_full_name,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
QTT = SHARED / "qtt" / "dev"
SEED = SHARED / "seed" / "poc-kafka-sql-registry" / "post_bets.payload.json"
needs_fixtures = pytest.mark.skipif(not QTT.exists(), reason="fixtures live in ../shared")

SEED_COLUMNS = [Column("RUNNER_ID", t.INTEGER), Column("RACE_ID", t.INTEGER),
                Column("AMOUNT", t.DOUBLE)]


def qtt_case(file: str, name: str) -> dict[str, Any]:
    with (QTT / file).open() as f:
        cases = json.load(f)["tests"]
    return next(c for c in cases if c["name"] == name)


def post_topic(case: dict[str, Any], topic: str) -> dict[str, Any]:
    return next(x for x in case["post"]["topics"]["topics"] if x["name"] == topic)


def test_seed_stream_registers_the_schema_the_seed_posts_against() -> None:
    assert avro_schema_text(SEED_COLUMNS) == (
        '{"type":"record","name":"KsqlDataSourceSchema",'
        '"namespace":"io.confluent.ksql.avro_schemas","fields":['
        '{"name":"RUNNER_ID","type":["null","int"],"default":null},'
        '{"name":"RACE_ID","type":["null","int"],"default":null},'
        '{"name":"AMOUNT","type":["null","double"],"default":null}],'
        '"connect.name":"io.confluent.ksql.avro_schemas.KsqlDataSourceSchema"}')


@pytest.mark.skipif(not SEED.exists(), reason="seed files live in ../shared")
def test_seed_payload_is_valid_avro_json_for_the_generated_schema() -> None:
    schema = AvroSchema.parse(avro_schema_text(SEED_COLUMNS))
    with SEED.open() as f:
        records = json.load(f)["records"]
    assert [from_avro_json(schema, r["value"]) for r in records] == [
        {"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 25.0},
        {"RUNNER_ID": 2, "RACE_ID": 0, "AMOUNT": 50.0}]


@needs_fixtures
def test_struct_key_inference_matches_qtt() -> None:
    case = qtt_case("avro.json", "STRUCT - key - inference")
    input_key = json.dumps(case["topics"][0]["keySchema"])
    key_columns = columns_from_avro(input_key, single="ROWKEY", key=True)
    assert key_columns == [Column("ROWKEY", t.struct(("F1", t.STRING)), is_key=True)]
    expected = post_topic(case, "OUTPUT")
    assert avro_schema_json(key_columns, key_schema_full_name("OUTPUT"), unwrap=True) == \
        expected["keySchema"]
    assert avro_schema_json([Column("FOO", t.INTEGER)]) == expected["valueSchema"]
    assert expected["keyFormat"]["properties"]["fullSchemaName"] == key_schema_full_name("OUTPUT")


@needs_fixtures
def test_group_by_struct_key_matches_qtt() -> None:
    expected = post_topic(qtt_case("group-by.json", "AVRO group by struct"), "OUTPUT")
    key = [Column("ROWKEY", t.struct(("A", t.INTEGER), ("B", t.INTEGER)), is_key=True)]
    assert avro_schema_json(key, key_schema_full_name("OUTPUT"), unwrap=True) == \
        expected["keySchema"]
    assert avro_schema_json([Column("COUNT", t.BIGINT)]) == expected["valueSchema"]


@needs_fixtures
def test_nested_struct_key_names_and_namespace_match_qtt() -> None:
    expected = post_topic(qtt_case("partition-by.json", "partition by nested struct"), "OUTPUT")
    inner = t.struct(("F1", t.INTEGER), ("F2", t.INTEGER))
    key = [Column("KSQL_COL_0", t.struct(("F1", inner)), is_key=True)]
    text = avro_schema_text(key, key_schema_full_name("OUTPUT"), unwrap=True)
    assert json.loads(text) == expected["keySchema"]


def test_maps_decimals_and_times_as_ksqldb_registers_them() -> None:
    columns = [Column("M", t.map_of(t.STRING, t.decimal(4, 2))), Column("D", t.DATE),
               Column("TS", t.TIMESTAMP), Column("A", t.array(t.TIME)), Column("B", t.BYTES)]
    dec = ('{"type":"bytes","scale":2,"precision":4,"connect.version":1,'
           '"connect.parameters":{"scale":"2","connect.decimal.precision":"4"},'
           '"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}')
    assert avro_schema_text(columns) == (
        '{"type":"record","name":"KsqlDataSourceSchema",'
        '"namespace":"io.confluent.ksql.avro_schemas","fields":['
        '{"name":"M","type":["null",{"type":"array","items":{"type":"record",'
        '"name":"KsqlDataSourceSchema_M","fields":['
        '{"name":"key","type":["null","string"],"default":null},'
        f'{{"name":"value","type":["null",{dec}],"default":null}}],'
        '"connect.internal.type":"MapEntry"},'
        '"connect.name":"io.confluent.ksql.avro_schemas.KsqlDataSourceSchema_M"}],'
        '"default":null},'
        '{"name":"D","type":["null",{"type":"int","connect.version":1,'
        '"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"}],'
        '"default":null},'
        '{"name":"TS","type":["null",{"type":"long","connect.version":1,'
        '"connect.name":"org.apache.kafka.connect.data.Timestamp",'
        '"logicalType":"timestamp-millis"}],"default":null},'
        '{"name":"A","type":["null",{"type":"array","items":["null",{"type":"int",'
        '"connect.version":1,"connect.name":"org.apache.kafka.connect.data.Time",'
        '"logicalType":"time-millis"}]}],"default":null},'
        '{"name":"B","type":["null","bytes"],"default":null}],'
        '"connect.name":"io.confluent.ksql.avro_schemas.KsqlDataSourceSchema"}')


def test_unwrapped_single_keys_are_bare() -> None:
    name = key_schema_full_name("INPUT")
    assert avro_schema_json([Column("K", t.INTEGER)], name, unwrap=True) == "int"
    assert avro_schema_json([Column("K", t.STRING)], name, unwrap=True) == "string"
    assert avro_schema_json([Column("K", t.decimal(4, 2))], name, unwrap=True) == {
        "type": "bytes", "scale": 2, "precision": 4,
        "connect.parameters": {"scale": "2", "connect.decimal.precision": "4"},
        "connect.name": "org.apache.kafka.connect.data.Decimal", "logicalType": "decimal"}
    assert avro_schema_json([Column("K", t.array(t.STRING))], name, unwrap=True) == {
        "type": "array", "items": ["null", "string"]}


@pytest.mark.parametrize(("source", "full_name"), [
    ("OUTPUT", "io.confluent.ksql.avro_schemas.OutputKey"),
    ("S1", "io.confluent.ksql.avro_schemas.S1Key"),
    ("TOTE_WIN_BETS", "io.confluent.ksql.avro_schemas.ToteWinBetsKey"),
])
def test_key_schema_names(source: str, full_name: str) -> None:
    assert key_schema_full_name(source) == full_name


def test_avro_rejects_non_string_map_keys_and_bad_names() -> None:
    with pytest.raises(InvalidSchema) as info:
        avro_schema_json([Column("M", t.map_of(t.INTEGER, t.DOUBLE))])
    assert info.value.detail == "Avro only supports MAPs with STRING keys"
    with pytest.raises(InvalidSchema) as info:
        avro_schema_json([Column("1AvroDoesNotLikeFieldsThatStartWithNumbers", t.DOUBLE)])
    assert info.value.detail == ("Illegal initial character: "
                                 "1AvroDoesNotLikeFieldsThatStartWithNumbers")


def test_generated_schemas_infer_back_to_their_columns() -> None:
    columns = [Column("I", t.INTEGER), Column("L", t.BIGINT), Column("B", t.BOOLEAN),
               Column("DEC", t.decimal(10, 3)), Column("S", t.struct(("X", t.STRING))),
               Column("M", t.map_of(t.STRING, t.array(t.DOUBLE))), Column("BY", t.BYTES),
               Column("D", t.DATE), Column("T", t.TIME), Column("TS", t.TIMESTAMP)]
    assert columns_from_avro(avro_schema_text(columns)) == columns
    assert columns_from_json_schema(json.dumps(json_schema_json(columns))) == columns


@pytest.mark.parametrize(("avro_type", "sql"), [
    ({"type": "enum", "name": "Suit", "symbols": ["SPADES"]}, t.STRING),
    ("float", t.DOUBLE),
    (["null", "bytes"], t.BYTES),
    (["null", {"type": "fixed", "size": 16, "name": "md5"}], t.BYTES),
    ({"type": "map", "values": "long"}, t.map_of(t.STRING, t.BIGINT)),
    ({"type": "array", "items": "string"}, t.array(t.STRING)),
    ({"type": "record", "name": "something", "fields": [{"name": "f1", "type": "int"}]},
     t.struct(("F1", t.INTEGER))),
    ({"type": "bytes", "logicalType": "decimal", "scale": 2}, t.decimal(64, 2)),
    (["null", "int", "string"], t.struct(("INT", t.INTEGER), ("STRING", t.STRING))),
])
def test_inference_of_foreign_avro(avro_type: Any, sql: t.SqlType) -> None:
    schema = json.dumps({"type": "record", "name": "blah",
                         "fields": [{"name": "c1", "type": avro_type}]})
    assert columns_from_avro(schema) == [Column("C1", sql)]


def test_inference_of_unwrapped_values() -> None:
    assert columns_from_avro('{"type":"int"}', single="ROWVAL") == [Column("ROWVAL", t.INTEGER)]
    with pytest.raises(InvalidSchema, match="expected a record schema"):
        columns_from_avro('"int"')


def test_json_sr_schema_layout() -> None:
    columns = [Column("V0", t.struct(("F0", t.STRING), ("F1", t.INTEGER))),
               Column("DEC", t.decimal(6, 4))]
    assert json.dumps(json_schema_json(columns), separators=(",", ":")) == (
        '{"type":"object","properties":{'
        '"V0":{"connect.index":0,"oneOf":[{"type":"null"},{"type":"object","properties":{'
        '"F0":{"connect.index":0,"oneOf":[{"type":"null"},{"type":"string"}]},'
        '"F1":{"connect.index":1,"oneOf":[{"type":"null"},{"type":"integer",'
        '"connect.type":"int32"}]}}}]},'
        '"DEC":{"connect.index":1,"oneOf":[{"type":"null"},{"type":"number",'
        '"title":"org.apache.kafka.connect.data.Decimal","connect.version":1,'
        '"connect.type":"bytes","connect.parameters":{"scale":"4",'
        '"connect.decimal.precision":"6"}}]}}}')
    assert json_schema_json([Column("K", t.BIGINT)], unwrap=True) == {
        "oneOf": [{"type": "null"}, {"type": "integer", "connect.type": "int64"}]}


def test_json_sr_inference_of_plain_schemas() -> None:
    schema = '{"type":"object","properties":{"ID":{"type":"integer"},"NAME":{"type":"string"},' \
             '"F":{"type":"number"},"T":{"type":["string","null"]}}}'
    assert columns_from_json_schema(schema) == [
        Column("ID", t.BIGINT), Column("NAME", t.STRING), Column("F", t.DOUBLE),
        Column("T", t.STRING)]
