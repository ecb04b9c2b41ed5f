"""Avro schema identity: Avro Java's `toString()` text, normal form, and invalid schemas."""

from __future__ import annotations

import json

import pytest

from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import InvalidSchema
from tote.serde.schemas import SchemaType, parse_schema

SEED_VALUE = (
    '{"type":"record","name":"KsqlDataSourceSchema","namespace":"io.confluent.ksql.avro_schemas",'
    '"fields":[{"name":"RUNNER_ID","type":["null","int"],"default":null},'
    '{"name":"RACE_ID","type":["null","int"],"default":null},'
    '{"name":"AMOUNT","type":["null","double"],"default":null}],'
    '"connect.name":"io.confluent.ksql.avro_schemas.KsqlDataSourceSchema"}')


def test_canonical_is_compact_and_keeps_attribute_order() -> None:
    pretty = json.dumps(json.loads(SEED_VALUE), indent=4)
    schema = parse_schema("AVRO", pretty)
    assert schema.schema_type is SchemaType.AVRO
    assert schema.canonical() == SEED_VALUE


@pytest.mark.parametrize("text", ['"string"', '{"type": "string"}', ' {"type":"string"} ',
                                  "string"])
def test_primitive_spellings_are_one_schema(text: str) -> None:
    assert parse_schema("AVRO", text).canonical() == '"string"'


def test_java_layout_of_named_types() -> None:
    text = json.dumps({
        "fields": [
            {"type": {"type": "fixed", "size": 16, "name": "md5"}, "name": "hash",
             "doc": "d", "order": "descending", "aliases": ["h"], "x-prop": 1},
            {"name": "again", "type": "md5", "default": "0123456789abcdef"},
            {"name": "other", "type": {"type": "enum", "name": "Suit", "namespace": "cards",
                                       "symbols": ["A", "B"], "default": "A"}},
            {"name": "ref", "type": ["null", "cards.Suit"]},
        ],
        "name": "Rec", "type": "record", "namespace": "com.acme", "aliases": ["Old"],
    })
    assert parse_schema("AVRO", text).canonical() == (
        '{"type":"record","name":"Rec","namespace":"com.acme","fields":['
        '{"name":"hash","type":{"type":"fixed","name":"md5","size":16},"doc":"d",'
        '"order":"descending","aliases":["h"],"x-prop":1},'
        '{"name":"again","type":"md5","default":"0123456789abcdef"},'
        '{"name":"other","type":{"type":"enum","name":"Suit","namespace":"cards",'
        '"symbols":["A","B"],"default":"A"}},'
        '{"name":"ref","type":["null","cards.Suit"]}],"aliases":["Old"]}')


def test_nested_record_in_same_namespace_omits_namespace() -> None:
    text = ('{"type":"record","name":"io.x.Outer","fields":[{"name":"f","type":'
            '{"type":"record","name":"io.x.Inner","fields":[]}}]}')
    assert parse_schema("AVRO", text).canonical() == (
        '{"type":"record","name":"Outer","namespace":"io.x","fields":[{"name":"f","type":'
        '{"type":"record","name":"Inner","fields":[]}}]}')


def test_logical_type_props_keep_their_order() -> None:
    text = '{"type":"bytes","scale":2,"precision":4,"logicalType":"decimal"}'
    assert parse_schema("AVRO", text).canonical() == text


def test_normalized_orders_attributes_and_uses_full_names() -> None:
    a = parse_schema("AVRO", '{"namespace":"n","name":"R","type":"record","fields":[{"name":'
                             '"d","type":{"type":"bytes","scale":2,"precision":4,'
                             '"logicalType":"decimal"},"default":"\\u0000"}]}')
    b = parse_schema("AVRO", '{"type":"record","name":"n.R","fields":[{"default":"\\u0000",'
                             '"name":"d","type":{"logicalType":"decimal","precision":4,'
                             '"type":"bytes","scale":2}}]}')
    assert a.canonical() != b.canonical()
    assert a.normalized() == b.normalized() == (
        '{"name":"n.R","type":"record","fields":[{"name":"d","type":{"type":"bytes",'
        '"logicalType":"decimal","precision":4,"scale":2},"default":"\\u0000"}]}')


def test_equality_follows_canonical_text() -> None:
    assert parse_schema("AVRO", '{"type":"long"}') == parse_schema("AVRO", '"long"')
    assert len({parse_schema("AVRO", '"long"'), parse_schema("AVRO", '{"type":"long"}')}) == 1


def test_references_resolve_and_stay_references() -> None:
    address = '{"type":"record","name":"Address","namespace":"com.acme","fields":[' \
              '{"name":"street","type":"string"}]}'
    text = '{"type":"record","name":"Customer","namespace":"com.acme","fields":[' \
           '{"name":"home","type":"Address"}]}'
    schema = parse_schema("AVRO", text, {"com.acme.Address": address})
    assert schema.canonical() == text


@pytest.mark.parametrize(("text", "detail"), [
    ('{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}',
     '"Missing" is not a defined name. The type of the schema must be a defined name or one '
     "of the primitive types"),
    ('{"type":"record","name":"R","fields":[{"name":"1a","type":"int"}]}',
     "Illegal initial character: 1a"),
    ('{"type":"record","name":"R","fields":[{"name":"a-b","type":"int"}]}',
     "Illegal character in: a-b"),
    ('{"type":"record","name":"R","fields":[{"name":"a","type":"int"},'
     '{"name":"a","type":"long"}]}', "Duplicate field a in record R"),
    ('{"type":"record","name":"R","fields":[{"name":"a","type":["null","int"],"default":1}]}',
     'Invalid default for field a: 1 not a ["null","int"]'),
    ('{"type":"enum","name":"E","symbols":["A","A"]}', "Duplicate enum symbol in E"),
    ('["int","int"]', "Duplicate in union:int"),
    ('{"type":"array"}', 'Array has no items type: {"type": "array"}'),
    ('{"type":"fixed","name":"F"}', 'Invalid or no size: {"type": "fixed", "name": "F"}'),
    ('{"type":"record","name":"R"}', 'Record has no fields: {"type": "record", "name": "R"}'),
])
def test_invalid_schemas(text: str, detail: str) -> None:
    with pytest.raises(InvalidSchema) as info:
        parse_schema("AVRO", text)
    assert info.value.error_code == 42201
    assert info.value.message == f"Invalid schema {text}, details: {detail}"


def test_unparsable_json() -> None:
    with pytest.raises(InvalidSchema) as info:
        parse_schema("AVRO", '{"type": ')
    assert info.value.message.startswith('Invalid schema {"type": , details: Expecting value')


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_schema(text: str) -> None:
    with pytest.raises(InvalidSchema, match="Invalid schema Empty schema"):
        parse_schema("AVRO", text)


def test_unknown_schema_type() -> None:
    with pytest.raises(InvalidSchema) as info:
        parse_schema("XML", "<a/>")
    assert info.value.message == "Invalid schema Unknown schema type: XML"


def test_unresolved_reference_list() -> None:
    with pytest.raises(InvalidSchema, match="Could not resolve references"):
        parse_schema("AVRO", '"string"', {"a": '{"type":"record","name":"A","fields":'
                                                '[{"name":"b","type":"B"}]}'})


def test_schema_type_is_case_insensitive_and_defaults() -> None:
    assert isinstance(parse_schema("avro", '"int"'), AvroSchema)
