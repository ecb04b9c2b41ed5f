"""TimestampConverter$Key/$Value, as Connect's TimestampConverterTest."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from tests.connect.smt_records import applied, configure, record

from tote.connect.data import (
    DATE,
    TIME,
    TIMESTAMP,
    Schema,
    Struct,
    Type,
    logical_schema,
    primitive,
    struct_schema,
)
from tote.connect.errors import ConfigException, ConnectException, DataException
from tote.connect.transforms.base import TRANSFORMS
from tote.connect.transforms.timestamp_converter import (
    TimestampConverterKey,
    TimestampConverterValue,
)

UTC = datetime.UTC
FORMAT = "yyyy MM dd HH mm ss SSS z"
# 1970-01-02 00:00:01.000 UTC, as Connect's test's DATE_PLUS_TIME
MILLIS = 86_401_000
MOMENT = datetime.datetime(1970, 1, 2, 0, 0, 1, tzinfo=UTC)
TEXT = "1970 01 02 00 00 01 000 UTC"


def convert(props: dict[str, str], schema: Schema | None, value: Any,
            key: bool = False) -> tuple[Schema | None, Any]:
    cls = TimestampConverterKey if key else TimestampConverterValue
    rec = record(None, None, schema, value) if key else record(schema, value)
    out = applied(configure(cls, props), rec)
    return (out.key_schema, out.key) if key else (out.value_schema, out.value)


def test_registered() -> None:
    name = "org.apache.kafka.connect.transforms.TimestampConverter$"
    assert TRANSFORMS[name + "Key"] is TimestampConverterKey
    assert TRANSFORMS[name + "Value"] is TimestampConverterValue


@pytest.mark.parametrize(("props", "message"), [
    ({}, 'Missing required configuration "target.type" which has no default value.'),
    ({"target.type": "invalid"}, "Invalid value invalid for configuration target.type: String "
                                 "must be one of: string, unix, Date, Time, Timestamp"),
    ({"target.type": "date"}, "Invalid value date for configuration target.type"),
    ({"target.type": "string"}, "TimestampConverter requires format option to be specified "
                                "when using string timestamps"),
    ({"target.type": "unix", "format": "bad-format"},
     "TimestampConverter requires a SimpleDateFormat-compatible pattern for string timestamps: "
     "bad-format"),
    ({"target.type": "unix", "format": "yyyy'"},
     "TimestampConverter requires a SimpleDateFormat-compatible pattern"),
    ({"target.type": "unix", "unix.precision": "hours"},
     "Invalid value hours for configuration unix.precision: String must be one of: "
     "nanoseconds, microseconds, milliseconds, seconds"),
])
def test_config_errors(props: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigException) as caught:
        configure(TimestampConverterValue, props)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(("target", "expected"), [
    ("Timestamp", MOMENT), ("Date", datetime.date(1970, 1, 2)),
    ("Time", datetime.time(0, 0, 1)), ("unix", MILLIS), ("string", TEXT),
])
def test_schemaless_from_each_source(target: str, expected: Any) -> None:
    props = {"target.type": target, "format": FORMAT}
    for source in (MOMENT, MILLIS, TEXT):
        assert convert(props, None, source) == (None, expected), source


def test_schemaless_unix_precision() -> None:
    props = {"target.type": "Timestamp", "unix.precision": "seconds"}
    assert convert(props, None, 86_401)[1] == MOMENT
    props["unix.precision"] = "microseconds"
    assert convert(props, None, 86_401_000_999)[1] == MOMENT
    props["unix.precision"] = "nanoseconds"
    assert convert(props, None, 86_401_000_999_999)[1] == MOMENT
    out = {"target.type": "unix", "unix.precision": "seconds"}
    before = datetime.datetime(1969, 12, 31, 23, 59, 58, 500000, tzinfo=UTC)  # -1500 ms
    assert convert(out, None, before)[1] == -1  # Java's division rounds toward zero
    out["unix.precision"] = "nanoseconds"
    assert convert(out, None, MOMENT)[1] == MILLIS * 1_000_000


def test_schemaless_field_and_errors() -> None:
    props = {"target.type": "unix", "field": "ts"}
    assert convert(props, None, {"ts": MOMENT, "other": 1}) == (None, {"ts": MILLIS, "other": 1})
    assert convert(props, None, {"other": 1})[1] == {"other": 1, "ts": None}
    assert convert(props, None, None) == (None, None)
    with pytest.raises(DataException, match=r"Only Map objects supported in absence of schema "
                                            r"for \[converting timestamp formats\], found: "
                                            r"java.lang.Long"):
        convert(props, None, 5)
    with pytest.raises(DataException, match=r"TimestampConverter does not support class "
                                            r"java\.lang\.Double objects as timestamps"):
        convert({"target.type": "unix"}, None, 1.5)
    with pytest.raises(DataException, match=r"Could not parse timestamp: value \(1970-01\) does "
                                            r"not match pattern \(yyyy MM dd\)"):
        convert({"target.type": "unix", "format": "yyyy MM dd"}, None, "1970-01")


def test_with_schema_whole_value() -> None:
    props = {"target.type": "string", "format": FORMAT}
    assert convert(props, logical_schema(TIMESTAMP), MOMENT, key=True) == (
        primitive(Type.STRING), TEXT)
    assert convert(props, logical_schema(TIMESTAMP, optional=True), None) == (
        primitive(Type.STRING, optional=True), None)
    assert convert({"target.type": "Timestamp", "format": FORMAT}, primitive(Type.STRING),
                   TEXT) == (logical_schema(TIMESTAMP), MOMENT)
    assert convert({"target.type": "Date"}, primitive(Type.INT64), MILLIS) == (
        logical_schema(DATE), datetime.date(1970, 1, 2))
    assert convert({"target.type": "Time"}, logical_schema(TIMESTAMP), MOMENT) == (
        logical_schema(TIME), datetime.time(0, 0, 1))
    assert convert({"target.type": "unix"}, logical_schema(DATE), datetime.date(1970, 1, 2)) == (
        primitive(Type.INT64), 86_400_000)
    with pytest.raises(ConnectException, match=r"Schema Schema\{INT32\} does not correspond "
                                               "to a known timestamp type format"):
        convert({"target.type": "unix"}, primitive(Type.INT32), 5)
    with pytest.raises(DataException, match=r"Expected Unix timestamp to be a Long, but found "
                                            r"class java\.lang\.String"):
        convert({"target.type": "Timestamp"}, primitive(Type.INT64), "5")


def test_with_schema_field() -> None:
    source = struct_schema("io.Rec", [("id", primitive(Type.STRING)),
                                      ("ts", primitive(Type.INT64, optional=True))], version=4)
    converter = configure(TimestampConverterValue, {"target.type": "Timestamp", "field": "ts"})
    out = applied(converter, record(source, Struct(source, {"id": "a", "ts": MILLIS})))
    schema = out.value_schema
    assert schema is not None and (schema.name, schema.version) == ("io.Rec", 4)
    assert [(f.name, f.schema) for f in schema.fields] == [
        ("id", primitive(Type.STRING)), ("ts", logical_schema(TIMESTAMP, optional=True))]
    assert schema.fields[0].schema is source.fields[0].schema
    assert dict(out.value.values) == {"id": "a", "ts": MOMENT}
    again = applied(converter, record(source, Struct(source, {"id": "b", "ts": None})))
    assert again.value_schema is schema
    assert again.value.values["ts"] is None
    empty = applied(converter, record(source, None))
    assert empty.value_schema is schema and empty.value is None


def test_with_schema_field_default_and_replace_null() -> None:
    ts = Schema(Type.INT64, optional=True, default=MILLIS)
    source = struct_schema(None, [("ts", ts)])
    props = {"target.type": "Date", "field": "ts"}
    assert convert(props, source, Struct(source, {}))[1].values == {
        "ts": datetime.date(1970, 1, 2)}
    props["replace.null.with.default"] = "false"
    assert convert(props, source, Struct(source, {}))[1].values == {"ts": None}


def test_with_schema_field_needs_struct_schema() -> None:
    props = {"target.type": "unix", "field": "ts"}
    with pytest.raises(DataException, match=r"^Cannot list fields on non-struct type$"):
        convert(props, primitive(Type.INT64, optional=True), None)
    with pytest.raises(DataException, match=r"Only Struct objects supported for \[converting "
                                            r"timestamp formats\], found: java\.lang\.Long"):
        convert(props, primitive(Type.INT64), 5)
