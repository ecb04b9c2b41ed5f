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
import functools
import struct
import types
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
    "_FAILURES": _FAILURES,
}


# Every generated read keeps `pos` where the last variable-length value left it and
# reads the fixed-size parts after that at `pos + off`: the pending offset `off` is
# added to `pos` once per branch taken (each `pos += 1` costs about as much as a read).


def _at(off: int) -> str:
    """The index of the byte `off` bytes past `pos`."""
    return f"pos + {off}" if off else "pos"


def _advance(src: Source, indent: int, off: int) -> None:
    """Move `pos` past the pending bytes."""
    if off:
        src.emit(indent, f"pos += {off}")


@functools.cache
def _two_byte_values() -> tuple[tuple[int, ...] | None, ...]:
    """The zig-zag value of each two-byte varint, by its first byte (128-255) and then
    its second (0-127): a varint's arithmetic makes new int objects past 256, a table
    look-up none. Built once, for the first decoder reading a long, a row per first
    byte as one `range`: its low seven bits `low` give (low >> 1) + 64 * second when
    even, -(low >> 1) - 1 - 64 * second when odd."""
    rows: list[tuple[int, ...] | None] = [None] * 128
    for low in range(128):
        half = low >> 1
        if low & 1:
            rows.append(tuple(range(-half - 1, -half - 1 - 64 * 128, -64)))
        else:
            rows.append(tuple(range(half, half + 64 * 128, 64)))
    return tuple(rows)


def _long(src: Source, indent: int, target: str, off: int) -> int:
    """Read a zig-zag varint `off` bytes past `pos` into `target`, moving `pos` past it
    (the pending offset after: 0); one and two byte values stay inline, by table."""
    src.env.setdefault("_ZIGZAG2", _two_byte_values())
    src.emit(indent,
             f"b = p[{_at(off)}]",
             "if b < 128:",
             f"    {target} = _ZIGZAG[b]",
             f"    pos += {off + 1}",
             "else:",
             f"    c = p[{_at(off + 1)}]",
             "    if c < 128:",
             f"        {target} = _ZIGZAG2[b][c]",
             f"        pos += {off + 2}",
             "    else:",
             f"        {target}, pos = _long_tail(p, {_at(off + 2)}, "
             "(b & 127) | ((c & 127) << 7), 14)")
    return 0


def _sized(src: Source, indent: int, target: str, off: int) -> int:
    """Read a length-prefixed byte string (the bytes object) into `target`."""
    _long(src, indent, "n", off)
    src.emit(indent,
             "end = pos + n",
             "if n < 0 or end > len(p):",
             "    raise _Mismatch",
             f"{target} = p[pos:end]",
             "pos = end")
    return 0


def _logical(node: Node) -> str | None:
    logical = node.props.get("logicalType")
    return logical if isinstance(logical, str) else None


