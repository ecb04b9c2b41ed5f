"""Avro schemas → Connect schemas, as Confluent's AvroData maps them, plus value wrappers.

records → STRUCT (named after the record, or its `connect.name`), `["null", T]` →
optional T, int → INT32 (INT8/INT16 with `connect.type`), long → INT64, float →
FLOAT32, double → FLOAT64, boolean, string/enum/uuid → STRING, bytes/fixed → BYTES,
decimal → Decimal(scale), date → Date, time-millis/-micros → Time,
timestamp-millis/-micros → Timestamp, arrays and string-keyed maps. Field defaults
become Connect defaults. Unions of several non-null types are refused (the JDBC sink
could not store them anyway).

fastavro already decodes logical types to Python values; the only work per record is
wrapping records into `Struct`s, which `Mapped.wrap` does (identity-cheap for flat
records of primitives, the common case).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tote.connect.data import (
    DATE,
    TIME,
    TIMESTAMP,
    Field,
    Schema,
    Struct,
    Type,
    decimal_schema,
    logical_schema,
)
from tote.connect.errors import DataException
from tote.serde.avro_model import NO_DEFAULT, Node

Wrap = Callable[[Any], Any] | None
_PRIMITIVES = {"int": Type.INT32, "long": Type.INT64, "float": Type.FLOAT32,
               "double": Type.FLOAT64, "boolean": Type.BOOLEAN, "string": Type.STRING,
               "bytes": Type.BYTES, "fixed": Type.BYTES, "enum": Type.STRING}
_CONNECT_TYPES = {"int8": Type.INT8, "int16": Type.INT16}
_LOGICAL = {("int", "date"): DATE, ("int", "time-millis"): TIME,
            ("long", "time-micros"): TIME, ("long", "timestamp-millis"): TIMESTAMP,
            ("long", "timestamp-micros"): TIMESTAMP}


@dataclass(frozen=True)
class Mapped:
    """A Connect schema and how to turn fastavro's value into Connect's (None: as is)."""

    schema: Schema
    wrap: Wrap


def _unwrap_optional(node: Node) -> tuple[Node, bool]:
    if node.type != "union":
        return node, False
    others = [b for b in node.branches if b.type != "null"]
    if len(others) == 1:
        return others[0], len(others) != len(node.branches)
    if not others:
        return node.branches[0], True
    names = ", ".join(b.union_key() for b in node.branches)
    raise DataException(f"Unsupported Avro union [{names}]: the sink needs one type per field")


def _default(node: Node, raw: Any) -> Any:
    """An Avro JSON default as a Connect value."""
    if raw is None:
        return None
    kind = node.type
    if kind in ("bytes", "fixed") and isinstance(raw, str):
        return raw.encode("latin-1")
    if kind == "record" and isinstance(raw, dict):
        return {f.name: _default(f.type, raw.get(f.name)) for f in node.fields}
    return raw


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def map_schema(node: Node, *, optional: bool = False, default: Any = None) -> Mapped:
    """The Connect schema of an Avro type (`optional`: it sat in a union with null)."""
    node, nullable = _unwrap_optional(node)
    optional = optional or nullable
    kind = node.type
    logical = str(node.props.get("logicalType"))
    if kind in ("bytes", "fixed") and logical == "decimal":
        scale = int(node.props.get("scale", 0))
        precision = node.props.get("precision")
        base = decimal_schema(scale, optional=optional,
                              precision=int(precision) if precision is not None else None)
        return Mapped(_with_default(base, default), None)
    if (kind, logical) in _LOGICAL:
        return Mapped(_with_default(logical_schema(_LOGICAL[kind, logical], optional=optional),
                                    default), None)
    if kind in _PRIMITIVES:
        connect_type = _CONNECT_TYPES.get(str(node.props.get("connect.type")), _PRIMITIVES[kind])
        wrap = _text if kind == "string" and logical == "uuid" else None
        return Mapped(Schema(connect_type, optional=optional, default=default,
                             doc=node.props.get("connect.doc")), wrap)
    if kind == "null":
        return Mapped(Schema(Type.STRING, optional=True), None)
    if kind == "array":
        assert node.items is not None
        items = map_schema(node.items)
        item_wrap = items.wrap
        array_wrap: Wrap = None
        if item_wrap is not None:
            def array_wrap(value: Any, w: Callable[[Any], Any] = item_wrap) -> Any:
                return None if value is None else [None if v is None else w(v) for v in value]
        return Mapped(Schema(Type.ARRAY, optional=optional, default=default,
                             value_schema=items.schema), array_wrap)
    if kind == "map":
        assert node.values is not None
        values = map_schema(node.values)
        value_wrap = values.wrap
        map_wrap: Wrap = None
        if value_wrap is not None:
            def map_wrap(value: Any, w: Callable[[Any], Any] = value_wrap) -> Any:
                if value is None:
                    return None
                return {k: None if v is None else w(v) for k, v in value.items()}
        return Mapped(Schema(Type.MAP, optional=optional, default=default,
                             key_schema=Schema(Type.STRING), value_schema=values.schema),
                      map_wrap)
    if kind == "record":
        return _record(node, optional, default)
    raise DataException(f"Unsupported Avro type {kind}")


def _with_default(schema: Schema, default: Any) -> Schema:
    if default is None:
        return schema
    return Schema(schema.type, schema.optional, default, schema.name, schema.version,
                  schema.doc, schema.parameters)


def _record(node: Node, optional: bool, default: Any) -> Mapped:
    fields: list[Field] = []
    wraps: list[tuple[str, Callable[[Any], Any]]] = []
    for index, avro_field in enumerate(node.fields):
        raw_default = avro_field.default if avro_field.default is not NO_DEFAULT else None
        mapped = map_schema(avro_field.type, default=_default(avro_field.type, raw_default))
        fields.append(Field(avro_field.name, index, mapped.schema))
        if mapped.wrap is not None:
            wraps.append((avro_field.name, mapped.wrap))
    version = node.props.get("connect.version")
    params = node.props.get("connect.parameters") or {}
    schema = Schema(Type.STRUCT, optional=optional, default=default,
                    name=str(node.props.get("connect.name") or node.name),
                    version=version if isinstance(version, int) else None,
                    doc=node.doc or node.props.get("connect.doc"),
                    parameters=tuple((str(k), str(v)) for k, v in params.items()),
                    fields=tuple(fields))
    if not wraps:
        def flat(value: Any, new: Any = tuple.__new__) -> Any:
            return None if value is None else new(Struct, (schema, value))
        return Mapped(schema, flat)

    def nested(value: Any) -> Any:
        if value is None:
            return None
        for name, wrap in wraps:
            inner = value.get(name)
            if inner is not None:
                value[name] = wrap(inner)
        return Struct(schema, value)
    return Mapped(schema, nested)
