"""ksqlDB's Avro schemas: the schema a stream's columns register, and columns from a schema.

Generation follows what ksqlDB registers through Connect's AvroData (see the QTT plans):
a record `KsqlDataSourceSchema` in `io.confluent.ksql.avro_schemas` with `connect.name`,
every field `["null", T]` defaulting to null, STRUCTs as records named
`<parent>_<FIELD>`, ARRAY items nullable, MAPs as arrays of `MapEntry` records (ksqlDB's
map keys are optional strings, which Avro maps cannot express), logical types carrying
Connect's `connect.*` annotations. Unwrapped single keys/values are the bare type.
Inference maps Avro back to ksqlDB types (enum → STRING, float → DOUBLE, fixed → BYTES,
MapEntry arrays and Avro maps → MAP, multi-type unions → STRUCT of branches).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import Base, Column, SqlType
from tote.serde.avro_model import Node, check_name
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import InvalidSchema

AVRO_NAMESPACE = "io.confluent.ksql.avro_schemas"
VALUE_SCHEMA_NAME = "KsqlDataSourceSchema"
DEFAULT_VALUE_FULL_NAME = f"{AVRO_NAMESPACE}.{VALUE_SCHEMA_NAME}"
CONNECT = "org.apache.kafka.connect.data."

_PRIMITIVE = {Base.BOOLEAN: "boolean", Base.INTEGER: "int", Base.BIGINT: "long",
              Base.DOUBLE: "double", Base.STRING: "string", Base.BYTES: "bytes"}
_LOGICAL = {Base.DATE: ("int", "Date", "date"), Base.TIME: ("int", "Time", "time-millis"),
            Base.TIMESTAMP: ("long", "Timestamp", "timestamp-millis")}


def key_schema_full_name(source_name: str) -> str:
    """ksqlDB's default key schema name: `OUTPUT` → `...avro_schemas.OutputKey`."""
    camel = "".join(part[:1].upper() + part[1:].lower() for part in source_name.split("_"))
    return f"{AVRO_NAMESPACE}.{camel}Key"


def avro_schema_json(columns: Sequence[Column], full_name: str = DEFAULT_VALUE_FULL_NAME,
                     unwrap: bool = False) -> Any:
    """The Avro schema ksqlDB registers for `columns`, as JSON laid out like its text.

    `unwrap` gives the bare schema of a single column (single keys, WRAP_SINGLE_VALUE=false).
    Raises InvalidSchema (detail = Avro's message) for names Avro cannot hold.
    """
    return json.loads(avro_schema_text(columns, full_name, unwrap))


def avro_schema_text(columns: Sequence[Column], full_name: str = DEFAULT_VALUE_FULL_NAME,
                     unwrap: bool = False) -> str:
    """The registered text (Avro Java's `toString()`) of the schema for `columns`."""
    if unwrap:
        if len(columns) != 1:
            raise InvalidSchema(f"cannot unwrap {len(columns)} columns into a single value")
        raw = _root(columns[0].type, full_name)
    else:
        raw = _record(full_name, [(c.name, c.type) for c in columns], full_name)
    return AvroSchema.parse(json.dumps(raw)).canonical()


def _root(sql: SqlType, full_name: str) -> Any:
    base = sql.base
    if base in _PRIMITIVE:
        return _PRIMITIVE[base]
    if base is Base.DECIMAL:
        return _decimal(sql, with_version=False)
    if base in _LOGICAL:
        return _logical(base, with_version=False)
    if base is Base.STRUCT:
        return _record(full_name, [(f.name, f.type) for f in sql.fields], full_name)
    return _type(sql, full_name)


def _type(sql: SqlType, context: str) -> Any:
    """The non-null Avro type of a nested (optional) ksqlDB type."""
    base = sql.base
    if base in _PRIMITIVE:
        return _PRIMITIVE[base]
    if base is Base.DECIMAL:
        return _decimal(sql, with_version=True)
    if base in _LOGICAL:
        return _logical(base, with_version=True)
    if base is Base.ARRAY:
        assert sql.element is not None
        return {"type": "array", "items": ["null", _type(sql.element, context)]}
    if base is Base.MAP:
        assert sql.key is not None and sql.value is not None
        if sql.key.base is not Base.STRING:
            raise InvalidSchema("Avro only supports MAPs with STRING keys")
        entry = {"type": "record", "name": context,
                 "fields": [{"name": "key", "type": ["null", "string"], "default": None},
                            {"name": "value",
                             "type": ["null", _type(sql.value, f"{context}_MapValue")],
                             "default": None}],
                 "connect.internal.type": "MapEntry"}
        return {"type": "array", "items": entry, "connect.name": context}
    return _record(context, [(f.name, f.type) for f in sql.fields], context)


