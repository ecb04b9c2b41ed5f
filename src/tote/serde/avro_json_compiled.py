"""Avro JSON → fastavro datums, compiled once per schema for the REST Proxy's produce path.

`from_avro_json` walks the schema tree for every value and builds a JSON path string at
every step, which made it the largest cost of producing Avro through the proxy. Here the
tree is turned once into nested closures that only check and convert. They accept exactly
the values `from_avro_json` accepts and return the same datums; when a value does not fit
they give up (`_Mismatch`) and the value is decoded again by `from_avro_json`, which
raises the error with its path, so the messages are the interpreted decoder's own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from tote.serde.avro_json import _INT_RANGE, _decode, _default
from tote.serde.avro_model import Node
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import SerializationError

Convert = Callable[[Any], Any]
_NON_FINITE = ("NaN", "Infinity", "-Infinity")


class _Mismatch(Exception):
    """The value does not fit: decode it again the slow way for the exact error."""


class AvroJsonDecoder:
    """`from_avro_json` for one schema, with the schema walk done at construction."""

    def __init__(self, schema: AvroSchema | Node) -> None:
        self._node = schema.node if isinstance(schema, AvroSchema) else schema
        self._convert = _compile(self._node, {})

    def __call__(self, value: Any) -> Any:
        try:
            return self._convert(value)
        except _Mismatch:
            return _decode(self._node, value, "")  # raises SerializationError with the path


def _compile(node: Node, memo: dict[int, Convert]) -> Convert:
    """The converter of `node`; `memo` ties recursive named types to one converter."""
    known = memo.get(id(node))
    if known is not None:
        return known
    kind = node.type
    if kind in ("record", "error"):
        return _record(node, memo)
    if kind == "union":
        return _union(node, memo)
    if kind in ("int", "long"):
        return _integer(kind)
    if kind in ("float", "double"):
        return _floating
    if kind == "string":
        return _string
    if kind == "boolean":
        return _boolean
    if kind == "null":
        return _null
    if kind == "array":
        assert node.items is not None
        items = _compile(node.items, memo)
        return lambda value: [items(v) for v in value] if type(value) is list else _miss()
    if kind == "map":
        assert node.values is not None
        values = _compile(node.values, memo)
        return lambda value: ({k: values(v) for k, v in value.items()}
                              if isinstance(value, dict) else _miss())
    return _interpreted(node)  # bytes, fixed, enum: rare, and cheap enough as they are


def _miss() -> Any:
    raise _Mismatch


def _interpreted(node: Node) -> Convert:
    def convert(value: Any) -> Any:
        try:
            return _decode(node, value, "")
        except SerializationError:
            raise _Mismatch from None
    return convert


def _integer(kind: str) -> Convert:
    low, high = _INT_RANGE[kind]

    def convert(value: Any) -> Any:
        if type(value) is not int:
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            elif isinstance(value, bool) or not isinstance(value, int):
                raise _Mismatch
        if not low <= value <= high:
            raise _Mismatch
        return value
    return convert


def _floating(value: Any) -> Any:
    if type(value) is float:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if value in _NON_FINITE:
            return float(value.replace("inity", ""))
        raise _Mismatch
    return float(value)


def _string(value: Any) -> Any:
    if not isinstance(value, str):
        raise _Mismatch
    return value


def _boolean(value: Any) -> Any:
    if not isinstance(value, bool):
        raise _Mismatch
    return value


def _null(value: Any) -> Any:
    if value is not None:
        raise _Mismatch
    return None


def _union(node: Node, memo: dict[int, Convert]) -> Convert:
    nullable = any(b.type == "null" for b in node.branches)
    by_key: dict[str, Convert] = {}
    for branch in node.branches:  # first branch wins, by full name or short name
        converter = _compile(branch, memo)
        by_key.setdefault(branch.union_key(), converter)
        if branch.name:
            by_key.setdefault(branch.short_name, converter)

    def convert(value: Any) -> Any:
        if value is None:
            if nullable:
                return None
            raise _Mismatch
        if not isinstance(value, dict) or len(value) != 1:
            raise _Mismatch
        ((key, inner),) = value.items()
        branch = by_key.get(key)
        if branch is None:
            raise _Mismatch
        return branch(inner)
    return convert


def _record(node: Node, memo: dict[int, Convert]) -> Convert:
    fields: list[tuple[str, Convert, Callable[[], Any]]] = []

    def convert(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _Mismatch
        out: dict[str, Any] = {}
        for name, field_convert, default in fields:
            if name in value:
                out[name] = field_convert(value[name])
            else:
                out[name] = default()
        return out

    memo[id(node)] = convert  # before the fields: a field may refer back to this record
    for fld in node.fields:
        fields.append((fld.name, _compile(fld.type, memo),
                       _default_of(fld.type, fld.default) if fld.has_default else _miss))
    return convert


def _default_of(node: Node, default: Any) -> Callable[[], Any]:
    """A field's default, decoded once (a fresh copy each time if it is mutable)."""
    try:
        value = _default(node, default, "")
    except SerializationError:
        return _miss
    if isinstance(value, (list, dict)):
        return lambda: copy.deepcopy(value)
    return lambda: value
