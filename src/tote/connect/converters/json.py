"""`org.apache.kafka.connect.json.JsonConverter`: JSON with or without a schema envelope.

With `schemas.enable=true` (the default) every message is
`{"schema": {...}, "payload": ...}` and the payload is read against Connect's JSON schema
(`int32`, `struct` with `fields`, logical types by `name`); without it, values are plain
JSON with no schema (which the JDBC sink then rejects, as Connect's does).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
from collections.abc import Mapping
from typing import Any

from tote.connect.converters.base import Converted, Converter, ConverterContext
from tote.connect.data import (
    DATE,
    DECIMAL,
    TIME,
    TIMESTAMP,
    Field,
    Schema,
    Struct,
    Type,
)
from tote.connect.errors import ConfigException, DataException

EPOCH = datetime.date(1970, 1, 1)
UTC = datetime.UTC
_ENVELOPE_ERROR = (
    "JsonConverter with schemas.enable requires \"schema\" and \"payload\" fields and may not "
    "contain additional fields. If you are trying to deserialize plain JSON data, set "
    "schemas.enable=false in your converter configuration.")
_INTS = {Type.INT8: 8, Type.INT16: 16, Type.INT32: 32, Type.INT64: 64}


def parse_schema(obj: Any) -> Schema:
    """Connect's JSON schema → Schema (`JsonConverter.asConnectSchema`)."""
    if not isinstance(obj, dict):
        raise DataException(f"Schema must be a JSON object, got {json.dumps(obj)}")
    raw_type = obj.get("type")
    try:
        kind = Type(raw_type)
    except ValueError:
        raise DataException(f"Unknown schema type: {raw_type}") from None
    params = obj.get("parameters") or {}
    if not isinstance(params, dict):
        raise DataException("Schema parameters must be a JSON object")
    version = obj.get("version")
    fields: tuple[Field, ...] = ()
    key_schema = value_schema = None
    if kind is Type.STRUCT:
        raw_fields = obj.get("fields")
        if not isinstance(raw_fields, list):
            raise DataException("Struct schema's \"fields\" argument is not an array.")
        parsed: list[Field] = []
        for index, raw in enumerate(raw_fields):
            name = raw.get("field") if isinstance(raw, dict) else None
            if not isinstance(name, str):
                raise DataException("Struct schema's field name not specified properly: "
                                    f"{json.dumps(raw)}")
            parsed.append(Field(name, index, parse_schema(raw)))
        fields = tuple(parsed)
    elif kind is Type.ARRAY:
        if "items" not in obj:
            raise DataException("Array schema did not specify the items type")
        value_schema = parse_schema(obj["items"])
    elif kind is Type.MAP:
        if "keys" not in obj or "values" not in obj:
            raise DataException("Map schema did not specify the key and value types")
        key_schema, value_schema = parse_schema(obj["keys"]), parse_schema(obj["values"])
    schema = Schema(kind, optional=bool(obj.get("optional", False)), name=obj.get("name"),
                    version=version if isinstance(version, int) else None, doc=obj.get("doc"),
                    parameters=tuple((str(k), str(v)) for k, v in params.items()),
                    fields=fields, key_schema=key_schema, value_schema=value_schema)
    if "default" in obj and obj["default"] is not None:
        default = to_value(schema, obj["default"], "default")
        schema = Schema(kind, schema.optional, default, schema.name, schema.version, schema.doc,
                        schema.parameters, schema.fields, key_schema, value_schema)
    return schema


