"""Flatten: nested Structs (with a schema) or Maps (without) become one level, field names
joined by `delimiter`, as Connect's `org.apache.kafka.connect.transforms.Flatten`.

Arrays and their contents are left as they are. A flattened field is optional when it or
any ancestor is, and takes its own default or else its value in an ancestor's default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tote.connect.configdef import ConfigDef, ConfigKey, ConfigType, Importance
from tote.connect.data import Schema, SinkRecord, Struct, Type
from tote.connect.errors import DataException
from tote.connect.transforms.base import Transformation
from tote.connect.transforms.support import (
    SchemaCache,
    Sided,
    copy_basics,
    inferred_type,
    java_class_text,
    key_and_value,
    rebuilt_struct,
    require_map,
    require_struct,
)

DELIMITER = "delimiter"
PURPOSE = "flattening"

CONFIG_DEF = ConfigDef([
    ConfigKey(DELIMITER, ConfigType.STRING, ".", Importance.MEDIUM,
              "Delimiter to insert between field names from the input record when generating "
              "field names for the output record"),
])

_LEAVES = frozenset({Type.INT8, Type.INT16, Type.INT32, Type.INT64, Type.FLOAT32, Type.FLOAT64,
                     Type.BOOLEAN, Type.STRING, Type.BYTES, Type.ARRAY})


class Flatten(Sided, Transformation):
    """Shared by `$Key` and `$Value`."""

    config_def: ClassVar[ConfigDef] = CONFIG_DEF

    def __init__(self, props: Mapping[str, Any]) -> None:
        super().__init__(props)
        self.delimiter: str = props[DELIMITER]
        self._schemas = SchemaCache()

    def apply(self, record: SinkRecord) -> SinkRecord | None:
        value = self.side.value(record)
        if value is None:
            return record
        schema = self.side.schema(record)
        if schema is None:
            flat: dict[str, Any] = {}
            self._flatten_map(require_map(value, PURPOSE), "", flat)
            return self.side.replace(record, None, flat)
        struct = require_struct(value, PURPOSE, schema)
        updated = self._schemas.derived(schema, self._flat_schema)
        values: dict[str, Any] = {}
        self._flatten_struct(struct, "", values)
        return self.side.replace(record, updated, Struct(updated, values))

    def _flat_schema(self, schema: Schema) -> Schema:
        fields: list[tuple[str, Schema]] = []
        default = schema.default if isinstance(schema.default, Struct) else None
        self._flat_fields(schema, "", fields, schema.optional, default)
        return rebuilt_struct(schema, fields)

    def _name(self, prefix: str, name: str) -> str:
        return f"{prefix}{self.delimiter}{name}" if prefix else name

    def _flatten_map(self, source: Mapping[str, Any], prefix: str, out: dict[str, Any]) -> None:
        for key, value in source.items():
            name = self._name(prefix, key)
            if value is None:
                out[name] = None
                continue
            kind = inferred_type(value)
            if kind is None:
                raise DataException(f"Flatten transformation was passed a value of type "
                                    f"{java_class_text(value)} which is not supported by "
                                    "Connect's data API")
            if kind in _LEAVES:
                out[name] = value
            elif kind is Type.MAP:
                self._flatten_map(require_map(value, PURPOSE), name, out)
            else:
                raise DataException(f"Flatten transformation does not support "
                                    f"{java_class_text(value)} for record without schemas "
                                    f"(for field {name}).")

    def _flat_fields(self, schema: Schema, prefix: str, out: list[tuple[str, Schema]],
                     optional: bool, parent_default: Struct | None) -> None:
        for field in schema.fields:
            name = self._name(prefix, field.name)
            child = field.schema
            child_optional = optional or child.optional
            default = child.default
            if default is None and parent_default is not None:
                default = parent_default.values.get(field.name)
                if default is None:
                    default = child.default
            if child.type in _LEAVES:
                out.append((name, Schema(child.type, optional=child_optional, default=default,
                                         **copy_basics(child, child.type))))
            elif child.type is Type.STRUCT:
                self._flat_fields(child, name, out, child_optional,
                                  default if isinstance(default, Struct) else None)
            else:
                raise DataException(f"Flatten transformation does not support {child.type.name}"
                                    f" for record with schemas (for field {name}).")

    def _flatten_struct(self, struct: Struct, prefix: str, out: dict[str, Any]) -> None:
        for field in struct.schema.fields:
            name = self._name(prefix, field.name)
            value = struct.values.get(field.name)
            if value is None:
                value = field.schema.default
            if field.schema.type is Type.STRUCT:
                if isinstance(value, Struct):
                    self._flatten_struct(value, name, out)
            else:
                out[name] = value


FlattenKey, FlattenValue = key_and_value(Flatten, "Flatten")
