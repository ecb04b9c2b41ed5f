"""MaskField$Key/$Value, as Connect's MaskFieldTest."""

from __future__ import annotations

import datetime
import decimal

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
from tote.connect.transforms.mask import MaskFieldKey, MaskFieldValue

UTC = datetime.UTC
SCHEMA = struct_schema(None, [
    ("magic", primitive(Type.INT32)), ("bool", primitive(Type.BOOLEAN)),
    ("byte", primitive(Type.INT8)), ("short", primitive(Type.INT16)),
    ("int", primitive(Type.INT32)), ("long", primitive(Type.INT64)),
    ("float", primitive(Type.FLOAT32)), ("double", primitive(Type.FLOAT64)),
    ("string", primitive(Type.STRING)), ("date", logical_schema(DATE)),
    ("time", logical_schema(TIME)), ("timestamp", logical_schema(TIMESTAMP)),
    ("decimal", decimal_schema(0)),
    ("array", Schema(Type.ARRAY, optional=True, value_schema=primitive(Type.INT32))),
    ("map", Schema(Type.MAP, optional=True, key_schema=primitive(Type.STRING),
                   value_schema=primitive(Type.STRING))),
    ("withDefault", primitive(Type.STRING, optional=True, default="default")),
])
VALUES = {"magic": 42, "bool": True, "byte": 42, "short": 42, "int": 42, "long": 42,
          "float": 42.0, "double": 42.0, "string": "55.121.20.20",
          "date": datetime.date(2020, 5, 1), "time": datetime.time(10, 0),
          "timestamp": datetime.datetime(2020, 5, 1, 10, tzinfo=UTC),
          "decimal": decimal.Decimal(42), "array": [1, 2, 3], "map": {"what": "what"},
          "withDefault": None}
ALL = ",".join(n for n in VALUES if n != "magic")


def test_fields_required_and_non_empty() -> None:
    with pytest.raises(ConfigException, match='Missing required configuration "fields"'):
        configure(MaskFieldValue, {})
    with pytest.raises(ConfigException, match=r"^Invalid value \[\] for configuration fields: "
                                              "Empty list$"):
        configure(MaskFieldValue, {"fields": ""})
    with pytest.raises(ConfigException, match="Invalid value  for configuration replacement: "
                                              "String must be non-empty"):
        configure(MaskFieldValue, {"fields": "a", "replacement": " "})


def test_missing_fields_validate_as_java_null() -> None:
    """config/validate runs `NonEmptyListValidator` on a missing value; Java prints `null`."""
    validator = MaskFieldValue.config_def.keys["fields"].validator
    assert validator is not None
    with pytest.raises(ConfigException, match=r"^Invalid value null for configuration fields: "
                                              r"Empty list$"):
        validator("fields", None)


def test_with_schema_masks_to_empty_values() -> None:
    rec = record(SCHEMA, Struct(SCHEMA, VALUES))
    out = applied(configure(MaskFieldValue, {"fields": ALL}), rec)
    assert out.value_schema is SCHEMA
    assert dict(out.value.values) == {
        "magic": 42, "bool": False, "byte": 0, "short": 0, "int": 0, "long": 0, "float": 0.0,
        "double": 0.0, "string": "", "date": datetime.date(1970, 1, 1),
        "time": datetime.time(0), "timestamp": datetime.datetime(1970, 1, 1, tzinfo=UTC),
        "decimal": decimal.Decimal(0), "array": [], "map": {}, "withDefault": ""}


def test_replace_null_with_default_off_keeps_null() -> None:
    rec = record(SCHEMA, Struct(SCHEMA, VALUES))
    out = applied(configure(MaskFieldValue, {"fields": "withDefault",
                                             "replace.null.with.default": "false"}), rec)
    assert out.value.values["withDefault"] is None


def test_with_schema_custom_replacement() -> None:
    rec = record(SCHEMA, Struct(SCHEMA, VALUES))
    out = applied(configure(MaskFieldValue, {
        "fields": "byte,short,int,long,float,double,string,decimal", "replacement": "300.7"}),
        rec)
    got = out.value.values
    assert (got["byte"], got["short"], got["int"], got["long"]) == (44, 300, 300, 300)
    assert got["float"] == pytest.approx(300.7) and got["double"] == 300.7
    assert got["string"] == "300.7" and got["decimal"] == decimal.Decimal("300.7")


def test_replacement_errors() -> None:
    rec = record(SCHEMA, Struct(SCHEMA, VALUES))
    with pytest.raises(DataException, match=r"Cannot mask value of type class java.lang.Boolean "
                                            r"with custom replacement\."):
        configure(MaskFieldValue, {"fields": "bool", "replacement": "1"}).apply(rec)
    with pytest.raises(DataException, match=r"Unable to convert abc \(class java.lang.String\) "
                                            "to a number"):
        configure(MaskFieldValue, {"fields": "int", "replacement": "abc"}).apply(rec)
    with pytest.raises(DataException, match=r"Unable to convert abc \(class java.lang.String\) "
                                            "to number"):
        configure(MaskFieldValue, {"fields": "decimal", "replacement": "abc"}).apply(rec)


def test_schemaless() -> None:
    value = {"magic": 42, "bool": True, "long": 7, "double": 1.5, "string": "x",
             "array": [1], "map": {"a": 1}, "decimal": decimal.Decimal("1.5")}
    out = applied(configure(MaskFieldKey, {"fields": ",".join(value) + ",absent"}),
                  record(None, None, None, value))
    assert out.key == {"magic": 0, "bool": False, "long": 0, "double": 0.0, "string": "",
                       "array": [], "map": {}, "decimal": decimal.Decimal(0), "absent": None}
    assert value["magic"] == 42  # the input is not changed


def test_unmaskable_and_wrong_shapes() -> None:
    mask = configure(MaskFieldValue, {"fields": "b"})
    with pytest.raises(DataException, match=r"Cannot mask value of type: class \[B"):
        mask.apply(record(None, {"b": b"x"}))
    with pytest.raises(DataException, match=r"Only Map objects supported in absence of schema "
                                            r"for \[mask fields\], found: null"):
        mask.apply(record(None, None))
    with pytest.raises(DataException, match=r"Only Struct objects supported for \[mask fields\]"
                                            ", found: null"):
        mask.apply(record(SCHEMA, None))