def _number(schema: Schema, value: Any, where: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise DataException(f"Invalid value {json.dumps(value)} for {schema.type.value} "
                            f"field {where}")
    if schema.type in _INTS:
        if isinstance(value, float) and not value.is_integer():
            raise DataException(f"Invalid value {value} for {schema.type.value} field {where}")
        number = int(value)
        bits = _INTS[schema.type]
        if not -(2 ** (bits - 1)) <= number < 2 ** (bits - 1):
            raise DataException(f"Value {number} is out of range for {schema.type.value} "
                                f"field {where}")
        return number
    return float(value)


def _logical(schema: Schema, value: Any, where: str) -> Any:
    name = schema.name
    if name == DECIMAL:
        scale = schema.scale
        if isinstance(value, str):
            try:
                unscaled = int.from_bytes(base64.b64decode(value, validate=True), "big",
                                          signed=True)
            except (binascii.Error, ValueError):
                raise DataException(f"Invalid Decimal value for field {where}") from None
            return decimal.Decimal(unscaled).scaleb(-scale)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return decimal.Decimal(str(value))
        raise DataException(f"Invalid Decimal value for field {where}")
    number = _number(Schema(schema.type), value, where)
    if name == DATE:
        return EPOCH + datetime.timedelta(days=number)
    if name == TIME:
        return (datetime.datetime.min + datetime.timedelta(milliseconds=number)).time()
    return datetime.datetime.fromtimestamp(number / 1000, UTC)


def to_value(schema: Schema, value: Any, where: str = "") -> Any:
    """A JSON payload value read against `schema` (`JsonConverter.convertToConnect`)."""
    if value is None:
        if schema.default is not None:
            return schema.default
        if schema.optional:
            return None
        raise DataException(f"Invalid null value for required {schema.type.name} field"
                            + (f" {where}" if where else ""))
    if schema.name in (DECIMAL, DATE, TIME, TIMESTAMP):
        return _logical(schema, value, where)
    kind = schema.type
    if kind in _INTS or kind in (Type.FLOAT32, Type.FLOAT64):
        return _number(schema, value, where)
    if kind is Type.BOOLEAN:
        if not isinstance(value, bool):
            raise DataException(f"Invalid value {json.dumps(value)} for boolean field {where}")
        return value
    if kind is Type.STRING:
        if not isinstance(value, str):
            raise DataException(f"Invalid value {json.dumps(value)} for string field {where}")
        return value
    if kind is Type.BYTES:
        try:
            return base64.b64decode(str(value), validate=True)
        except (binascii.Error, ValueError):
            raise DataException(f"Invalid base64 bytes for field {where}") from None
    if kind is Type.ARRAY:
        assert schema.value_schema is not None
        if not isinstance(value, list):
            raise DataException(f"Invalid value for array field {where}")
        return [to_value(schema.value_schema, item, where) for item in value]
    if kind is Type.MAP:
        assert schema.key_schema is not None and schema.value_schema is not None
        if schema.key_schema.type is Type.STRING and isinstance(value, dict):
            return {k: to_value(schema.value_schema, v, where) for k, v in value.items()}
        if not isinstance(value, list):
            raise DataException(f"Invalid value for map field {where}")
        return {to_value(schema.key_schema, pair[0], where):
                to_value(schema.value_schema, pair[1], where) for pair in value}
    if not isinstance(value, dict):
        raise DataException(f"Invalid value {json.dumps(value)} for struct {where or 'value'}")
    return Struct(schema, {f.name: to_value(f.schema, value.get(f.name), f.name)
                           for f in schema.fields})


class JsonConverter(Converter):
    """JSON bytes → Connect data, with `schemas.enable` (default true)."""

    schemas_enable = True

    def configure(self, configs: Mapping[str, str], is_key: bool,
                  context: ConverterContext) -> None:
        super().configure(configs, is_key, context)
        raw = str(configs.get("schemas.enable", "true")).strip().lower()
        if raw not in ("true", "false"):
            raise ConfigException(f"Invalid value {raw} for configuration schemas.enable: "
                                  "Expected value to be either true or false")
        self.schemas_enable = raw == "true"
        self._schemas: dict[str, Schema] = {}

    def _schema(self, obj: Any) -> Schema:
        key = json.dumps(obj, sort_keys=True)
        found = self._schemas.get(key)
        if found is None:
            found = parse_schema(obj)
            if len(self._schemas) < 1000:
                self._schemas[key] = found
        return found

    def to_connect(self, topic: str, data: bytes | None) -> Converted:
        if data is None:
            return None, None
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DataException("Converting byte[] to Kafka Connect data failed due to "
                                f"serialization error: {exc}") from None
        if not self.schemas_enable:
            return None, document
        if not isinstance(document, dict) or set(document) != {"schema", "payload"}:
            raise DataException(_ENVELOPE_ERROR)
        if document["schema"] is None:
            return None, document["payload"]
        schema = self._schema(document["schema"])
        return schema, to_value(schema, document["payload"])
