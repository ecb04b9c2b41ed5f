"""PROTOBUF rows as ksqlDB writes them: generated schemas, round trips of every SQL type,
null semantics, PROTOBUF_NOSR wrappers and inference from registered schemas."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

import pytest
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tote.core import types as t
from tote.core.types import Column
from tote.serde.errors import InvalidSchema, SerializationError
from tote.serde.ksql_protobuf import KsqlProtobufCodec
from tote.serde.ksql_protobuf_schemas import (
    ProtobufInference,
    decimal_fields,
    protobuf_schema_text,
)
from tote.serde.protobuf_descriptors import ProtoPool
from tote.serde.protobuf_schema import ProtobufSchema
from tote.serde.wire import decode_message_indexes, unframe

UTC = datetime.UTC
ALL_TYPES = [
    Column("B", t.BOOLEAN),
    Column("I", t.INTEGER),
    Column("L", t.BIGINT),
    Column("D", t.DOUBLE),
    Column("DEC", t.decimal(21, 19)),
    Column("S", t.STRING),
    Column("BY", t.BYTES),
    Column("DT", t.DATE),
    Column("TM", t.TIME),
    Column("TS", t.TIMESTAMP),
    Column("A", t.array(t.INTEGER)),
    Column("M", t.map_of(t.STRING, t.decimal(4, 2))),
    Column("ST", t.struct(("X", t.STRING), ("Y", t.array(t.struct(("Z", t.BIGINT)))))),
]
ROW = (
    True,
    -7,
    2**40,
    1.5,
    decimal.Decimal("10.1234512345123451234"),
    "héllo",
    b"\x00\xffbytes",
    datetime.date(2024, 2, 29),
    datetime.time(13, 14, 15, 678000),
    datetime.datetime(2024, 2, 29, 13, 14, 15, 678000, tzinfo=UTC),
    [1, 2, 3],
    {"a": decimal.Decimal("1.50"), "b": decimal.Decimal("-0.01")},
    {"X": "x", "Y": [{"Z": 1}, {"Z": -2}]},
)


def _codec(columns: list[Column], schema_id: int | None = 1, **kwargs: Any) -> KsqlProtobufCodec:
    schema = ProtobufSchema.parse(protobuf_schema_text(columns, kwargs.pop("name", None)))
    return KsqlProtobufCodec(
        columns, ProtoPool(schema.proto, schema.references), schema_id=schema_id, **kwargs
    )


def test_generated_schema_is_connects_shape() -> None:
    text = protobuf_schema_text(
        [
            Column("ID", t.BIGINT),
            Column("VALUE", t.map_of(t.STRING, t.struct(("A", t.STRING)))),
            Column("DEC", t.decimal(6, 4)),
        ]
    )
    assert text == (
        'syntax = "proto3";\n\n'
        'import "confluent/type/decimal.proto";\n\n'
        "message ConnectDefault1 {\n"
        "  int64 ID = 1;\n"
        "  repeated ConnectDefault2Entry VALUE = 2;\n"
        "  confluent.type.Decimal DEC = 3 [(confluent.field_meta) = {\n"
        "    params: [\n"
        "      {\n"
        '        value: "6",\n'
        '        key: "precision"\n'
        "      },\n"
        "      {\n"
        '        value: "4",\n'
        '        key: "scale"\n'
        "      }\n"
        "    ]\n"
        "  }];\n\n"
        "  message ConnectDefault2Entry {\n"
        "    string key = 1;\n"
        "    ConnectDefault3 value = 2;\n\n"
        "    message ConnectDefault3 {\n"
        "      string A = 1;\n"
        "    }\n"
        "  }\n"
        "}\n"
    )


def test_full_schema_name_gives_package_and_message() -> None:
    text = protobuf_schema_text([Column("V", t.struct(("V1", t.STRING)))], "io.test.value")
    assert text.startswith('syntax = "proto3";\npackage io.test;\n\nmessage value {\n')
    assert "ConnectDefault1 V = 1;" in text


def test_nested_arrays_cannot_be_protobuf() -> None:
    with pytest.raises(InvalidSchema, match="Array cannot be nested"):
        protobuf_schema_text([Column("A", t.array(t.array(t.INTEGER)))])


@pytest.mark.parametrize("schema_id", [7, None], ids=["PROTOBUF", "PROTOBUF_NOSR"])
def test_every_sql_type_round_trips(schema_id: int | None) -> None:
    codec = _codec(ALL_TYPES, schema_id)
    assert codec.decode(codec.encode(ROW)) == ROW


def test_framing_is_magic_byte_schema_id_and_message_index() -> None:
    data = _codec([Column("S", t.STRING)], 42).encode(("x",))
    schema_id, body = unframe(data)
    indexes, payload = decode_message_indexes(body)
    assert (schema_id, indexes, payload) == (42, [0], b"\x0a\x01x")


def test_decimal_is_confluents_unscaled_twos_complement() -> None:
    codec = _codec([Column("D", t.decimal(4, 2))], None)
    # field 1 (message): value = 0x85 (-123 in one byte), precision = 3, scale = 2;
    # 200 needs a sign byte: 0x00C8
    assert codec.encode((decimal.Decimal("-1.23"),)) == b"\x0a\x07\x0a\x01\x85\x10\x03\x18\x02"
    assert codec.encode((decimal.Decimal("2.00"),)) == b"\x0a\x08\x0a\x02\x00\xc8\x10\x03\x18\x02"
    assert codec.decode(b"\x0a\x07\x0a\x01\x85\x10\x03\x18\x02") == (decimal.Decimal("-1.23"),)


def test_decimal_keeps_its_scale() -> None:
    codec = _codec([Column("D", t.decimal(6, 4))])
    assert str(codec.decode(codec.encode((decimal.Decimal("10"),)))[0]) == "10.0000"


def test_nulls_read_as_protobuf_defaults_except_messages() -> None:
    codec = _codec(ALL_TYPES)
    nulls = (None,) * len(ALL_TYPES)
    assert codec.decode(codec.encode(nulls)) == (
        False, 0, 0, 0.0, None, "", b"", None, None, None, [], {}, None,
    )  # fmt: skip


def test_optional_representation_keeps_nulls() -> None:
    columns = [Column("I", t.INTEGER), Column("S", t.STRING)]
    text = protobuf_schema_text(columns, nullable="optional")
    assert "optional int32 I = 1;" in text
    codec = KsqlProtobufCodec(columns, ProtoPool(ProtobufSchema.parse(text).proto))
    assert codec.decode(codec.encode((None, "s"))) == (None, "s")
    assert codec.decode(codec.encode((0, None))) == (0, None)


def test_wrapper_representation_keeps_nulls() -> None:
    columns = [Column("I", t.INTEGER), Column("D", t.DOUBLE)]
    text = protobuf_schema_text(columns, nullable="wrapper")
    assert "google.protobuf.Int32Value I = 1;" in text
    codec = KsqlProtobufCodec(columns, ProtoPool(ProtobufSchema.parse(text).proto))
    assert codec.decode(codec.encode((None, 2.5))) == (None, 2.5)


def test_null_array_element_cannot_be_written() -> None:
    codec = _codec([Column("A", t.array(t.STRING))])
    with pytest.raises(SerializationError, match="null element"):
        codec.encode((["a", None],))


def test_unwrapped_primitive_is_a_wrapper_message() -> None:
    codec = _codec([Column("K", t.STRING)], None, unwrap=True)
    assert codec.encode(("key",)) == b"\x0a\x03key"
    assert codec.decode(b"\x0a\x03key") == ("key",)


def test_unwrapped_struct_is_the_struct_message() -> None:
    column = Column("K", t.struct(("F1", t.STRING), ("F2", t.INTEGER)))
    schema = ProtobufSchema.parse(
        protobuf_schema_text([Column(f.name, f.type) for f in column.type.fields])
    )
    codec = KsqlProtobufCodec([column], ProtoPool(schema.proto), unwrap=True)
    assert codec.decode(codec.encode(({"F1": "a", "F2": 3},))) == ({"F1": "a", "F2": 3},)


def test_writes_the_named_message_of_a_multi_message_schema() -> None:
    schema = ProtobufSchema.parse(
        'syntax = "proto3"; message First { uint32 k1 = 1; } message Second { string K = 1; }'
    )
    codec = KsqlProtobufCodec(
        [Column("K", t.STRING)], ProtoPool(schema.proto), message="Second", schema_id=3
    )
    data = codec.encode(("v",))
    assert decode_message_indexes(unframe(data)[1])[0] == [1]
    assert codec.decode(data) == ("v",)


def test_reads_user_schemas_by_field_name_with_ksql_conversions() -> None:
    schema = ProtobufSchema.parse(
        'syntax = "proto3"; enum Colour { RED = 0; BLUE = 1; }'
        " message V { uint64 a = 1; float f = 2; Colour c = 3; map<string, int32> m = 4; }"
    )
    columns = [
        Column("A", t.BIGINT),
        Column("F", t.DOUBLE),
        Column("C", t.STRING),
        Column("M", t.map_of(t.STRING, t.INTEGER)),
    ]
    codec = KsqlProtobufCodec(columns, ProtoPool(schema.proto), schema_id=1)
    row = (2**63 - 1, 0.5, "BLUE", {"x": 1})
    assert codec.decode(codec.encode(row)) == row


def _inferred(text: str, message: str | None = None, **kwargs: Any) -> list[Column]:
    schema = ProtobufSchema.parse(text)
    pool = ProtoPool(schema.proto)
    inference = ProtobufInference(pool, decimal_fields(schema.proto), **kwargs)
    return inference.columns(pool.descriptor(pool.indexes_of(message) if message else [0]))


def test_inference_maps_protobuf_types_to_ksql() -> None:
    text = protobuf_schema_text(ALL_TYPES)
    assert _inferred(text) == ALL_TYPES
    user = (
        'syntax = "proto3"; import "google/protobuf/wrappers.proto";'
        " message P { sint32 a = 1; fixed32 b = 2; float c = 3; bytes d = 4;"
        " google.protobuf.StringValue e = 5; message N { string x = 1; } repeated N n = 6; }"
    )
    assert _inferred(user) == [
        Column("A", t.INTEGER),
        Column("B", t.BIGINT),
        Column("C", t.DOUBLE),
        Column("D", t.BYTES),
        Column("E", t.struct(("VALUE", t.STRING))),
        Column("N", t.array(t.struct(("X", t.STRING)))),
    ]
    assert _inferred(user, unwrap_wrappers=True, keep_case=True)[4] == Column("e", t.STRING)


def test_inference_picks_the_named_message() -> None:
    text = 'syntax = "proto3"; message K1 { uint32 k1 = 1; } message K2 { string K = 1; }'
    assert _inferred(text, "K2") == [Column("K", t.STRING)]


def test_confluent_deserializer_reads_tote_bytes() -> None:
    columns = [Column("ID", t.BIGINT), Column("S", t.STRING)]
    codec = _codec(columns)
    cls = ProtoPool.message_class(codec.descriptor)
    deserializer = ProtobufDeserializer(cls, {"use.deprecated.format": False})
    message = deserializer(codec.encode((5, "x")), SerializationContext("t", MessageField.VALUE))
    assert (message.ID, message.S) == (5, "x")
