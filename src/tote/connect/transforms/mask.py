"""MaskField: replace chosen fields with their type's empty value (0, false, "", epoch,
empty list or map) or with a `replacement` converted to the field's type, as Connect's
`org.apache.kafka.connect.transforms.MaskField`.

What a value is masked to depends on its Java class, which tote infers from the field's
schema (or, schemaless, from the JSON value: whole numbers are Longs).
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from tote.connect.configdef import (
    NO_DEFAULT,
    ConfigDef,
    ConfigKey,
    ConfigType,
    Importance,
    non_empty_string,
)
from tote.connect.data import DATE, TIME, Schema, SinkRecord, Struct
from tote.connect.errors import DataException
from tote.connect.transforms.base import Transformation
from tote.connect.transforms.java_numbers import narrow_int, to_float32
from tote.connect.transforms.support import (
    REPLACE_NULL_WITH_DEFAULT,
    Sided,
    field_value,
    java_class,
    key_and_value,
    non_empty_list,
    replace_null_key,
    require_map,
    require_struct,
)

FIELDS = "fields"
REPLACEMENT = "replacement"
PURPOSE = "mask fields"


CONFIG_DEF = ConfigDef([
    ConfigKey(FIELDS, ConfigType.LIST, NO_DEFAULT, Importance.HIGH, "Names of fields to mask.",
              validator=non_empty_list),
    ConfigKey(REPLACEMENT, ConfigType.STRING, None, Importance.LOW,
              "Custom value replacement, that will be applied to all 'fields' values (numeric "
              "or non-empty string values only).", validator=non_empty_string),
    replace_null_key(),
])

_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_EMPTY: dict[str, Callable[[], Any]] = {
    "java.lang.Boolean": lambda: False, "java.lang.Byte": lambda: 0, "java.lang.Short": lambda: 0,
    "java.lang.Integer": lambda: 0, "java.lang.Long": lambda: 0, "java.lang.Float": lambda: 0.0,
    "java.lang.Double": lambda: 0.0, "java.math.BigDecimal": lambda: decimal.Decimal(0),
    "java.lang.String": lambda: "", "java.util.ArrayList": list, "java.util.HashMap": dict,
}
# `new BigDecimal(String)`'s syntax (Python's Decimal also takes nan, inf, spaces and _).
_BIG_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _big_decimal(text: str) -> decimal.Decimal | None:
    return decimal.Decimal(text) if _BIG_DECIMAL.fullmatch(text) else None


def _as_long(text: str) -> int:
    """Connect's `Values.asLong` of a string: `new BigDecimal(s).longValue()`."""
    number = _big_decimal(text)
    if number is None:
        raise DataException(f"Unable to convert {text} (class java.lang.String) to a number")
    return narrow_int(int(number), 64)


def _as_double(text: str) -> float:
    number = _big_decimal(text)
    return float(number) if number is not None else float(_as_long(text))


def _to_decimal(text: str) -> decimal.Decimal:
    number = _big_decimal(text)
    if number is None:
        raise DataException(f"Unable to convert {text} (class java.lang.String) to number")
    return number


_REPLACE: dict[str, Callable[[str], Any]] = {
    "java.lang.Byte": lambda s: narrow_int(_as_long(s), 8),
    "java.lang.Short": lambda s: narrow_int(_as_long(s), 16),
    "java.lang.Integer": lambda s: narrow_int(_as_long(s), 32),
    "java.lang.Long": _as_long,
    "java.lang.Float": lambda s: to_float32(_as_double(s)),
    "java.lang.Double": _as_double,
    "java.lang.String": lambda s: s,
    "java.math.BigDecimal": _to_decimal,
}


def _epoch(schema: Schema | None, value: Any) -> Any:
    """`new Date(0)` in the value's own representation."""
    if (schema is not None and schema.name == DATE) or (
            schema is None and type(value) is datetime.date):
        return _EPOCH.date()
    if (schema is not None and schema.name == TIME) or isinstance(value, datetime.time):
        return datetime.time(0)
    return _EPOCH


class MaskField(Sided, Transformation):
    """Shared by `$Key` and `$Value`."""

    config_def: ClassVar[ConfigDef] = CONFIG_DEF

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(props)
        self.fields: frozenset[str] = frozenset(props[FIELDS])
        self.replacement: str | None = props.get(REPLACEMENT)
        self.with_default: bool = props.get(REPLACE_NULL_WITH_DEFAULT, True)

    def apply(self, record: SinkRecord) -> SinkRecord | None:
        schema = self.side.schema(record)
        value = self.side.value(record)
        if schema is None:
            source = require_map(value, PURPOSE)
            updated = dict(source)
            for name in self.fields:
                updated[name] = self._masked(source.get(name), None)
            return self.side.replace(record, None, updated)
        struct = require_struct(value, PURPOSE, schema)
        values: dict[str, Any] = {}
        for field in struct.schema.fields:
            original = field_value(struct, field, self.with_default)
            values[field.name] = (self._masked(original, field.schema)
                                  if field.name in self.fields else original)
        return self.side.replace(record, schema, Struct(struct.schema, values))

    def _masked(self, value: Any, schema: Schema | None) -> Any:
        if value is None:
            return None
        kind = java_class(value, schema)
        if self.replacement is None:
            if kind == "java.util.Date":
                return _epoch(schema, value)
            empty = _EMPTY.get(kind)
            if empty is None:
                raise DataException(f"Cannot mask value of type: class {kind}")
            return empty()
        convert = _REPLACE.get(kind)
        if convert is None:
            raise DataException(f"Cannot mask value of type class {kind} with custom replacement.")
        return convert(self.replacement)


MaskFieldKey, MaskFieldValue = key_and_value(MaskField, "MaskField")
