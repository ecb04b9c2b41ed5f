"""ksqlDB's JSON_SR schemas: the JSON Schema a stream's columns register, and the reverse.

Generation follows Connect's JsonSchemaData as ksqlDB configures it (decimals as numbers):
an object whose properties are `{"connect.index": i, "oneOf": [{"type": "null"}, T]}`,
integers tagged with `connect.type` int32/int64, doubles float64, DECIMAL/DATE/TIME/
TIMESTAMP titled with their Connect logical names, MAPs as arrays of key/value objects.
An unwrapped single key or value keeps the root `oneOf` with null.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import Base, Column, SqlType
from tote.serde.errors import InvalidSchema
from tote.serde.json_schema import JsonSchema

CONNECT = "org.apache.kafka.connect.data."
_NULL = {"type": "null"}


def json_schema_json(columns: Sequence[Column], unwrap: bool = False) -> dict[str, Any]:
    """The JSON Schema ksqlDB registers for `columns` (JSON_SR)."""
    if unwrap:
        if len(columns) != 1:
            raise InvalidSchema(f"cannot unwrap {len(columns)} columns into a single value")
        return {"oneOf": [_NULL, _type(columns[0].type)]}
    return _object([(c.name, c.type) for c in columns])


def json_schema_text(columns: Sequence[Column], unwrap: bool = False) -> str:
    return JsonSchema.parse(json.dumps(json_schema_json(columns, unwrap))).canonical()


def _object(fields: list[tuple[str, SqlType]]) -> dict[str, Any]:
    return {"type": "object",
            "properties": {name: {"connect.index": i, "oneOf": [_NULL, _type(sql)]}
                           for i, (name, sql) in enumerate(fields)}}


def _logical(json_type: str, name: str, connect_type: str) -> dict[str, Any]:
    return {"type": json_type, "title": CONNECT + name, "connect.version": 1,
            "connect.type": connect_type}


def _type(sql: SqlType) -> dict[str, Any]:
    base = sql.base
    if base is Base.BOOLEAN:
        return {"type": "boolean"}
    if base is Base.INTEGER:
        return {"type": "integer", "connect.type": "int32"}
    if base is Base.BIGINT:
        return {"type": "integer", "connect.type": "int64"}
    if base is Base.DOUBLE:
        return {"type": "number", "connect.type": "float64"}
    if base is Base.STRING:
        return {"type": "string"}
    if base is Base.BYTES:
        return {"type": "string", "connect.type": "bytes"}
    if base is Base.DECIMAL:
        out = _logical("number", "Decimal", "bytes")
        out["connect.parameters"] = {"scale": str(sql.scale),
                                     "connect.decimal.precision": str(sql.precision)}
        return out
    if base is Base.DATE:
        return _logical("integer", "Date", "int32")
    if base is Base.TIME:
        return _logical("integer", "Time", "int32")
    if base is Base.TIMESTAMP:
        return _logical("integer", "Timestamp", "int64")
    if base is Base.ARRAY:
        assert sql.element is not None
        return {"type": "array", "items": {"oneOf": [_NULL, _type(sql.element)]}}
    if base is Base.MAP:
        assert sql.key is not None and sql.value is not None
        entry = _object([("key", sql.key), ("value", sql.value)])
        return {"type": "array", "items": entry, "connect.type": "map"}
    return _object([(f.name, f.type) for f in sql.fields])


def columns_from_json_schema(schema: JsonSchema | str, single: str | None = None,
                             key: bool = False, keep_case: bool = True) -> list[Column]:
    """Columns ksqlDB infers from a JSON Schema (object properties). Names stay as written
    with `keep_case` (a schema named by id); else they and nested field names are
    upper-cased, as ksqlDB does for a subject's latest schema."""
    parsed = schema if isinstance(schema, JsonSchema) else JsonSchema.parse(schema)
    spell = _same if keep_case else _upper_type
    if single is not None:
        return [Column(single, spell(json_sql_type(parsed.raw, parsed)), is_key=key)]
    root = _non_null(parsed.raw, parsed)
    if not isinstance(root, dict) or "properties" not in root:
        raise InvalidSchema("expected an object schema with properties to infer columns")
    return [Column(name if keep_case else name.upper(), spell(json_sql_type(sub, parsed)),
                   is_key=key)
            for name, sub in root["properties"].items()]


def _same(sql: SqlType) -> SqlType:
    return sql


def _upper_type(sql: SqlType) -> SqlType:
    """`sql` with every STRUCT field name, however deeply nested, upper-cased."""
    if sql.base is Base.STRUCT:
        return t.struct(*((f.name.upper(), _upper_type(f.type)) for f in sql.fields))
    if sql.base is Base.ARRAY and sql.element is not None:
        return t.array(_upper_type(sql.element))
    if sql.base is Base.MAP and sql.key is not None and sql.value is not None:
        return t.map_of(sql.key, _upper_type(sql.value))
    return sql


def _non_null(node: Any, doc: JsonSchema) -> Any:
    while isinstance(node, dict):
        if "$ref" in node:
            node = doc.resolve(node["$ref"], doc.raw)
            continue
        for combiner in ("oneOf", "anyOf"):
            if combiner in node:
                options = [o for o in node[combiner]
                           if not (isinstance(o, dict) and o.get("type") == "null")]
                if len(options) == 1:
                    node = options[0]
                    break
        else:
            return node
    return node


def json_sql_type(node: Any, doc: JsonSchema) -> SqlType:
    """The ksqlDB type for a JSON Schema node (nullable wrappers removed)."""
    node = _non_null(node, doc)
    if not isinstance(node, dict):
        raise InvalidSchema(f"JSON schema {json.dumps(node)} has no ksqlDB type")
    kind = node.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    title = node.get("title", "")
    connect_type = node.get("connect.type")
    if title == CONNECT + "Decimal":
        params = node.get("connect.parameters", {})
        return t.decimal(int(params.get("connect.decimal.precision", 64)),
                         int(params.get("scale", 0)))
    logical = {CONNECT + "Date": t.DATE, CONNECT + "Time": t.TIME,
               CONNECT + "Timestamp": t.TIMESTAMP}
    if title in logical:
        return logical[title]
    if kind == "boolean":
        return t.BOOLEAN
    if kind == "integer":
        return t.INTEGER if connect_type in ("int8", "int16", "int32") else t.BIGINT
    if kind == "number":
        return t.DOUBLE
    if kind == "string":
        return t.BYTES if connect_type == "bytes" else t.STRING
    if kind == "array":
        items = node.get("items", {})
        if connect_type == "map" and isinstance(items, dict):
            props = _non_null(items, doc).get("properties", {})
            return t.map_of(json_sql_type(props.get("key", {}), doc),
                            json_sql_type(props.get("value", {}), doc))
        return t.array(json_sql_type(items, doc))
    if kind == "object" or "properties" in node:
        if "properties" not in node and isinstance(node.get("additionalProperties"), dict):
            return t.map_of(t.STRING, json_sql_type(node["additionalProperties"], doc))
        return t.struct(*((name, json_sql_type(sub, doc))
                          for name, sub in node.get("properties", {}).items()))
    raise InvalidSchema(f"JSON schema {json.dumps(node)} has no ksqlDB type")
