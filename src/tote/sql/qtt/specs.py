"""QTT value specs (README §5) to record bytes, in the topic's source's formats.

JSON is written as given (ksqlDB coerces it), DELIMITED strings as they are, KAFKA
values coerced to the column type, AVRO, JSON_SR and PROTOBUF with the subject's
registered schema (registering the one ksqlDB derives from the columns if none is there
yet), PROTOBUF_NOSR with the schema derived from the columns.
"""

from __future__ import annotations

import base64
import decimal
from collections.abc import Sequence
from typing import Any

from tote.core import types as core_types
from tote.core.types import Base, SqlType
from tote.registry import Registry
from tote.serde import sql_values as sv
from tote.serde.avro import AvroCodec
from tote.serde.avro_model import Node
from tote.serde.json_format import dumps
from tote.serde.kafka_format import KafkaCodec
from tote.serde.wire import frame
from tote.sql.codecs import schemas
from tote.sql.codecs.protobuf import NoSrRowCodec, ProtobufRowCodec
from tote.sql.sources import DataSource, FormatInfo, SourceColumn


class UnsupportedSpec(Exception):
    """A record this runner cannot build."""


def _writer(registry: Registry, topic: str, is_key: bool, *, columns: Sequence[SourceColumn],
            info: FormatInfo, unwrap: bool) -> tuple[int, str]:
    found = schemas.registered_text(registry, topic, is_key, info)
    if found is not None:
        return found[0], found[1]
    generated = schemas.generate(columns, info, unwrap, is_key)
    if generated is None:
        raise UnsupportedSpec(f"no schema for {topic}")
    return schemas.register(registry, topic, is_key, generated), generated.text


def _coerce(sql: SqlType, value: Any) -> Any:
    base = sql.base
    if value is None:
        return None
    if base in (Base.INTEGER, Base.BIGINT):
        return int(value)
    if base is Base.DOUBLE:
        return float(value)
    if base is Base.STRING:
        return value if isinstance(value, str) else str(value)
    if base is Base.BYTES:
        return base64.b64decode(value)
    return value


def encode_spec(spec: Any, source: DataSource, is_key: bool, registry: Registry) -> bytes | None:
    columns = source.key_columns if is_key else source.value_columns
    info = source.key_format if is_key else source.value_format
    if spec is None or not columns or info.name == "NONE":
        return None
    name = info.name
    unwrap = len(columns) == 1 and (info.unwrap or (is_key and not info.wrap))
    if name == "JSON":
        return dumps(spec).encode("utf-8")
    if name == "DELIMITED":
        text = spec if isinstance(spec, str) else dumps(spec)
        return text.encode("utf-8")
    if name == "KAFKA":
        return KafkaCodec(columns[0].type).encode(_coerce(columns[0].type, spec))
    if name == "JSON_SR":
        schema_id, _ = _writer(registry, source.topic, is_key, columns=columns, info=info,
                                  unwrap=unwrap)
        return frame(schema_id, dumps(spec).encode("utf-8"))
    if name == "AVRO":
        schema_id, text = _writer(registry, source.topic, is_key, columns=columns, info=info,
                                  unwrap=unwrap)
        codec = AvroCodec(text)
        return frame(schema_id, codec.encode(to_avro(codec.schema.node, spec)))
    if name == "PROTOBUF":
        schema_id, _ = _writer(registry, source.topic, is_key, columns=columns, info=info,
                               unwrap=False)
        return ProtobufRowCodec(columns, info, registry, schema_id).encode(
            _row(columns, spec, unwrap=False))
    if name == "PROTOBUF_NOSR":
        return NoSrRowCodec(columns, info, unwrap).encode(_row(columns, spec, unwrap=unwrap))
    raise UnsupportedSpec(f"format {name}")


def _row(columns: Sequence[SourceColumn], spec: Any, *, unwrap: bool) -> tuple[Any, ...]:
    """A value spec as SQL values in column order (the harness writes those with the
    topic's schema); object fields match columns ignoring case, unknown ones drop."""
    if unwrap:
        return (sql_value(columns[0].type, spec),)
    if not isinstance(spec, dict):
        raise UnsupportedSpec(f"expected an object, got {spec!r}")
    return tuple(sql_value(c.type, _field(spec, c.name)) for c in columns)


