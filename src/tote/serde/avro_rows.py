"""Decode many flat Avro records of one writer schema into tuples, with generated code.

A sink reading a topic decodes thousands of small records of one schema, and only needs
each record's field values in order. fastavro walks the schema for every field of every
record (type dispatch, union resolution, logical-type lookups), which costs more than the
bytes themselves. Here the walk happens once: a record schema whose fields are all
primitives, `["null", T]` unions or the common logical types becomes the source of one
Python function that reads a whole list of payloads in a single loop (and one that reads
a single payload, for the SQL engine's rows).

The values are exactly fastavro's (the tests compare them on random data): ints, floats,
str, bytes, enum symbols, `Decimal` for decimals, `date`, `time`, UTC-aware `datetime`
for timestamps, and lists for arrays of those. Anything else (nested records, maps,
fixed, uuid, multi-branch unions, unknown logical types) is not compiled, and any payload
that does not decode to exactly its length makes the whole call return None, so the
caller decodes that batch with fastavro and reports its errors per record.
"""

from __future__ import annotations

import datetime
import decimal
import struct
from collections.abc import Callable, Sequence
from typing import Any

from tote.serde.avro_model import Node
from tote.serde.codegen import Source

Row = tuple[Any, ...]
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_DAYS_SHIFT = datetime.date(1970, 1, 1).toordinal()
_MAX_VARINT_BYTES = 10


class _Mismatch(Exception):
    """A payload does not decode under the schema (the caller falls back)."""


_FAILURES = (_Mismatch, IndexError, ValueError, struct.error, UnicodeDecodeError,
             OverflowError, decimal.DecimalException)


_U64 = (1 << 64) - 1


def _long_tail(p: bytes, pos: int, acc: int, shift: int) -> tuple[int, int]:
    """The rest of a varint of three or more bytes: (zig-zag decoded value, next pos).
    Bits past the 64th (only a damaged tenth byte has them) are dropped, as fastavro's
    64-bit arithmetic drops them."""
    while True:
        b = p[pos]
        pos += 1
        acc |= (b & 0x7F) << shift
        if b < 0x80:
            acc &= _U64
            return (acc >> 1) ^ -(acc & 1), pos
        shift += 7
        if shift >= 7 * _MAX_VARINT_BYTES:
            raise _Mismatch


def _time_millis(v: int) -> datetime.time:
    # fastavro's arithmetic, including its float divisions, so the values are the same.
    return datetime.time(int(v / 3_600_000), int(v / 60_000) % 60, int(v / 1000) % 60,
                         int(v % 1000) * 1000)


def _time_micros(v: int) -> datetime.time:
    return datetime.time(int(v / 3_600_000_000), int(v / 60_000_000) % 60,
                         int(v / 1_000_000) % 60, v % 1_000_000)


# What the generated decoders' text refers to by name.
_ENV = {
    "_Mismatch": _Mismatch, "_long_tail": _long_tail,
    "_double": struct.Struct("<d").unpack_from, "_float": struct.Struct("<f").unpack_from,
    "_EPOCH": _EPOCH, "_td": datetime.timedelta, "_date": datetime.date.fromordinal,
    "_DAYS_SHIFT": _DAYS_SHIFT, "_time_millis": _time_millis,
    "_time_micros": _time_micros, "_from_bytes": int.from_bytes,
    "_ZIGZAG": tuple((b >> 1) ^ -(b & 1) for b in range(128)),
}


def _long(src: Source, indent: int, target: str) -> None:
    """Read a zig-zag varint into `target`; one and two byte values stay inline (one
    byte by table)."""
    src.emit(indent,
             "b = p[pos]",
             "pos += 1",
             "if b < 128:",
             f"    {target} = _ZIGZAG[b]",
             "else:",
             "    c = p[pos]",
             "    pos += 1",
             "    if c < 128:",
             "        x = (b & 127) | (c << 7)",
             f"        {target} = (x >> 1) ^ -(x & 1)",
             "    else:",
             f"        {target}, pos = _long_tail(p, pos, (b & 127) | ((c & 127) << 7), 14)")


