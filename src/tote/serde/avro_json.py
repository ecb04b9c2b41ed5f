"""Avro's JSON encoding ↔ the Python values fastavro reads and writes.

The REST Proxy's `application/vnd.kafka.avro.v2+json` bodies use this encoding: unions
are `{"int": 1}` (null stays bare), bytes/fixed are strings of code points 0-255, named
types go by full name. Errors carry the JSON path of the offending value.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import uuid
from typing import Any

from tote.serde.avro_model import Node
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import SerializationError

_INT_RANGE = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_EPOCH_DATE = datetime.date(1970, 1, 1)


def _show(value: Any) -> str:
    text = json.dumps(value, default=repr, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(path: str, expected: str, value: Any) -> SerializationError:
    return SerializationError(
        f"Conversion of JSON to Avro failed at {path or '/'}: expected {expected}, "
        f"got {_show(value)}")


def from_avro_json(schema: AvroSchema | Node, value: Any) -> Any:
    """Decode an Avro-JSON value into the datum fastavro writes for `schema`."""
    node = schema.node if isinstance(schema, AvroSchema) else schema
    return _decode(node, value, "")


def _decode(node: Node, value: Any, path: str) -> Any:
    kind = node.type
    if kind == "union":
        return _decode_union(node, value, path)
    if kind == "null":
        if value is not None:
            raise _fail(path, "null", value)
        return None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _fail(path, "boolean", value)
        return value
    if kind in ("int", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise _fail(path, kind, value)
        low, high = _INT_RANGE[kind]
        if not low <= value <= high:
            raise _fail(path, f"{kind} in range [{low}, {high}]", value)
        return value
    if kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if value in ("NaN", "Infinity", "-Infinity"):
                return float(value.replace("inity", ""))
            raise _fail(path, kind, value)
        return float(value)
    if kind == "string":
        if not isinstance(value, str):
            raise _fail(path, "string", value)
        return value
    if kind in ("bytes", "fixed"):
        return _decode_bytes(node, value, path)
    if kind == "enum":
        if not isinstance(value, str) or value not in node.symbols:
            raise _fail(path, f"one of the symbols {list(node.symbols)} of {node.name}", value)
        return value
    if kind == "array":
        if not isinstance(value, list):
            raise _fail(path, "array", value)
        assert node.items is not None
        return [_decode(node.items, v, f"{path}/{i}") for i, v in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise _fail(path, "map (JSON object)", value)
        assert node.values is not None
        return {k: _decode(node.values, v, f"{path}/{k}") for k, v in value.items()}
    return _decode_record(node, value, path)


def _decode_bytes(node: Node, value: Any, path: str) -> bytes:
    if not isinstance(value, str):
        raise _fail(path, f"{node.type} as a string of code points 0-255", value)
    try:
        data = value.encode("latin-1")
    except UnicodeEncodeError:
        raise _fail(path, f"{node.type} as a string of code points 0-255", value) from None
    if node.type == "fixed" and len(data) != node.size:
        raise _fail(path, f"fixed {node.name} of {node.size} bytes", value)
    return data


def _decode_union(node: Node, value: Any, path: str) -> Any:
    if value is None:
        if any(b.type == "null" for b in node.branches):
            return None
        raise _fail(path, "a non-null union branch", value)
    names = [b.union_key() for b in node.branches if b.type != "null"]
    if not isinstance(value, dict) or len(value) != 1:
        raise _fail(path, f"a union value wrapped as {{\"<branch>\": value}} with branch one "
                          f"of {names}", value)
    ((key, inner),) = value.items()
    for branch in node.branches:
        if branch.union_key() == key or (branch.name and branch.short_name == key):
            return _decode(branch, inner, f"{path}/{key}")
    raise _fail(path, f"a union branch in {names}", key)


def _decode_record(node: Node, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(path, f"record {node.name} (JSON object)", value)
    out: dict[str, Any] = {}
    for fld in node.fields:
        sub = f"{path}/{fld.name}"
        if fld.name in value:
            out[fld.name] = _decode(fld.type, value[fld.name], sub)
        elif fld.has_default:
            out[fld.name] = _default(fld.type, fld.default, sub)
        else:
            raise SerializationError(
                f"Conversion of JSON to Avro failed at {sub}: missing field {fld.name} "
                f"of record {node.name}, which has no default")
    return out


def _default(node: Node, value: Any, path: str) -> Any:
    """Field defaults use the JSON encoding too, except a union default is its first branch."""
    if node.type == "union":
        return _default(node.branches[0], value, path)
    return _decode(node, value, path)


def to_avro_json(schema: AvroSchema | Node, datum: Any) -> Any:
    """Encode a datum fastavro read (logical types included) as Avro JSON."""
    node = schema.node if isinstance(schema, AvroSchema) else schema
    return _encode(node, datum)


def _encode(node: Node, datum: Any) -> Any:
    kind = node.type
    if kind == "union":
        if datum is None:
            return None
        branch = _branch_for(node, datum)
        return {branch.union_key(): _encode(branch, datum)}
    if kind in ("bytes", "fixed"):
        return _raw_bytes(node, datum).decode("latin-1")
    if kind in ("int", "long"):
        return _raw_int(node, datum)
    if kind in ("float", "double"):
        if isinstance(datum, float) and not math.isfinite(datum):
            return "NaN" if math.isnan(datum) else ("Infinity" if datum > 0 else "-Infinity")
        return datum
    if kind == "string":
        return str(datum) if isinstance(datum, uuid.UUID) else datum
    if kind == "array":
        assert node.items is not None
        return [_encode(node.items, v) for v in datum]
    if kind == "map":
        assert node.values is not None
        return {k: _encode(node.values, v) for k, v in datum.items()}
    if kind == "record":
        return {f.name: _encode(f.type, datum.get(f.name)) for f in node.fields}
    return datum


def _raw_bytes(node: Node, datum: Any) -> bytes:
    if isinstance(datum, decimal.Decimal):
        scale = int(node.props.get("scale", 0))
        unscaled = int(datum.scaleb(scale).to_integral_value())
        size = node.size if node.type == "fixed" else max(1, (unscaled.bit_length() + 8) // 8)
        return unscaled.to_bytes(size, "big", signed=True)
    if isinstance(datum, uuid.UUID):
        return datum.bytes
    return bytes(datum)


def _raw_int(node: Node, datum: Any) -> Any:
    logical = node.props.get("logicalType")
    if isinstance(datum, datetime.datetime):
        if datum.tzinfo is None:
            datum = datum.replace(tzinfo=datetime.UTC)
        micros = (datum - _EPOCH) // datetime.timedelta(microseconds=1)
        return micros if logical in ("timestamp-micros", "local-timestamp-micros") \
            else micros // 1000
    if isinstance(datum, datetime.date):
        return (datum - _EPOCH_DATE).days
    if isinstance(datum, datetime.time):
        micros = ((datum.hour * 60 + datum.minute) * 60 + datum.second) * 1_000_000 \
            + datum.microsecond
        return micros if logical == "time-micros" else micros // 1000
    return datum


def _branch_for(node: Node, datum: Any) -> Node:
    """The union branch a Python value belongs to (first match in declaration order)."""
    for branch in node.branches:
        if _matches(branch, datum):
            return branch
    raise SerializationError(
        f"Value {_show(datum)} matches no branch of union "
        f"{[b.union_key() for b in node.branches]}")


def _matches(node: Node, datum: Any) -> bool:
    kind = node.type
    logical = node.props.get("logicalType")
    if kind == "null":
        return datum is None
    if kind == "boolean":
        return isinstance(datum, bool)
    if kind in ("int", "long"):
        if isinstance(datum, (datetime.date, datetime.time)):
            return logical is not None
        if isinstance(datum, bool) or not isinstance(datum, int):
            return False
        low, high = _INT_RANGE[kind]
        return low <= datum <= high
    if kind in ("float", "double"):
        return isinstance(datum, float) or (isinstance(datum, int) and not isinstance(datum, bool))
    if kind == "string":
        return isinstance(datum, str) or (isinstance(datum, uuid.UUID) and logical == "uuid")
    if kind == "enum":
        return isinstance(datum, str) and datum in node.symbols
    if kind in ("bytes", "fixed"):
        if isinstance(datum, decimal.Decimal):
            return logical == "decimal"
        if isinstance(datum, (bytes, bytearray)):
            return kind == "bytes" or len(datum) == node.size
        return False
    if kind == "array":
        return isinstance(datum, list)
    if kind == "map":
        return isinstance(datum, dict)
    if kind == "record":
        return isinstance(datum, dict) and set(datum) <= {f.name for f in node.fields}
    return False