def _value(src: Source, node: Node, indent: int, target: str, arrays: bool, *,
           off: int) -> int | None:
    """Emit the code reading one non-union value `off` bytes past `pos`; the pending
    offset after it, or None if the type is not supported."""
    kind, logical = node.type, _logical(node)
    if kind == "null":
        src.emit(indent, f"{target} = None")
        return off
    if kind == "boolean":
        src.emit(indent,
                 f"b = p[{_at(off)}]",
                 "if b > 1:",
                 "    raise _Mismatch",
                 f"{target} = b == 1")
        return off + 1
    if kind in ("int", "long") and logical is None:
        return _long(src, indent, target, off)
    if kind == "int" and logical == "date":
        _long(src, indent, "v", off)
        src.emit(indent, f"{target} = _date(v + _DAYS_SHIFT)")
        return 0
    if (kind, logical) in (("int", "time-millis"), ("long", "time-micros")):
        _long(src, indent, "v", off)
        reader = "_time_millis" if logical == "time-millis" else "_time_micros"
        src.emit(indent, f"{target} = {reader}(v)")
        return 0
    if kind == "long" and logical in ("timestamp-millis", "timestamp-micros"):
        _long(src, indent, "v", off)
        micros = "v * 1000" if logical == "timestamp-millis" else "v"
        src.emit(indent, f"{target} = _EPOCH + _td(microseconds={micros})")
        return 0
    if kind in ("float", "double") and logical is None:
        reader, size = ("_double", 8) if kind == "double" else ("_float", 4)
        src.emit(indent, f"{target}, = {reader}(p, {_at(off)})")
        return off + size
    if kind == "string" and logical is None:
        _sized(src, indent, "raw", off)
        src.emit(indent, f"{target} = raw.decode()")
        return 0
    if kind == "bytes" and logical is None:
        return _sized(src, indent, target, off)
    if kind == "bytes" and logical == "decimal":
        precision, scale = node.props.get("precision"), node.props.get("scale", 0)
        if not isinstance(precision, int) or not isinstance(scale, int):
            return None
        context = src.const(decimal.Context(prec=precision))
        _sized(src, indent, "raw", off)
        src.emit(indent, f"{target} = {context}.create_decimal("
                         f"_from_bytes(raw, 'big', signed=True)).scaleb({-scale}, {context})")
        return 0
    if kind == "array" and arrays and logical is None and node.items is not None:
        _advance(src, indent, off)
        return 0 if _array(src, node.items, indent, target) else None
    if kind == "enum" and logical is None:
        symbols = src.const(tuple(node.symbols))
        _long(src, indent, "v", off)
        src.emit(indent,
                 "if v < 0:",
                 "    raise _Mismatch",
                 f"{target} = {symbols}[v]")
        return 0
    return None


def _array(src: Source, items: Node, indent: int, target: str) -> bool:
    """Emit the code reading an array (blocks of items, a negative count followed by the
    block's size in bytes, a zero count at the end) into the list `target`."""
    if items.type == "null":
        return False  # items of no bytes: a damaged count could loop for ever
    count, item = f"{target}_k", f"{target}_i"
    src.emit(indent, f"{target} = []", "while True:")
    _long(src, indent + 1, count, 0)
    src.emit(indent + 1,
             f"if {count} == 0:",
             "    break",
             f"if {count} < 0:",
             f"    {count} = -{count}")
    _long(src, indent + 2, f"{target}_s", 0)
    src.emit(indent + 1,
             f"if {count} > len(p) - pos:",  # every item takes a byte at least
             "    raise _Mismatch",
             f"for _ in range({count}):")
    pending = _field(src, items, indent + 2, item, True, off=0)
    if pending is None:
        return False
    _advance(src, indent + 2, pending)
    src.emit(indent + 2, f"{target}.append({item})")
    return True


def _field(src: Source, node: Node, indent: int, target: str, arrays: bool, *,
           off: int) -> int | None:
    """Emit the reads of a field's value `off` bytes past `pos`; the pending offset
    after it, or None if its type is not supported."""
    if node.type != "union":
        return _value(src, node, indent, target, arrays, off=off)
    kinds = [b.type for b in node.branches]
    if len(kinds) != 2 or kinds.count("null") != 1:
        return None
    null_byte = 0 if kinds[0] == "null" else 2  # zig-zag of the branch index
    other = node.branches[1] if null_byte == 0 else node.branches[0]
    # The value's branch first: it is the common one, and a test fewer per field.
    src.emit(indent,
             f"b = p[{_at(off)}]",
             f"if b == {2 - null_byte}:")
    pending = _value(src, other, indent + 1, target, arrays, off=off + 1)
    if pending is None:
        return None
    _advance(src, indent + 1, pending)
    src.emit(indent,
             f"elif b == {null_byte}:",
             f"    {target} = None",
             f"    pos += {off + 1}",
             "else:",
             "    raise _Mismatch")
    return 0


