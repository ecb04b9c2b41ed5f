"""Cast$Key/$Value, as Connect's CastTest: spec parsing, Java's conversions, schemas."""

from __future__ import annotations

import datetime
import decimal
import re

import pytest
from tests.connect.smt_records import applied, configure, record

from tote.connect.data import (
    DATE,
    TIME,
    TIMESTAMP,
    Schema,
    Struct,
    Type,
    decimal_schema,
    logical_schema,
    primitive,
    struct_schema,
)
from tote.connect.errors import ConfigException, DataException
from tote.connect.transforms.base import TRANSFORMS
from tote.connect.transforms.cast import CastKey, CastValue

UTC = datetime.UTC
OUTPUTS = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]"
INPUTS = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]"


def whole(spec: str, schema: Schema | None, value: object, key: bool = False) -> tuple[
        Schema | None, object]:
    cls = CastKey if key else CastValue
    rec = record(None, None, schema, value) if key else record(schema, value)
    out = applied(configure(cls, {"spec": spec}), rec)
    return (out.key_schema, out.key) if key else (out.value_schema, out.value)


def test_registered() -> None:
    assert TRANSFORMS["org.apache.kafka.connect.transforms.Cast$Key"] is CastKey
    assert TRANSFORMS["org.apache.kafka.connect.transforms.Cast$Value"] is CastValue


@pytest.mark.parametrize(("spec", "message"), [
    ("", "^Must specify at least one field to cast.$"),
    ("foo:faketype", "^Invalid type found in casting spec: faketype$"),
    ("foo:", "^Invalid type found in casting spec: foo$"),
    ("a:b:c,d:int8", r"^Invalid value \[a:b:c, d:int8\] for configuration renames: "
                     "Invalid rename mapping: a:b:c$"),
    ("int8,int32", "^Cast transformations that specify a type to cast the entire value to may "
                   "only specify a single cast in their spec$"),
    ("array", "^Cast transformation does not support casting to ARRAY; supported types are "
              + re.escape(OUTPUTS) + "$"),
    ("a:bytes", "^Cast transformation does not support casting to BYTES"),
])
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(ConfigException, match=message):
        configure(CastValue, {"spec": spec})


def test_whole_numbers_narrow_as_java() -> None:
    assert whole("int8", primitive(Type.INT32), 42, key=True) == (primitive(Type.INT8), 42)
    assert whole("int8", primitive(Type.INT64), 300)[1] == 44
    assert whole("int16", primitive(Type.INT64), 70000)[1] == 4464
    assert whole("int32", primitive(Type.FLOAT64), 1e20)[1] == 2**31 - 1
    assert whole("int8", primitive(Type.FLOAT64), -1e20)[1] == 0
    assert whole("int64", primitive(Type.FLOAT64), -42.9)[1] == -42
    assert whole("int32", primitive(Type.BOOLEAN), True)[1] == 1
    assert whole("boolean", primitive(Type.FLOAT64), 0.5)[1] is False
    assert whole("boolean", primitive(Type.INT32), 2)[1] is True
    assert whole("float32", primitive(Type.FLOAT64), 0.1)[1] == pytest.approx(0.1)
    assert whole("float32", primitive(Type.FLOAT64), 0.1)[1] != 0.1


def test_whole_strings_parse_as_java() -> None:
    assert whole("int32", primitive(Type.STRING), "-42")[1] == -42
    assert whole("float64", primitive(Type.STRING), "1.5e3")[1] == 1500.0
    assert whole("boolean", primitive(Type.STRING), "TRUE")[1] is True
    assert whole("boolean", primitive(Type.STRING), "yes")[1] is False
    for spec, text in (("int8", "300"), ("int32", "4.2"), ("int64", "abc"), ("float64", "x")):
        with pytest.raises(DataException, match=rf"^Value \({text}\) was out of range for "
                                                "requested data type$"):
            whole(spec, primitive(Type.STRING), text)


def test_to_string() -> None:
    assert whole("string", primitive(Type.FLOAT64), 42.0) == (primitive(Type.STRING), "42.0")
    assert whole("string", primitive(Type.FLOAT64), 1e10)[1] == "1.0E10"
    assert whole("string", primitive(Type.FLOAT32), 0.1)[1] == "0.1"
    assert whole("string", primitive(Type.BOOLEAN), False)[1] == "false"
    assert whole("string", primitive(Type.BYTES), b"\x01\x02\x03")[1] == "AQID"
    assert whole("string", decimal_schema(2), decimal.Decimal("1.25"))[1] == "1.25"
    assert whole("string", logical_schema(DATE), datetime.date(2020, 5, 1))[1] == "2020-05-01"
    assert whole("string", logical_schema(TIME), datetime.time(10, 0, 1, 5000))[1] == \
        "10:00:01.005Z"
    ts = datetime.datetime(2020, 5, 1, 10, 0, 0, 123000, tzinfo=UTC)
    assert whole("string", logical_schema(TIMESTAMP), ts)[1] == "2020-05-01T10:00:00.123Z"
    # Connect's dateFormatFor picks the time-only form for anything before day two
    assert whole("string", logical_schema(DATE), datetime.date(1970, 1, 1))[1] == \
        "00:00:00.000Z"