def _field(spec: dict[str, Any], name: str) -> Any:
    if name in spec:
        return spec[name]
    upper = name.upper()
    return next((v for k, v in spec.items() if str(k).upper() == upper), None)


def sql_value(sql: SqlType, spec: Any) -> Any:
    """One value spec as the Python value of a SQL type (README §5 conventions)."""
    if spec is None:
        return None
    base = sql.base
    if base in (Base.INTEGER, Base.BIGINT):
        return int(spec)
    if base is Base.DOUBLE:
        return float(spec)
    if base is Base.BOOLEAN:
        return spec if isinstance(spec, bool) else str(spec).lower() == "true"
    if base is Base.DECIMAL:
        return sv.to_decimal(spec, sql)
    if base is Base.STRING:
        return spec if isinstance(spec, str) else dumps(spec)
    if base is Base.BYTES:
        return base64.b64decode(spec)
    if base is Base.DATE:
        return sv.days_to_date(int(spec))
    if base is Base.TIME:
        return sv.millis_to_time(int(spec))
    if base is Base.TIMESTAMP:
        return sv.millis_to_timestamp(int(spec))
    if base is Base.ARRAY:
        assert sql.element is not None
        return [sql_value(sql.element, v) for v in spec]
    if base is Base.MAP:
        assert sql.value is not None
        return {str(k): sql_value(sql.value, v) for k, v in spec.items()}
    if not isinstance(spec, dict):
        raise UnsupportedSpec(f"expected an object for {sql}, got {spec!r}")
    return {f.name: sql_value(f.type, _field(spec, f.name)) for f in sql.fields}


def _branch(node: Node, value: Any) -> Node:
    branches = [b for b in node.branches if b.type != "null"]
    if len(branches) == 1:
        return branches[0]
    for b in branches:
        if _fits(b, value):
            return b
    return branches[0]


def _fits(node: Node, value: Any) -> bool:
    kind = node.type
    if isinstance(value, bool):
        return kind == "boolean"
    if isinstance(value, int):
        return kind in ("int", "long", "float", "double")
    if isinstance(value, decimal.Decimal):
        return kind in ("float", "double") or node.props.get("logicalType") == "decimal"
    if isinstance(value, str):
        return kind in ("string", "enum", "bytes")
    if isinstance(value, list):
        return kind == "array"
    if isinstance(value, dict):
        return kind in ("record", "map") or (kind == "array")
    return False


def to_avro(node: Node, value: Any) -> Any:
    """A value spec as the datum fastavro writes for `node`."""
    if value is None:
        return None
    kind = node.type
    if kind == "union":
        return to_avro(_branch(node, value), value)
    logical = node.props.get("logicalType")
    if kind in ("int", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    if kind in ("string", "enum"):
        return value if isinstance(value, str) else str(value)
    if kind == "boolean":
        return bool(value)
    if kind in ("bytes", "fixed"):
        if logical == "decimal":
            # As the harness does (DecimalUtil.ensureFit): rescaled exactly at any size,
            # never rounded; a value that does not fit fails to encode.
            scale = int(node.props.get("scale", 0))
            precision = int(node.props.get("precision", 0))
            return sv.to_decimal(str(value), core_types.decimal(precision, scale))
        return base64.b64decode(value) if isinstance(value, str) else bytes(value)
    if kind == "array":
        assert node.items is not None
        items = node.items
        if isinstance(value, dict):
            entry = items if items.type == "record" else next(
                (b for b in items.branches if b.type == "record"), items)
            value_node = entry.fields[1].type
            return [{"key": k, "value": to_avro(value_node, v)} for k, v in value.items()]
        return [to_avro(items, v) for v in value]
    if kind == "map":
        assert node.values is not None
        return {str(k): to_avro(node.values, v) for k, v in value.items()}
    if kind == "record":
        if not isinstance(value, dict):
            raise UnsupportedSpec(f"expected an object for record {node.name}")
        upper = {str(k).upper(): v for k, v in value.items()}
        out: dict[str, Any] = {}
        for fld in node.fields:
            out[fld.name] = to_avro(fld.type, value.get(fld.name, upper.get(fld.name.upper())))
        return out
    return value