def _fields(src: Source, node: Node, indent: int, arrays: bool) -> list[str] | None:
    """Emit the reads of every field of the record; the names they are read into."""
    targets = []
    pending = 0
    for index, avro_field in enumerate(node.fields):
        target = f"f{index}"
        after = _field(src, avro_field.type, indent, target, arrays, off=pending)
        if after is None:
            return None
        pending = after
        targets.append(target)
    src.emit(indent, f"if {_at(pending)} != len(p):", "    raise _Mismatch")
    return targets


def _one(src: Source, node: Node, arrays: bool) -> bool:
    """Emit `decode_one`: one payload's tuple, or None where it does not decode (the
    failures caught in the function itself, so a caller calls it directly)."""
    src.emit(0, "def decode_one(p, pos):", "    try:")
    targets = _fields(src, node, 2, arrays)
    if targets is None:
        return False
    src.emit(2, f"return ({', '.join(targets)},)")
    src.emit(1, "except _FAILURES:", "    return None")
    return True


def _framed(src: Source, node: Node, arrays: bool) -> bool:
    """Emit `decode_framed`: the caller's check of the prefix `_PREFIX` and `decode_one`'s
    read of the datum after it, in one call; other data (None, another prefix) and data
    that does not decode go to `_otherwise`, which reads them the general way."""
    src.emit(0, "def decode_framed(p):",
             "    if p is not None and p[:_START] == _PREFIX:",
             "        pos = _START",
             "        try:")
    targets = _fields(src, node, 3, arrays)
    if targets is None:
        return False
    src.emit(3, f"return ({', '.join(targets)},)")
    src.emit(2, "except _FAILURES:", "    pass")
    src.emit(1, "return _otherwise(p)")
    return True


class AvroRowDecoder:
    """Payloads of one flat record schema → tuples of field values in schema order.
    Its functions (a batch, one payload) are compiled when first used, `framed`'s when
    asked for."""

    def __init__(self, names: tuple[str, ...], label: str, env: dict[str, Any],
                 sources: dict[str, str]) -> None:
        self.names = names
        self._label = label
        self._env = env
        self._sources = sources
        self._decode: Callable[[Sequence[bytes], int], list[Row]] | None = None
        self._decode_one: Callable[[bytes, int], Row | None] | None = None

    def _function(self, name: str, **names: Any) -> Any:
        """The generated function `name`, its text referring to `names` besides `_ENV`."""
        code = compile(self._sources[name], f"<avro rows {self._label}>", "exec")
        namespace = {**self._env, **names}
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
        if not _one(src, node, arrays):
            return None
        one = len(src.lines)
        if not _framed(src, node, arrays):
            return None
        lines = src.lines
        return cls(tuple(f.name for f in node.fields), str(node.name), src.env,
                   {"decode": "\n".join(lines[:batch]), "decode_one": "\n".join(lines[batch:one]),
                    "decode_framed": "\n".join(lines[one:])})

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
        return self._one()(payload, start)

    def reader(self, start: int) -> Callable[[bytes], Row | None]:
        """`decode_one` for data whose datum begins at `start`, as the generated function
        itself (a caller decoding one record at a time saves the calls in between)."""
        code = self._one().__code__
        function: Callable[[bytes], Row | None] = types.FunctionType(
            code, self._one().__globals__, code.co_name, (start,))
        return function

    def framed(self, prefix: bytes, otherwise: Callable[[bytes | None], Row | None]
               ) -> Callable[[bytes | None], Row | None]:
        """A function reading data framed with `prefix` (its datum after it) as
        `decode_one` does, and giving any other data (None, another prefix) and data it
        cannot read to `otherwise`: for a caller whose data mostly has one prefix, the
        check and the read in one call."""
        function: Callable[[bytes | None], Row | None] = self._function(
            "decode_framed", _PREFIX=prefix, _START=len(prefix), _otherwise=otherwise)
        return function

    def _one(self) -> Callable[[bytes, int], Row | None]:
        if self._decode_one is None:
            self._decode_one = self._function("decode_one")
        return self._decode_one