def _sized(src: Source, indent: int, target: str) -> None:
    """Read a length-prefixed byte string (the bytes object) into `target`."""
    _long(src, indent, "n")
    src.emit(indent,
             "end = pos + n",
             "if n < 0 or end > len(p):",
             "    raise _Mismatch",
             f"{target} = p[pos:end]",
             "pos = end")


def _logical(node: Node) -> str | None:
    logical = node.props.get("logicalType")
    return logical if isinstance(logical, str) else None


def _value(src: Source, node: Node, indent: int, target: str, arrays: bool) -> bool:
    """Emit the code reading one non-union value; False if the type is not supported."""
    kind, logical = node.type, _logical(node)
    if kind == "null":
        src.emit(indent, f"{target} = None")
        return True
    if kind == "boolean":
        src.emit(indent,
                 "b = p[pos]",
                 "pos += 1",
                 "if b > 1:",
                 "    raise _Mismatch",
                 f"{target} = b == 1")
        return True
    if kind in ("int", "long") and logical is None:
        _long(src, indent, target)
        return True
    if kind == "int" and logical == "date":
        _long(src, indent, "v")
        src.emit(indent, f"{target} = _date(v + _DAYS_SHIFT)")
        return True
    if (kind, logical) in (("int", "time-millis"), ("long", "time-micros")):
        _long(src, indent, "v")
        reader = "_time_millis" if logical == "time-millis" else "_time_micros"
        src.emit(indent, f"{target} = {reader}(v)")
        return True
    if kind == "long" and logical in ("timestamp-millis", "timestamp-micros"):
        _long(src, indent, "v")
        micros = "v * 1000" if logical == "timestamp-millis" else "v"
        src.emit(indent, f"{target} = _EPOCH + _td(microseconds={micros})")
        return True
    if kind in ("float", "double") and logical is None:
        reader, size = ("_double", 8) if kind == "double" else ("_float", 4)
        src.emit(indent, f"{target} = {reader}(p, pos)[0]", f"pos += {size}")
        return True
    if kind == "string" and logical is None:
        _sized(src, indent, "raw")
        src.emit(indent, f"{target} = raw.decode()")
        return True
    if kind == "bytes" and logical is None:
        _sized(src, indent, target)
        return True
    if kind == "bytes" and logical == "decimal":
        precision, scale = node.props.get("precision"), node.props.get("scale", 0)
        if not isinstance(precision, int) or not isinstance(scale, int):
            return False
        context = src.const(decimal.Context(prec=precision))
        _sized(src, indent, "raw")
        src.emit(indent, f"{target} = {context}.create_decimal("
                         f"_from_bytes(raw, 'big', signed=True)).scaleb({-scale}, {context})")
        return True
    if kind == "array" and arrays and logical is None and node.items is not None:
        return _array(src, node.items, indent, target)
    if kind == "enum" and logical is None:
        symbols = src.const(tuple(node.symbols))
        _long(src, indent, "v")
        src.emit(indent,
                 "if v < 0:",
                 "    raise _Mismatch",
                 f"{target} = {symbols}[v]")
        return True
    return False


def _array(src: Source, items: Node, indent: int, target: str) -> bool:
    """Emit the code reading an array (blocks of items, a negative count followed by the
    block's size in bytes, a zero count at the end) into the list `target`."""
    if items.type == "null":
        return False  # items of no bytes: a damaged count could loop for ever
    count, item = f"{target}_k", f"{target}_i"
    src.emit(indent, f"{target} = []", "while True:")
    _long(src, indent + 1, count)
    src.emit(indent + 1,
             f"if {count} == 0:",
             "    break",
             f"if {count} < 0:",
             f"    {count} = -{count}")
    _long(src, indent + 2, f"{target}_s")
    src.emit(indent + 1,
             f"if {count} > len(p) - pos:",  # every item takes a byte at least
             "    raise _Mismatch",
             f"for _ in range({count}):")
    if not _field(src, items, indent + 2, item, True):
        return False
    src.emit(indent + 2, f"{target}.append({item})")
    return True


