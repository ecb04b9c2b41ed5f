"""A fast Avro encoder for "flat" records: every field a `["null", primitive]` union
(or `["null", array of primitives]`).

ksqlDB's generated value schemas for rows of plain columns are exactly this shape, and
the SQL engine writes one such record per output row, so encoding them is on its hottest
path. `flat_encoder` builds, once per schema, a function from the row's values (in field
order) to the Avro binary datum: the same bytes fastavro writes (property-tested against
it), several times faster. It returns None for any other schema; the encoder raises
`FlatEncodeError` for a value it does not take as is (an out-of-range INT, a wrong type)
so the caller falls back to the general encoder and its error messages.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from tote.serde.avro_json_encoder import varint
from tote.serde.avro_model import Node
from tote.serde.codegen import Source

FieldEncoder = Callable[[Any], bytes]
_DOUBLE = struct.Struct("<d").pack
_FLOAT = struct.Struct("<f").pack
_INT_MIN, _INT_MAX = -(1 << 31), (1 << 31) - 1
_LONG_MIN, _LONG_MAX = -(1 << 63), (1 << 63) - 1
_SMALL = [bytes([n]) for n in range(128)]
# Varints of recent longs and ints (bounded): rows repeat the same ids, amounts and
# timestamps from record to record, and a dict lookup costs a fraction of a multi-byte
# varint.
_LONGS: dict[int, bytes] = {}
_LONGS_LIMIT = 65_536


class FlatEncodeError(ValueError):
    """The value is not one the fast path writes as is."""


def _long(value: Any) -> bytes:
    """The varint of a long, remembered in `_LONGS` (which holds longs only: an int
    field checks the int range before it looks there)."""
    if type(value) is not int or not _LONG_MIN <= value <= _LONG_MAX:
        raise FlatEncodeError
    data = _LONGS.get(value)
    if data is None:
        if len(_LONGS) >= _LONGS_LIMIT:
            _LONGS.clear()
        data = _LONGS[value] = varint(value)
    return data


def _int(value: Any) -> bytes:
    if type(value) is not int or not _INT_MIN <= value <= _INT_MAX:
        raise FlatEncodeError
    return varint(value)


def _double(value: Any) -> bytes:
    if type(value) is not float and type(value) is not int:
        raise FlatEncodeError
    return _DOUBLE(value)


def _float(value: Any) -> bytes:
    if type(value) is not float and type(value) is not int:
        raise FlatEncodeError
    try:
        return _FLOAT(value)
    except OverflowError:
        raise FlatEncodeError from None


def _string(value: Any) -> bytes:
    if type(value) is not str:
        raise FlatEncodeError
    data = value.encode("utf-8")
    return varint(len(data)) + data


def _bytes(value: Any) -> bytes:
    if type(value) is not bytes:
        raise FlatEncodeError
    return varint(len(value)) + value


def _boolean(value: Any) -> bytes:
    if type(value) is not bool:
        raise FlatEncodeError
    return b"\x01" if value else b"\x00"


_PRIMITIVES: dict[str, FieldEncoder] = {
    "int": _int, "long": _long, "double": _double, "float": _float, "string": _string,
    "bytes": _bytes, "boolean": _boolean}


def _primitive(node: Node) -> FieldEncoder | None:
    if "logicalType" in node.props:
        return None
    return _PRIMITIVES.get(node.type)


def _array(items: Node) -> FieldEncoder | None:
    """The encoder of an array of primitives or of `["null", primitive]` unions, writing
    what fastavro writes: one block (its item count, the items), then a zero count."""
    nullable = _nullable(items, arrays=False)
    if nullable is not None:
        null_tag, value_tag, item = nullable
    else:
        plain = _primitive(items)
        if plain is None:
            return None
        null_tag, value_tag, item = b"", b"", plain

    def encode(values: Any) -> bytes:
        if type(values) is not list and type(values) is not tuple:
            raise FlatEncodeError
        if not values:
            return b"\x00"
        parts = [varint(len(values))]
        for value in values:
            if value is None:
                if not null_tag:
                    raise FlatEncodeError
                parts.append(null_tag)
            else:
                parts.append(value_tag + item(value))
        parts.append(b"\x00")
        return b"".join(parts)

    return encode


def _nullable(node: Node, arrays: bool = True) -> tuple[bytes, bytes, FieldEncoder] | None:
    """(null tag, value tag, value encoder) of a `["null", primitive]` union field (or,
    if `arrays`, of a `["null", array]` one)."""
    if node.type != "union" or len(node.branches) != 2:
        return None
    kinds = [b.type for b in node.branches]
    if "null" not in kinds:
        return None
    null_index = kinds.index("null")
    value_node = node.branches[1 - null_index]
    if arrays and value_node.type == "array" and value_node.items is not None \
            and "logicalType" not in value_node.props:
        encode = _array(value_node.items)
    else:
        encode = _primitive(value_node)
    if encode is None:
        return None
    return _SMALL[null_index << 1], _SMALL[(1 - null_index) << 1], encode


def _inline(src: Source, name: str, null_tag: bytes, value_tag: bytes,
            encode: FieldEncoder, *, floats_only: bool, indent: int = 1) -> None:
    """Emit the statements writing one field into `p_<name>`: strings, floats and small
    longs (the usual keys, kinds and amounts) without a call, the rest by their encoder
    (`floats_only`: a double field refuses an int)."""
    part = f"p_{name}"
    src.emit(indent, f"if {name} is None:", f"    {part} = {src.const(null_tag)}")
    if encode is _string:
        # The tag and the length's varint in one constant, for strings under 64 bytes.
        short = src.const(tuple(value_tag + varint(n) for n in range(64)))
        src.emit(indent,
                 f"elif type({name}) is str:",
                 f"    {part} = {name}.encode()",
                 f"    n = len({part})",
                 f"    {part} = ({short}[n] if n < 64 else "
                 f"{src.const(value_tag)} + _varint(n)) + {part}")
        src.emit(indent, "else:", "    raise FlatEncodeError")
        return
    if encode is _double:
        src.emit(indent, f"elif type({name}) is float:",
                 f"    {part} = {src.const(value_tag)} + _pack_double({name})")
        if floats_only:
            src.emit(indent, "else:", "    raise FlatEncodeError")
            return
    if encode in (_long, _int):
        small = src.const(tuple(value_tag + varint(n) for n in range(-64, 64)))
        src.emit(indent,
                 f"elif type({name}) is int and -64 <= {name} < 64:",
                 f"    {part} = {small}[{name} + 64]")
    if encode in (_long, _int):  # a remembered varint without a call; `_long` fills it
        in_range = "" if encode is _long else f" and {_INT_MIN} <= {name} <= {_INT_MAX}"
        src.emit(indent, f"elif type({name}) is int{in_range}:",
                 f"    {part} = {src.const(value_tag)} + "
                 f"(_longs.get({name}) or {src.const(_long)}({name}))")
    src.emit(indent, "else:",
             f"    {part} = {src.const(value_tag)} + {src.const(encode)}({name})")


_Field = tuple[str, bytes, bytes, FieldEncoder]  # (name, null tag, value tag, encoder)


def _runs(fields: list[_Field]) -> list[list[_Field]]:
    """The fields in order, consecutive doubles together (each other field alone)."""
    runs: list[list[_Field]] = []
    for field in fields:
        if runs and field[3] is _double and runs[-1][-1][3] is _double:
            runs[-1].append(field)
        else:
            runs.append([field])
    return runs


def _doubles(src: Source, run: list[_Field], prefix: bytes, *, whole: bool,
             floats_only: bool, notes: Notes | None, out: str | None) -> None:
    """Emit a run of double fields into the first one's `p_<name>`: when all hold
    floats (the usual), one struct pack of their tags and values (of the `whole` record,
    after `prefix`: returned at once); else field by field."""
    names = [name for name, *_ in run]
    head = [src.const(prefix)] if whole and prefix else []
    pack = struct.Struct("<" + (f"{len(prefix)}s" if head else "") + "Bd" * len(run)).pack
    values = ", ".join(head + [f"{tag[0]}, {name}" for name, _, tag, _ in run])
    src.emit(1, f"if {' and '.join(f'type({name}) is float' for name in names)}:")
    if whole:
        _result(src, 2, f"{src.const(pack)}({values})", notes, out)
    else:
        src.emit(2, f"p_{names[0]} = {src.const(pack)}({values})")
    src.emit(1, "else:")
    for field in run:
        _inline(src, *field, floats_only=floats_only, indent=2)
    if len(run) > 1:
        src.emit(2, f"p_{names[0]} = _join(({', '.join(f'p_{name}' for name in names)},))")


@dataclass(frozen=True)
class Notes:
    """Where an encoder notes each datum it writes, so that a reader of the very same
    bytes finds the values without decoding them: `rows[id(datum)] = (datum, tag,
    values, ())`, `rows` emptied when it holds `limit` (the SQL engine's decode memo,
    `tote.sql.codecs.rows`)."""

    rows: dict[int, Any]
    tag: object
    limit: int


def flat_encoder(node: Node, prefix: bytes = b"", floats_only: bool = False, *,
                 fallback: Callable[[Sequence[Any]], Any] | None = None,
                 notes: Notes | None = None) -> Callable[[Sequence[Any]], Any] | None:
    """The fast encoder of a record of nullable primitives, or None for other schemas.
    The generated function unpacks the row and writes each field inline; `prefix` (the
    Confluent wire header, say) starts every result. With `floats_only` an int in a
    `double` field raises FlatEncodeError: what the encoder writes then decodes back to
    the very values it was given. A row it refuses goes to `fallback`, if given, whose
    result it returns; what it writes itself is noted in `notes`, if given. (The SQL
    engine's sinks call it per row: the fallback and the notes cost no call here.)"""
    src = Source(_ENV)
    src.emit(0, "def encode(values):")
    if not _body(src, node, prefix, floats_only, values="values", out=None, notes=notes):
        return None
    if fallback is not None:  # the body so far, in a try
        src.lines[1:] = ["    try:"] + ["    " + line for line in src.lines[1:]]
        src.emit(1, "except FlatEncodeError:", "    pass", f"return {src.const(fallback)}(values)")
    namespace = dict(src.env)
    exec(compile("\n".join(src.lines), f"<avro flat encoder {node.name}>", "exec"), namespace)
    encoder: Callable[[Sequence[Any]], Any] = namespace["encode"]
    return encoder


def flat_statements(node: Node, src: Source, values: str, out: str, *,
                    prefix: bytes = b"", floats_only: bool = False) -> bool:
    """Emit into `src` (at indent 1) what `flat_encoder`'s function does, as statements
    that unpack the row named `values` and leave its datum in `out` (or raise
    FlatEncodeError, or UnicodeEncodeError), for generated code that writes a row
    without calling the encoder; False (nothing emitted) for other schemas. The
    statements' locals are `v<i>`, `p_v<i>` and `n`; their constants join `src`'s."""
    if any(src.env.get(name, value) is not value for name, value in _ENV.items()):
        raise ValueError("the source names another value as the encoder's")
    src.env.update(_ENV)
    return _body(src, node, prefix, floats_only, values=values, out=out, notes=None)


# The names the encoders' text uses.
_ENV: dict[str, Any] = {"FlatEncodeError": FlatEncodeError, "_join": b"".join,
                        "_varint": varint, "_pack_double": _DOUBLE, "_longs": _LONGS}


def _body(src: Source, node: Node, prefix: bytes, floats_only: bool, *, values: str,
          out: str | None, notes: Notes | None) -> bool:
    """Emit the encoder's statements (at indent 1): they return the datum, or with
    `out`, leave it there (an early result then has the rest in its `else`)."""
    if node.type != "record" or not node.fields:
        return False
    fields = [_nullable(f.type) for f in node.fields]
    if any(f is None for f in fields):
        return False
    names = [f"v{i}" for i in range(len(fields))]
    src.emit(1, "try:")
    src.emit(2, f"{', '.join(names)}, = {values}")
    src.emit(1, "except (TypeError, ValueError):")
    src.emit(2, "raise FlatEncodeError from None")
    named = [(name, *found) for name, found in zip(names, fields, strict=True)
             if found is not None]
    lead = _leads(named)
    if lead:
        _lead(src, named, prefix, notes, out)
    rest = len(src.lines)
    parts = [src.const(prefix)] if prefix else []
    whole = False
    for run in _runs(named):
        if run[0][3] is _double:
            whole = len(run) == len(fields)
            _doubles(src, run, prefix, whole=whole, floats_only=floats_only, notes=notes,
                     out=out)
        else:
            _inline(src, *run[0], floats_only=floats_only)
        parts.append(f"p_{run[0][0]}")
    # (With `out`, a whole record of doubles written field by field ends in its `else`.)
    _result(src, 2 if whole and out is not None else 1, f"_join(({', '.join(parts)},))",
            notes, out)
    if out is not None and lead:
        src.lines[rest:] = ["    else:"] + ["    " + line for line in src.lines[rest:]]
    return True


def _leads(fields: list[_Field]) -> bool:
    """Whether the record is an int or long field, then one or more doubles (a key
    column copied into the value, then amounts: what a join or an aggregate writes)."""
    return len(fields) > 1 and fields[0][3] in (_int, _long) \
        and all(field[3] is _double for field in fields[1:])


# Per int or long value, at most this many remembered packers of a `_lead` record.
_LEAD_LIMIT = 16_384


def _lead(src: Source, fields: list[_Field], prefix: bytes, notes: Notes | None,
          out: str | None) -> None:
    """Emit the usual case of a `_leads` record (an int and floats): one struct pack of
    the whole record, whose head (`prefix`, the int's tag and varint) is remembered per
    int value in a packer of its own, so it takes only the doubles' tags and values: no
    joins. Other values go on to the field-by-field code that follows."""
    (name, _, int_tag, encode), *doubles = fields
    tail = "Bd" * len(doubles)
    packers: dict[int, Callable[..., bytes]] = {}
    structs: dict[int, Callable[..., bytes]] = {}

    def learn(value: int) -> Callable[..., bytes]:
        """The packer of a record led by `value` (FlatEncodeError when out of range)."""
        head = prefix + int_tag + encode(value)
        pack = structs.get(len(head))
        if pack is None:
            pack = structs[len(head)] = struct.Struct(f"<{len(head)}s{tail}").pack
        if len(packers) >= _LEAD_LIMIT:
            packers.clear()
        packer = packers[value] = partial(pack, head)
        return packer

    floats = " and ".join(f"type({field[0]}) is float" for field in doubles)
    values = ", ".join(f"{tag[0]}, {field}" for field, _, tag, _ in doubles)
    src.emit(1, f"if type({name}) is int and {floats}:")
    _result(src, 2, f"({src.const(packers)}.get({name}) or {src.const(learn)}({name}))"
                    f"({values})", notes, out)


def _result(src: Source, indent: int, datum: str, notes: Notes | None,
            out: str | None = None) -> None:
    """Emit the return of `datum`, noted first in `notes` if given (with `out`, its
    assignment to `out`: the caller's code goes on from there)."""
    if out is not None:
        assert notes is None, "the statements form notes nothing"
        src.emit(indent, f"{out} = {datum}")
        return
    if notes is None:
        src.emit(indent, f"return {datum}")
        return
    rows, tag = src.const(notes.rows), src.const(notes.tag)
    src.emit(indent, f"data = {datum}",
             f"if len({rows}) >= {notes.limit}:",
             f"    {rows}.clear()",
             f"{rows}[id(data)] = (data, {tag}, values, ())",
             "return data")
