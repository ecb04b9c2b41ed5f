"""Avro JSON → Avro binary in one pass, compiled once per flat record schema.

The REST Proxy's Avro produce path converted each posted value to a fastavro datum
(`AvroJsonDecoder`) and then had fastavro encode it: two walks of the schema, a dict and
a `BytesIO` per record, and most of the proxy's CPU for a batch of small records. Here a
record schema whose fields are all primitives, enums, fixed, `["null", T]` unions or the
common logical types becomes the source of one Python function that checks each field
and writes its bytes directly.

It accepts only values the general path (`from_avro_json` + fastavro) accepts, and then
writes exactly fastavro's bytes (the tests compare them on random data). Anything else
— a value that does not fit, a rare spelling such as `"NaN"` for a double, a missing
field without a precomputed default — goes to the `fallback` given at compile time
(the general path, which writes the value or raises its usual error naming the field),
or returns None when there is none. The fallback is called from the generated code so
that a batch of common records costs one Python call each.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from tote.serde.avro_json import _default, to_avro_json
from tote.serde.avro_model import Field, Node
from tote.serde.codegen import Source

Encode = Callable[[Any], bytes | None]
Fallback = Callable[[Any], bytes | None]

_MISSING: Any = object()
_INT_RANGE = {"int": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
# Logical types whose Avro JSON value is the underlying int/long/string/bytes, which
# fastavro writes unchanged.
_PLAIN_LOGICAL = {
    ("int", "date"),
    ("int", "time-millis"),
    ("long", "time-micros"),
    ("long", "timestamp-millis"),
    ("long", "timestamp-micros"),
    ("long", "local-timestamp-millis"),
    ("long", "local-timestamp-micros"),
    ("string", "uuid"),
}
# Small ints are most of what records hold: their zig-zag varint is one byte.
_SMALL = 64
# What the generated code does with a value it does not write.
_MISS = "return _fallback(value)"
_FAILURES = (
    TypeError,
    ValueError,
    OverflowError,
    struct.error,
    AttributeError,
    KeyError,
    IndexError,
)


_ONE_BYTE = [bytes([n]) for n in range(128)]


def varint(value: int) -> bytes:
    """Avro's zig-zag varint of a long (up to three bytes unrolled: counts, lengths and
    most amounts)."""
    z = (value << 1) ^ (value >> 63)
    if z < 128:
        return _ONE_BYTE[z]
    if z < 0x4000:
        return bytes((z & 0x7F | 0x80, z >> 7))
    if z < 0x20_0000:
        return bytes((z & 0x7F | 0x80, (z >> 7) & 0x7F | 0x80, z >> 14))
    out = bytearray()
    while z > 0x7F:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def _source(fallback: Callable[[Any], Any]) -> Source:
    return Source({
        "_fallback": fallback,
        "_MISSING": _MISSING,
        "_FAILURES": _FAILURES,
        "_varint": varint,
        "_pack_d": struct.Struct("<d").pack,
        "_pack_f": struct.Struct("<f").pack,
    })


def _logical(node: Node) -> str | None:
    logical = node.props.get("logicalType")
    return logical if isinstance(logical, str) else None


def _value(src: Source, node: Node, indent: int, target: str, prefix: bytes) -> bool:
    """Emit code checking the JSON value in `x` and setting `target` to `prefix` + its
    Avro bytes, or returning None; False if the type is not supported."""
    kind, logical = node.type, _logical(node)
    if logical is not None and (kind, logical) not in _PLAIN_LOGICAL:
        return False  # decimal and unknown logical types: the general path
    pre = src.const(prefix)
    if kind == "null":
        src.emit(indent, "if x is not None:", "    " + _MISS, f"{target} = {pre}")
        return True
    if kind == "boolean":
        true, false = src.const(prefix + b"\x01"), src.const(prefix + b"\x00")
        src.emit(
            indent,
            "if x is True:",
            f"    {target} = {true}",
            "elif x is False:",
            f"    {target} = {false}",
            "else:",
            "    " + _MISS,
        )
        return True
    if kind in ("int", "long"):
        low, high = _INT_RANGE[kind]
        small = src.const(
            [prefix + varint(i) for i in range(_SMALL)]
            + [prefix + varint(i) for i in range(-_SMALL, 0)]
        )
        src.emit(
            indent,
            "if type(x) is not int:",
            "    if type(x) is float and x.is_integer():",
            "        x = int(x)",
            "    else:",
            "        " + _MISS,
            f"if -{_SMALL} <= x < {_SMALL}:",
            f"    {target} = {small}[x]",
            f"elif {low} <= x <= {high}:",
            f"    {target} = {pre} + _varint(x)",
            "else:",
            "    " + _MISS,
        )
        return True
    if kind in ("float", "double"):
        pack = "_pack_d" if kind == "double" else "_pack_f"
        src.emit(
            indent,
            "if type(x) is float:",
            f"    {target} = {pre} + {pack}(x)",
            "elif type(x) is int:",
            f"    {target} = {pre} + {pack}(float(x))",
            "else:",
            "    " + _MISS,
        )  # "NaN", "Infinity": the general path
        return True
    if kind == "string":
        src.emit(indent, "if type(x) is not str:", "    " + _MISS, "raw = x.encode()")
        src.emit(
            indent,
            "n = len(raw)",
            f"{target} = {pre} + (_LEN[n] if n < {_SMALL} else _varint(n)) + raw",
        )
        return True
    if kind == "bytes":
        src.emit(
            indent,
            "if type(x) is not str:",
            "    " + _MISS,
            "raw = x.encode('latin-1')",
            "n = len(raw)",
            f"{target} = {pre} + (_LEN[n] if n < {_SMALL} else _varint(n)) + raw",
        )
        return True
    if kind == "fixed":
        src.emit(
            indent,
            "if type(x) is not str:",
            "    " + _MISS,
            "raw = x.encode('latin-1')",
            f"if len(raw) != {node.size}:",
            "    " + _MISS,
            f"{target} = {pre} + raw",
        )
        return True
    if kind == "enum":
        symbols = src.const({s: prefix + varint(i) for i, s in enumerate(node.symbols)})
        src.emit(
            indent,
            "if type(x) is not str:",
            "    " + _MISS,
            f"{target} = {symbols}.get(x)",
            f"if {target} is None:",
            "    " + _MISS,
        )
        return True
    return False


def _union(src: Source, node: Node, indent: int, target: str) -> bool:
    """A `["null", T]` or `[T, "null"]` union: None, or `{"<T>": value}`."""
    kinds = [b.type for b in node.branches]
    if len(kinds) != 2 or kinds.count("null") != 1:
        return False
    null_index = kinds.index("null")
    other = node.branches[1 - null_index]
    keys = [other.union_key()]
    if other.name and other.short_name not in keys:
        keys.append(other.short_name)
    null = src.const(varint(null_index))
    src.emit(
        indent, "if v is None:", f"    {target} = {null}", "elif type(v) is dict and len(v) == 1:"
    )
    src.emit(indent + 1, f"x = v.get({keys[0]!r}, _MISSING)")
    if len(keys) > 1:
        src.emit(indent + 1, "if x is _MISSING:", f"    x = v.get({keys[1]!r}, _MISSING)")
    src.emit(indent + 1, "if x is _MISSING:", "    " + _MISS)
    if not _value(src, other, indent + 1, target, varint(1 - null_index)):
        return False
    src.emit(indent, "else:", "    " + _MISS)
    return True


def _no_fallback(value: Any) -> None:
    return None


def compile_encoder(
    node: Node, prefix: bytes = b"", fallback: Fallback = _no_fallback
) -> Encode | None:
    """The one-pass encoder of a record schema (its output starts with `prefix`, e.g. the
    Confluent wire header; a value it does not write goes to `fallback`), or None if a
    field's type is not supported."""
    if node.type != "record" or not node.fields:
        return None
    src = _source(fallback)
    src.env["_LEN"] = [varint(n) for n in range(_SMALL)]
    src.emit(
        0, "def encode(value):", "    if type(value) is not dict:", "        " + _MISS, "    try:"
    )
    targets = []
    for index, fld in enumerate(node.fields):
        target = f"f{index}"
        src.emit(2, f"v = value.get({fld.name!r}, _MISSING)", "if v is _MISSING:")
        default = _default_bytes(fld.type, fld.default) if fld.has_default else None
        if default is None:
            src.emit(3, _MISS)
        else:
            src.emit(3, f"{target} = {src.const(default)}")
        if fld.type.type == "union":
            src.emit(2, "else:")
            if not _union(src, fld.type, 3, target):
                return None
        else:
            src.emit(2, "else:", "    x = v")
            if not _value(src, fld.type, 3, target, b""):
                return None
        targets.append(target)
    head = src.const(prefix)
    src.emit(2, f"return b''.join(({head}, {', '.join(targets)}))")
    src.emit(1, "except _FAILURES:", "    pass", _MISS)
    namespace = dict(src.env)
    exec(compile("\n".join(src.lines), f"<avro json encoder {node.name}>", "exec"), namespace)
    encode: Encode = namespace["encode"]
    return encode


def _default_bytes(node: Node, default: Any) -> bytes | None:
    """A field default's bytes, by the same generated code (a one-field record), or None
    if it can't be had here (records lacking the field then take the general path)."""
    try:
        value = to_avro_json(node, _default(node, default, ""))
    except Exception:  # noqa: BLE001 - an odd default: records lacking the field go the slow way
        return None
    encode = compile_encoder(Node("record", name="_Default", fields=[Field("f", node)]))
    return None if encode is None else encode({"f": value})