def _field(src: Source, node: Node, indent: int, target: str, arrays: bool) -> bool:
    if node.type != "union":
        return _value(src, node, indent, target, arrays)
    kinds = [b.type for b in node.branches]
    if len(kinds) != 2 or kinds.count("null") != 1:
        return False
    null_byte = 0 if kinds[0] == "null" else 2  # zig-zag of the branch index
    other = node.branches[1] if null_byte == 0 else node.branches[0]
    # The value's branch first: it is the common one, and a test fewer per field.
    src.emit(indent,
             "b = p[pos]",
             "pos += 1",
             f"if b == {2 - null_byte}:")
    if not _value(src, other, indent + 1, target, arrays):
        return False
    src.emit(indent,
             f"elif b == {null_byte}:",
             f"    {target} = None",
             "else:",
             "    raise _Mismatch")
    return True


def _fields(src: Source, node: Node, indent: int, arrays: bool) -> list[str] | None:
    """Emit the reads of every field of the record; the names they are read into."""
    targets = []
    for index, avro_field in enumerate(node.fields):
        target = f"f{index}"
        if not _field(src, avro_field.type, indent, target, arrays):
            return None
        targets.append(target)
    src.emit(indent, "if pos != len(p):", "    raise _Mismatch")
    return targets


class AvroRowDecoder:
    """Payloads of one flat record schema → tuples of field values in schema order.
    Each of its two functions (a batch, one payload) is compiled when first used."""

    def __init__(self, names: tuple[str, ...], label: str, env: dict[str, Any],
                 batch_source: str, one_source: str) -> None:
        self.names = names
        self._label = label
        self._env = env
        self._sources = {"decode": batch_source, "decode_one": one_source}
        self._decode: Callable[[Sequence[bytes], int], list[Row]] | None = None
        self._decode_one: Callable[[bytes, int], Row] | None = None

    def _function(self, name: str) -> Any:
        code = compile(self._sources[name], f"<avro rows {self._label}>", "exec")
        namespace = dict(self._env)
        exec(code, namespace)
        return namespace[name]

    @classmethod
    def compile(cls, node: Node, *, arrays: bool = False) -> AvroRowDecoder | None:
        """The decoder for a record schema, or None if a field's type is not supported
        (arrays only if asked: their lists are values a caller must know to expect)."""
        if node.type != "record" or not node.fields:
            return None
        src = Source(_ENV)
        src.emit(0, "def decode(payloads, start):", "    out = []", "    add = out.append",
                 "    for p in payloads:", "        pos = start")
        targets = _fields(src, node, 2, arrays)
        if targets is None:
            return None
        src.emit(2, f"add(({', '.join(targets)},))")
        src.emit(1, "return out")
        batch = len(src.lines)
        src.emit(0, "def decode_one(p, pos):")
        if _fields(src, node, 1, arrays) is None:
            return None
        src.emit(1, f"return ({', '.join(targets)},)")
        return cls(tuple(f.name for f in node.fields), str(node.name), src.env,
                   "\n".join(src.lines[:batch]), "\n".join(src.lines[batch:]))

    def decode(self, payloads: Sequence[bytes], start: int = 0) -> list[Row] | None:
        """Each payload (its Avro datum beginning at `start`) as a tuple, or None if any
        payload does not decode to exactly its own length."""
        if self._decode is None:
            self._decode = self._function("decode")
        try:
            return self._decode(payloads, start)
        except _FAILURES:
            return None

    def decode_one(self, payload: bytes, start: int = 0) -> Row | None:
        """One payload's field values (its datum beginning at `start`), or None if it does
        not decode to exactly its length."""
        if self._decode_one is None:
            self._decode_one = self._function("decode_one")
        try:
            return self._decode_one(payload, start)
        except _FAILURES:
            return None
