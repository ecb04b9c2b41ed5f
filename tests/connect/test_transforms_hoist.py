"""HoistField$Key/$Value, as Connect's HoistFieldTest."""

from __future__ import annotations

import pytest
from tests.connect.smt_records import applied, configure, record

from tote.connect.data import Struct, Type, primitive
from tote.connect.errors import ConfigException, DataException
from tote.connect.transforms.base import TRANSFORMS
from tote.connect.transforms.hoist import HoistFieldKey, HoistFieldValue

INT32 = primitive(Type.INT32)


def test_registered_under_connect_names() -> None:
    assert TRANSFORMS["org.apache.kafka.connect.transforms.HoistField$Key"] is HoistFieldKey
    assert TRANSFORMS["org.apache.kafka.connect.transforms.HoistField$Value"] is HoistFieldValue


def test_field_is_required() -> None:
    with pytest.raises(ConfigException, match=r'Missing required configuration "field" which '
                                              r"has no default value\."):
        configure(HoistFieldKey, {})


def test_schemaless_key() -> None:
    out = applied(configure(HoistFieldKey, {"field": "magic"}), record(None, None, None, 42))
    assert out.key_schema is None
    assert out.key == {"magic": 42}


def test_schemaless_null_value_is_wrapped() -> None:
    out = applied(configure(HoistFieldValue, {"field": "magic"}), record(None, None))
    assert out.value == {"magic": None}


def test_with_schema_builds_and_caches_struct_schema() -> None:
    hoist = configure(HoistFieldKey, {"field": "magic"})
    out = applied(hoist, record(None, None, INT32, 42))
    assert out.key_schema is not None
    assert out.key_schema.type is Type.STRUCT
    assert [(f.name, f.schema) for f in out.key_schema.fields] == [("magic", INT32)]
    assert out.key == Struct(out.key_schema, {"magic": 42})
    again = applied(hoist, record(None, None, INT32, 7))
    assert again.key_schema is out.key_schema
    assert out.value is None and out.value_schema is None


def test_with_schema_null_for_required_schema_fails() -> None:
    hoist = configure(HoistFieldValue, {"field": "magic"})
    with pytest.raises(DataException, match='Invalid value: null used for required field: '
                                            '"magic", schema type: INT32'):
        hoist.apply(record(INT32, None))
    optional = primitive(Type.INT32, optional=True)
    out = applied(hoist, record(optional, None))
    assert out.value.values == {"magic": None}
