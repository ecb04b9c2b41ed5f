"""Cast: cast fields (`spec=a:int32,b:string`) or the whole key or value (`spec=int64`) to
another primitive type, as Connect's `org.apache.kafka.connect.transforms.Cast`.

Java's conversions are kept: numbers narrow by truncation (`(byte) 300 == 44`), strings
parse with `Integer.parseInt` and friends, `boolean` is `Boolean.parseBoolean`, Date, Time
and Timestamp cast to numbers as their encoded days or milliseconds and to strings in
ISO 8601 (chosen by Connect's `Values.dateFormatFor`), and bytes cast to base64 text.
"""

from __future__ import annotations

import base64
import datetime
import decimal
from collections.abc import Mapping
from typing import Any, ClassVar

from tote.connect.configdef import NO_DEFAULT, ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import DATE, TIME, TIMESTAMP, Field, Schema, SinkRecord, Struct, Type
from tote.connect.errors import ConfigException, DataException
from tote.connect.transforms.base import Transformation
from tote.connect.transforms.java_numbers import (
    double_text,
    float_to_int,
    narrow_int,
    parse_float,
    parse_int,
    to_float32,
)
from tote.connect.transforms.support import (
    REPLACE_NULL_WITH_DEFAULT,
    SchemaCache,
    Sided,
    check_put,
    copy_basics,
    epoch_millis,
    field_value,
    inferred_type,
    java_class_text,
    key_and_value,
    replace_null_key,
    require_map,
    require_struct,
)

SPEC = "spec"
PURPOSE = "cast types"
_INPUTS = (Type.INT8, Type.INT16, Type.INT32, Type.INT64, Type.FLOAT32, Type.FLOAT64,
           Type.BOOLEAN, Type.STRING, Type.BYTES)
_OUTPUTS = _INPUTS[:-1]
_BITS = {Type.INT8: 8, Type.INT16: 16, Type.INT32: 32, Type.INT64: 64}
_DAY_MS = 86_400_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _names(kinds: tuple[Type, ...]) -> str:
    return "[" + ", ".join(k.name for k in kinds) + "]"


def _java_split(text: str) -> list[str]:
    """`String.split(":")`: trailing empty strings dropped, but "" stays [""]."""
    parts = text.split(":")
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    return parts


def _target(text: str) -> Type:
    try:
        kind = Type[text.strip().upper()]
    except KeyError:
        raise ConfigException(f"Invalid type found in casting spec: {text.strip()}") from None
    if kind not in _OUTPUTS:
        raise ConfigException(f"Cast transformation does not support casting to {kind.name}; "
                              f"supported types are {_names(_OUTPUTS)}")
    return kind


def parse_spec(mappings: list[str]) -> tuple[dict[str, Type], Type | None]:
    """Field casts, and the whole-value cast if the spec is a single bare type."""
    casts: dict[str, Type] = {}
    whole: Type | None = None
    for mapping in mappings:
        parts = _java_split(mapping)
        if len(parts) > 2:
            raise ConfigException(f"Invalid value [{', '.join(mappings)}] for configuration "
                                  f"renames: Invalid rename mapping: {mapping}")
        if len(parts) == 1:
            whole = _target(parts[0])
        else:
            casts[parts[0].strip()] = _target(parts[1])
    if whole is not None and len(mappings) > 1:
        raise ConfigException("Cast transformations that specify a type to cast the entire "
                              "value to may only specify a single cast in their spec")
    return casts, whole


def _check_spec(name: str, value: Any) -> None:
    if not value:
        raise ConfigException("Must specify at least one field to cast.")
    parse_spec(value)


CONFIG_DEF = ConfigDef([
    ConfigKey(SPEC, ConfigType.LIST, NO_DEFAULT, Importance.HIGH,
              "List of fields and the type to cast them to of the form field1:type,field2:type "
              "to cast fields of Maps or Structs. A single type to cast the entire value. Valid "
              "types are int8, int16, int32, int64, float32, float64, boolean, and string. Note "
              "that binary fields can only be cast to string.", validator=_check_spec),
    replace_null_key(),
])


def _encode_logical(schema: Schema, value: Any) -> Any:
    """Date as days since the epoch, Time and Timestamp as milliseconds."""
    if schema.name == DATE:
        return epoch_millis(value) // _DAY_MS
    if schema.name in (TIME, TIMESTAMP):
        return epoch_millis(value)
    return value


def _date_text(value: Any) -> str:
    """Connect's `Values.dateFormatFor(date).format(date)` (the worker's zone taken as UTC)."""
    millis = epoch_millis(value)
    moment = _EPOCH + datetime.timedelta(milliseconds=millis)
    clock = f"{moment:%H:%M:%S}.{moment.microsecond // 1000:03d}Z"
    if millis < _DAY_MS:
        return clock
    day = f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
    return day if millis % _DAY_MS == 0 else f"{day}T{clock}"


