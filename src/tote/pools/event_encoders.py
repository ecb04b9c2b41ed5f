"""Fast Avro encoders for the event schemas made of plain fields (BetPlaced, BetRejected).

The sequencer writes one BetPlaced (or BetRejected) per bet, so its encoding is on the
intake's hottest path: fastavro's schemaless writer costs several microseconds a record
for the general machinery. `plain_encoder` builds, once per schema, a function from the
value dict to the same Avro binary datum for records whose fields are all `string`,
`int`, `long` or arrays of strings (tested byte for byte against `AvroCodec`). It returns
None for any other schema, and the encoder raises `PlainEncodeError` for a value it does
not take as is, so the caller falls back to the general codec and its error messages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from tote.serde.avro_json_encoder import varint
from tote.serde.codegen import Source


class PlainEncodeError(ValueError):
    """The value is not one the fast path writes as is."""


_LENGTHS = [varint(n) for n in range(1_024)]  # the length prefix of a short string
# Encoded string arrays (a bet's combinations), by content: few distinct ones repeat.
_ARRAYS: dict[tuple[str, ...], bytes] = {}
_ARRAYS_KEPT = 4_096


def _strings(values: Any) -> bytes:
    """An array of strings: one block of every item, then the empty block."""
    if type(values) is not list:
        raise PlainEncodeError
    key = tuple(values)
    try:
        found = _ARRAYS.get(key)
    except TypeError:  # an unhashable item: certainly not a string
        raise PlainEncodeError from None
    if found is not None:
        return found
    if not values:
        return b"\x00"
    parts = [varint(len(values))]
    for item in values:
        if type(item) is not str:
            raise PlainEncodeError
        data = item.encode("utf-8")
        parts += (varint(len(data)), data)
    parts.append(b"\x00")
    encoded = b"".join(parts)
    if len(values) <= 64:
        if len(_ARRAYS) >= _ARRAYS_KEPT:
            _ARRAYS.clear()
        _ARRAYS[key] = encoded
    return encoded


# Encoded integers by value: stakes and timestamps repeat (a batch's bets share one).
_INTEGERS: dict[int, bytes] = {}
_INTEGERS_KEPT = 4_096


def _integer(value: Any, low: int, high: int) -> bytes:
    if type(value) is not int or not low <= value <= high:
        raise PlainEncodeError
    found = _INTEGERS.get(value)
    if found is None:
        found = varint(value)
        if len(_INTEGERS) >= _INTEGERS_KEPT:
            _INTEGERS.clear()
        _INTEGERS[value] = found
    return found


_RANGES = {"int": (-(1 << 31), (1 << 31) - 1), "long": (-(1 << 63), (1 << 63) - 1)}


def _kind(avro_type: Any) -> str | None:
    if avro_type in ("string", "int", "long"):
        return str(avro_type)
    if (
        isinstance(avro_type, dict)
        and avro_type.get("type") == "array"
        and avro_type.get("items") == "string"
    ):
        return "strings"
    return None


def plain_encoder(schema: Mapping[str, Any]) -> Callable[[Mapping[str, Any]], bytes] | None:
    """The fast encoder of a record schema of plain fields, or None for other schemas.

    The generated function reads every field, checks its type, and joins the encoded
    parts in one go (a function call per field would cost as much as the encoding)."""
    if schema.get("type") != "record" or not schema.get("fields"):
        return None
    kinds = [_kind(field["type"]) for field in schema["fields"]]
    if any(kind is None for kind in kinds):
        return None
    src = Source(
        {
            "PlainEncodeError": PlainEncodeError,
            "_join": b"".join,
            "_varint": varint,
            "_strings": _strings,
            "_integer": _integer,
            "_LENGTHS": _LENGTHS,
        }
    )
    src.emit(0, "def encode(value):")
    src.emit(1, "try:")
    for n, field in enumerate(schema["fields"]):
        src.emit(2, f"v{n} = value[{src.const(field['name'])}]")
    src.emit(1, "except (KeyError, TypeError):")
    src.emit(2, "raise PlainEncodeError from None")
    strings = [f"v{n}" for n, kind in enumerate(kinds) if kind == "string"]
    if strings:
        checks = " or ".join(f"type({v}) is not str" for v in strings)
        src.emit(1, f"if {checks}:")
        src.emit(2, "raise PlainEncodeError")
    parts = []
    for n, kind in enumerate(kinds):
        if kind == "string":
            src.emit(1, f"b{n} = v{n}.encode('utf-8')")
            src.emit(1, f"n{n} = len(b{n})")
            parts += [f"_LENGTHS[n{n}] if n{n} < 1024 else _varint(n{n})", f"b{n}"]
        elif kind == "strings":
            parts.append(f"_strings(v{n})")
        else:
            low, high = _RANGES[str(kind)]
            parts.append(f"_integer(v{n}, {low}, {high})")
    src.emit(1, f"return _join(({', '.join(parts)},))")
    namespace = dict(src.env)
    name = schema.get("name", "record")
    exec(compile("\n".join(src.lines), f"<plain avro encoder {name}>", "exec"), namespace)
    encoder: Callable[[Mapping[str, Any]], bytes] = namespace["encode"]
    return encoder