def test_logical_types_to_numbers() -> None:
    assert whole("int32", logical_schema(DATE), datetime.date(1970, 1, 11))[1] == 10
    assert whole("int64", logical_schema(TIMESTAMP),
                 datetime.datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC))[1] == 1000
    assert whole("int32", logical_schema(TIME), datetime.time(0, 0, 2))[1] == 2000
    assert whole("int32", decimal_schema(2), decimal.Decimal("-7.99"))[1] == -7
    assert whole("float64", decimal_schema(2), decimal.Decimal("7.25"))[1] == 7.25


def test_whole_cast_keeps_schema_basics_optional_and_default() -> None:
    source = Schema(Type.INT64, optional=True, default=300, name="n", version=2, doc="d")
    schema, value = whole("int8", source, 5)
    assert schema == Schema(Type.INT8, optional=True, default=44, name="n", version=2, doc="d")
    assert value == 5


def test_unsupported_inputs() -> None:
    with pytest.raises(DataException, match="^Cast transformation does not support casting "
                                            "from ARRAY; supported types are "
                                            + re.escape(INPUTS) + "$"):
        whole("int32", Schema(Type.ARRAY, value_schema=primitive(Type.INT32)), [1])
    with pytest.raises(DataException, match=r"^Unexpected type in Cast transformation: "
                                            r"class \[B$"):
        whole("int32", primitive(Type.BYTES), b"x")
    with pytest.raises(DataException, match=r"^Cast transformation was passed a value of type "
                                            r"class java.math.BigDecimal which is not supported "
                                            r"by Connect's data API$"):
        whole("int32", None, decimal.Decimal(1))


def test_null_passes_through() -> None:
    rec = record(primitive(Type.INT32, optional=True), None)
    assert configure(CastValue, {"spec": "int8"}).apply(rec) is rec


def test_schemaless() -> None:
    assert whole("int32", None, 42.9) == (None, 42)
    assert whole("string", None, 42) == (None, "42")
    cast = configure(CastValue, {"spec": "a:string, b:int8,missing:int32"})
    out = applied(cast, record(None, {"a": 1.5, "b": "12", "c": True}))
    assert out.value == {"a": "1.5", "b": 12, "c": True, "missing": None}
    with pytest.raises(DataException, match=r"Only Map objects supported in absence of schema "
                                            r"for \[cast types\], found: java.lang.String"):
        cast.apply(record(None, "x"))


def test_struct_fields() -> None:
    source = struct_schema("io.Rec", [
        ("int8", primitive(Type.INT8, optional=True, default=5)),
        ("string", primitive(Type.STRING)),
        ("kept", primitive(Type.INT64)),
        ("ts", logical_schema(TIMESTAMP, optional=True)),
    ], version=1)
    cast = configure(CastValue, {"spec": "int8:string,string:int64,ts:int64"})
    value = Struct(source, {"int8": None, "string": "99", "kept": 7,
                            "ts": datetime.datetime(1970, 1, 1, 0, 0, 2, tzinfo=UTC)})
    out = applied(cast, record(source, value))
    schema = out.value_schema
    assert schema is not None and schema.name == "io.Rec" and schema.version == 1
    assert [(f.name, f.schema) for f in schema.fields] == [
        ("int8", Schema(Type.STRING, optional=True, default="5")),
        ("string", primitive(Type.INT64)),
        ("kept", primitive(Type.INT64)),
        ("ts", primitive(Type.INT64, optional=True)),
    ]
    assert schema.fields[2].schema is source.fields[2].schema
    assert dict(out.value.values) == {"int8": "5", "string": 99, "kept": 7, "ts": 2000}
    assert applied(cast, record(source, value)).value_schema is schema
    keep_null = configure(CastValue, {"spec": "int8:string", "replace.null.with.default": "false"})
    assert applied(keep_null, record(source, value)).value.values["int8"] is None
    with pytest.raises(DataException, match=r"^Cannot list fields on non-struct type$"):
        cast.apply(record(primitive(Type.INT32), 5))
    other = struct_schema(None, [("x", primitive(Type.INT32))])
    with pytest.raises(DataException, match=r"Only Struct objects supported for \[cast types\], "
                                            "found: java.lang.String"):
        cast.apply(record(other, "not a struct"))