def _to_number(value: Any, target: Type) -> Any:
    if isinstance(value, bool):
        return (1 if value else 0) if target in _BITS else (1.0 if value else 0.0)
    if isinstance(value, int):
        if target in _BITS:
            return narrow_int(value, _BITS[target])
        return to_float32(float(value)) if target is Type.FLOAT32 else float(value)
    if isinstance(value, float):
        if target in _BITS:
            return float_to_int(value, _BITS[target])
        return to_float32(value) if target is Type.FLOAT32 else value
    if isinstance(value, decimal.Decimal):
        if target in _BITS:
            return narrow_int(int(value), _BITS[target]) if value.is_finite() else 0
        return to_float32(float(value)) if target is Type.FLOAT32 else float(value)
    if isinstance(value, str):
        if target in _BITS:
            return parse_int(value, _BITS[target])
        number = parse_float(value)
        return to_float32(number) if target is Type.FLOAT32 else number
    raise DataException(f"Unexpected type in Cast transformation: {java_class_text(value)}")


def _to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, float):
        return float_to_int(value, 64) != 0
    if isinstance(value, decimal.Decimal):
        return value.is_finite() and narrow_int(int(value), 64) != 0
    if isinstance(value, str):
        return value.lower() == "true"
    raise DataException(f"Unexpected type in Cast transformation: {java_class_text(value)}")


def _to_string(value: Any, schema: Schema | None) -> str:
    if isinstance(value, (datetime.date, datetime.time)):
        return _date_text(value)
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return double_text(value, schema is not None and schema.type is Type.FLOAT32)
    if isinstance(value, Struct):
        return repr(value)
    return str(value)


def cast_value(schema: Schema | None, value: Any, target: Type) -> Any:
    """Connect's `Cast.castValueToType`."""
    if value is None:
        return None
    kind = schema.type if schema is not None else inferred_type(value)
    if kind is None:
        raise DataException(f"Cast transformation was passed a value of type "
                            f"{java_class_text(value)} which is not supported by Connect's "
                            "data API")
    if kind not in _INPUTS:
        raise DataException(f"Cast transformation does not support casting from {kind.name}; "
                            f"supported types are {_names(_INPUTS)}")
    if schema is not None and schema.name is not None and target is not Type.STRING:
        value = _encode_logical(schema, value)
    try:
        if target is Type.BOOLEAN:
            return _to_boolean(value)
        if target is Type.STRING:
            return _to_string(value, schema)
        return _to_number(value, target)
    except ValueError:
        raise DataException(f"Value ({value}) was out of range for requested data "
                            "type") from None


class Cast(Sided, Transformation):
    """Shared by `$Key` and `$Value`."""

    config_def: ClassVar[ConfigDef] = CONFIG_DEF

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(props)
        self.casts, self.whole = parse_spec(list(props[SPEC]))
        self.with_default: bool = props.get(REPLACE_NULL_WITH_DEFAULT, True)
        self._schemas = SchemaCache()

    def apply(self, record: SinkRecord) -> SinkRecord | None:
        value = self.side.value(record)
        if value is None:
            return record
        schema = self.side.schema(record)
        if schema is None:
            if self.whole is not None:
                return self.side.replace(record, None, cast_value(None, value, self.whole))
            source = require_map(value, PURPOSE)
            updated = dict(source)
            for name, target in self.casts.items():
                updated[name] = cast_value(None, source.get(name), target)
            return self.side.replace(record, None, updated)
        new_schema = self._schema(schema)
        if self.whole is not None:
            return self.side.replace(record, new_schema, cast_value(schema, value, self.whole))
        struct = require_struct(value, PURPOSE, schema)
        values: dict[str, Any] = {}
        for field in struct.schema.fields:
            original = field_value(struct, field, self.with_default)
            wanted = self.casts.get(field.name)
            cast = original if wanted is None else cast_value(field.schema, original, wanted)
            new_field = new_schema.field(field.name)
            if new_field is not None:
                check_put(field.name, new_field.schema, cast)
            values[field.name] = cast
        return self.side.replace(record, new_schema, Struct(new_schema, values))

    def _schema(self, schema: Schema) -> Schema:
        """Connect's `getOrBuildSchema`, cached per input schema."""
        return self._schemas.derived(schema, self._build_schema)

    def _build_schema(self, schema: Schema) -> Schema:
        kind = self.whole if self.whole is not None else Type.STRUCT
        fields: list[Field] = []
        if self.whole is None:
            if schema.type is not Type.STRUCT:
                raise DataException("Cannot list fields on non-struct type")
            for field in schema.fields:
                target = self.casts.get(field.name)
                child = field.schema
                if target is not None:
                    child = Schema(target, optional=field.schema.optional,
                                   default=cast_value(field.schema, field.schema.default, target))
                fields.append(Field(field.name, field.index, child))
        default = cast_value(schema, schema.default, kind)
        return Schema(kind, optional=schema.optional, default=default, fields=tuple(fields),
                      **copy_basics(schema, kind))


CastKey, CastValue = key_and_value(Cast, "Cast")
