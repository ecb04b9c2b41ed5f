"""Flatten$Key/$Value, as Connect's FlattenTest."""

from __future__ import annotations

import decimal

import pytest
from tests.connect.smt_records import applied, configure, record

from tote.connect.data import Schema, Struct, Type, decimal_schema, primitive, struct_schema
from tote.connect.errors import DataException
from tote.connect.transforms.flatten import FlattenKey, FlattenValue

INT32 = primitive(Type.INT32)
STRING = primitive(Type.STRING)


def test_schemaless_nested_maps() -> None:
    value = {"A": {"B": {"int32": 8, "float64": 3.5, "boolean": True, "string": "s",
                         "bytes": b"x", "array": [1, {"x": 1}], "null": None}}, "top": 1}
    out = applied(configure(FlattenValue, {}), record(None, value))
    assert out.value == {"A.B.int32": 8, "A.B.float64": 3.5, "A.B.boolean": True,
                         "A.B.string": "s", "A.B.bytes": b"x", "A.B.array": [1, {"x": 1}],
                         "A.B.null": None, "top": 1}
    assert list(out.value) == ["A.B.int32", "A.B.float64", "A.B.boolean", "A.B.string",
                               "A.B.bytes", "A.B.array", "A.B.null", "top"]


def test_delimiter_and_key() -> None:
    out = applied(configure(FlattenKey, {"delimiter": "#"}),
                  record(None, None, None, {"a": {"b": 1}}))
    assert out.key == {"a#b": 1}


def test_null_is_passed_through() -> None:
    rec = record(struct_schema("S", [("a", INT32)]), None)
    assert configure(FlattenValue, {}).apply(rec) is rec


def test_schemaless_rejects_non_map_and_unsupported_values() -> None:
    flatten = configure(FlattenValue, {})
    with pytest.raises(DataException, match=r"Only Map objects supported in absence of schema "
                                            r"for \[flattening\], found: java.lang.Long"):
        flatten.apply(record(None, 42))
    with pytest.raises(DataException, match=r"Flatten transformation was passed a value of type "
                                            r"class java.math.BigDecimal which is not supported "
                                            r"by Connect's data API"):
        flatten.apply(record(None, {"a": decimal.Decimal("1.5")}))


def test_with_schema_nested_structs_and_optionality() -> None:
    inner = struct_schema(None, [("x", INT32), ("d", decimal_schema(2))], optional=True)
    outer = struct_schema("io.Rec", [("id", STRING), ("inner", inner),
                                     ("arr", Schema(Type.ARRAY, value_schema=INT32))],
                          version=3, doc="doc")
    flatten = configure(FlattenValue, {"delimiter": "_"})
    nested = Struct(inner, {"x": 5, "d": decimal.Decimal("1.25")})
    value = Struct(outer, {"id": "k", "inner": nested, "arr": [1, 2]})
    out = applied(flatten, record(outer, value))
    schema = out.value_schema
    assert schema is not None
    assert (schema.name, schema.version, schema.doc, schema.optional) == ("io.Rec", 3, "doc", False)
    assert [f.name for f in schema.fields] == ["id", "inner_x", "inner_d", "arr"]
    x = schema.field("inner_x")
    d = schema.field("inner_d")
    arr = schema.field("arr")
    assert x is not None and d is not None and arr is not None
    assert x.schema.optional and x.schema.type is Type.INT32  # the parent is optional
    assert d.schema.logical and d.schema.scale == 2 and d.schema.optional
    assert not schema.fields[0].schema.optional
    assert arr.schema.value_schema is INT32
    assert out.value.values == {"id": "k", "inner_x": 5, "inner_d": decimal.Decimal("1.25"),
                                "arr": [1, 2]}
    # the derived schema is cached per input schema
    assert applied(flatten, record(outer, value)).value_schema is schema
    # a null nested struct leaves its flattened fields null
    empty = applied(flatten, record(outer, Struct(outer, {"id": "k", "inner": None})))
    assert empty.value.values == {"id": "k", "arr": None}


def test_with_schema_defaults_come_from_parent_default() -> None:
    inner = struct_schema(None, [("x", INT32)])
    inner_with_default = Schema(Type.STRUCT, fields=inner.fields, optional=True,
                                default=Struct(inner, {"x": 9}))
    outer = struct_schema(None, [("inner", inner_with_default)])
    out = applied(configure(FlattenValue, {}), record(outer, Struct(outer, {"inner": None})))
    field = out.value_schema.field("inner.x") if out.value_schema else None
    assert field is not None and field.schema.default == 9 and field.schema.optional
    assert out.value.values == {"inner.x": 9}


def test_with_schema_map_field_fails() -> None:
    map_schema = Schema(Type.MAP, key_schema=STRING, value_schema=STRING)
    outer = struct_schema(None, [("m", map_schema)])
    with pytest.raises(DataException, match=r"Flatten transformation does not support MAP for "
                                            r"record with schemas \(for field m\)."):
        configure(FlattenValue, {}).apply(record(outer, Struct(outer, {"m": {}})))


def test_with_schema_requires_struct() -> None:
    with pytest.raises(DataException, match=r"Only Struct objects supported for \[flattening\], "
                                            "found: java.lang.Integer"):
        configure(FlattenValue, {}).apply(record(INT32, 5))