def _record(full_name: str, fields: list[tuple[str, SqlType]], context: str) -> dict[str, Any]:
    out_fields = []
    for name, sql in fields:
        field_name = name.replace(".", "_")
        check_name(field_name)
        out_fields.append({"name": field_name,
                           "type": ["null", _type(sql, f"{context}_{name}")],
                           "default": None})
    return {"type": "record", "name": full_name, "fields": out_fields, "connect.name": full_name}


def _decimal(sql: SqlType, with_version: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "bytes", "scale": sql.scale, "precision": sql.precision}
    if with_version:
        out["connect.version"] = 1
    out["connect.parameters"] = {"scale": str(sql.scale),
                                 "connect.decimal.precision": str(sql.precision)}
    out["connect.name"] = CONNECT + "Decimal"
    out["logicalType"] = "decimal"
    return out


def _logical(base: Base, with_version: bool) -> dict[str, Any]:
    avro_type, connect, logical = _LOGICAL[base]
    out: dict[str, Any] = {"type": avro_type}
    if with_version:
        out["connect.version"] = 1
    out["connect.name"] = CONNECT + connect
    out["logicalType"] = logical
    return out


# --- inference: Avro schema -> ksqlDB columns --------------------------------------------


def columns_from_avro(schema: AvroSchema | str, single: str | None = None,
                      key: bool = False, keep_case: bool = False) -> list[Column]:
    """Columns ksqlDB infers from a registered Avro schema.

    A record's fields become columns, their names (and nested fields') upper-cased unless
    `keep_case` (a schema named by id keeps them); with `single` the whole schema is one
    column of that name (unwrapped keys/values: `ROWKEY`, `ROWVAL`).
    """
    spell = _spelling(keep_case)
    avro = AvroSchema.of(schema)
    node = avro.node
    if single is not None:
        return [Column(single, sql_type_of(node, keep_case=keep_case), is_key=key)]
    if node.type != "record":
        raise InvalidSchema(f"expected a record schema to infer columns, got {node.type}")
    return [Column(spell(f.name), sql_type_of(f.type, keep_case=keep_case), is_key=key)
            for f in node.fields]


def _spelling(keep_case: bool) -> Callable[[str], str]:
    return (lambda name: name) if keep_case else str.upper


def sql_type_of(node: Node, active: frozenset[str] = frozenset(),
                keep_case: bool = False) -> SqlType:
    """The ksqlDB type for an Avro type (optional unions unwrapped)."""
    kind = node.type
    spell = _spelling(keep_case)
    logical = node.props.get("logicalType")
    if kind == "union":
        branches = [b for b in node.branches if b.type != "null"]
        if len(branches) == 1:
            return sql_type_of(branches[0], active, keep_case)
        if not branches:
            raise InvalidSchema("a union of only null has no ksqlDB type")
        members = [((b.short_name if b.name else b.type).upper(),
                    sql_type_of(b, active, keep_case))
                   for b in branches]
        return t.struct(*members)
    if kind in ("int", "long") and logical in ("date", "time-millis", "timestamp-millis"):
        return {"date": t.DATE, "time-millis": t.TIME, "timestamp-millis": t.TIMESTAMP}[logical]
    simple = {"boolean": t.BOOLEAN, "int": t.INTEGER, "long": t.BIGINT, "float": t.DOUBLE,
              "double": t.DOUBLE, "string": t.STRING, "enum": t.STRING}
    if kind in simple:
        return simple[kind]
    if kind in ("bytes", "fixed"):
        if logical == "decimal":
            return t.decimal(int(node.props.get("precision", 64)), int(node.props.get("scale", 0)))
        return t.BYTES
    if kind == "map":
        assert node.values is not None
        return t.map_of(t.STRING, sql_type_of(node.values, active, keep_case))
    if kind == "array":
        assert node.items is not None
        entry = _map_entry(node.items)
        if entry is not None:
            return t.map_of(sql_type_of(entry.fields[0].type, active, keep_case),
                            sql_type_of(entry.fields[1].type, active, keep_case))
        return t.array(sql_type_of(node.items, active, keep_case))
    if kind == "record":
        assert node.name is not None
        if node.name in active:
            raise InvalidSchema(f"recursive type {node.name} has no ksqlDB type")
        inner = active | {node.name}
        return t.struct(*((spell(f.name), sql_type_of(f.type, inner, keep_case))
                          for f in node.fields))
    raise InvalidSchema(f"Avro type {kind} has no ksqlDB type")


def _map_entry(node: Node) -> Node | None:
    """The MapEntry record of a Connect-style map (array of key/value records), if it is one."""
    if node.type != "record" or [f.name for f in node.fields] != ["key", "value"]:
        return None
    if node.props.get("connect.internal.type") == "MapEntry" or \
            node.name == "io.confluent.connect.avro.MapEntry":
        return node
    return None
