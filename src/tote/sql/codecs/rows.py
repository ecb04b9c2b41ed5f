"""Row codecs: the key or value columns of a source ↔ the bytes on its topic.

A codec encodes a tuple of SQL values (in column order) and decodes bytes back into one.
Schema-registry formats decode with the writer schema named by each record's schema id,
so records written by any producer with any registered version read correctly; they
encode with the schema the source registered (or the one its `schemaId` names), unless
ALTER has added a column that schema lacks (`growth`).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, Protocol

from tote.core import bases
from tote.core.types import Base, Column, SqlType
from tote.registry import Registry, RegistryError
from tote.serde.avro_flat import FlatEncodeError, Notes, flat_encoder, flat_statements
from tote.serde.avro_model import Node
from tote.serde.avro_rows import AvroRowDecoder
from tote.serde.avro_schema import render_with
from tote.serde.codegen import Source
from tote.serde.delimited import DelimitedCodec
from tote.serde.errors import SerializationError
from tote.serde.json_format import JsonCodec
from tote.serde.json_schema import JsonSchema
from tote.serde.kafka_format import KafkaCodec
from tote.serde.ksql_avro import KsqlAvroCodec
from tote.serde.sql_values import java_double
from tote.serde.wire import HEADER, HEADER_SIZE, MAGIC_BYTE, frame, schema_id_of
from tote.sql.codecs import growth, schemas
from tote.sql.codecs.protobuf import NoSrRowCodec, ProtobufRowCodec
from tote.sql.formats import DELIMITER, SCHEMA_ID, format_of
from tote.sql.sources import FormatInfo, SerdeFeature, SourceColumn

Values = tuple[Any, ...]


class RowCodec(Protocol):
    """Encode/decode one side (key or value) of a record."""

    def encode(self, values: Values) -> bytes | None: ...

    def decode(self, data: bytes | None) -> Values | None: ...


class EmptyCodec:
    """No columns on this side (key-less streams, the NONE format): nothing is written and
    whatever is there reads as an empty row."""

    def encode(self, values: Values) -> bytes | None:
        return None

    def decode(self, data: bytes | None) -> Values | None:
        return ()


class KafkaRowCodec:
    """The KAFKA format: one primitive column."""

    def __init__(self, column: SourceColumn) -> None:
        self._codec = KafkaCodec(column.type)
        self.base = column.type.base

    def encode(self, values: Values) -> bytes | None:
        return self._codec.encode(values[0])

    def decode(self, data: bytes | None) -> Values | None:
        if data is None:
            return None
        return (self._codec.decode(data),)


class DictRowCodec:
    """Formats whose serde codecs work on `{column: value}` dicts (JSON, DELIMITED)."""

    def __init__(self, columns: Sequence[SourceColumn],
                 encode: Callable[[dict[str, Any] | None], bytes | None],
                 decode: Callable[[bytes | None], dict[str, Any] | None]) -> None:
        self._names = [c.name for c in columns]
        self._encode = encode
        self._decode = decode

    def encode(self, values: Values) -> bytes | None:
        return self._encode(dict(zip(self._names, values, strict=True)))

    def decode(self, data: bytes | None) -> Values | None:
        row = self._decode(data)
        if row is None:
            return None
        return tuple(row.get(name) for name in self._names)


class _RecentRows:
    """Rows of the last framed flat-Avro records this process wrote or read, by the
    identity of their bytes: a record handed from one query to the next in memory, or
    read by several queries, is decoded once. Flat rows (nullable primitives, arrays of
    them) survive an Avro round trip unchanged, so the cached row is what decoding would
    give; the shape (column names and Avro types) makes sure the reader's columns are the
    writer's, and the very same bytes carry the very same schema id. Lists are copied in
    and out (`lists`: their slots), so no reader sees another's changes."""

    LIMIT = 1024

    def __init__(self) -> None:
        # id(bytes) -> (the bytes, shape, row, list slots); read directly by
        # `AvroRowCodec.decode`, a hot path.
        self.rows: dict[int, tuple[bytes, tuple[object, ...], Values, tuple[int, ...]]] = {}

    def remember(self, data: bytes, shape: tuple[object, ...], row: Values,
                 lists: tuple[int, ...] = ()) -> None:
        rows = self.rows
        if len(rows) >= self.LIMIT:
            rows.clear()
        rows[id(data)] = (data, shape, _copied(row, lists) if lists else row, lists)

    def remembering(self, encode: Callable[[Values], bytes],
                    fallback: Callable[[Values], bytes | None], shape: tuple[object, ...],
                    lists: tuple[int, ...]) -> Callable[[Values], bytes | None]:
        """`encode`, noting each row it writes with copies of its `lists` (a writer's
        hot path: `remember` inline); a row it refuses goes to `fallback`. `encode` must
        write only rows that decode back to themselves (`flat_encoder`'s `floats_only`).
        (Rows without lists are noted by the encoder itself: `avro_flat.Notes`.)"""
        rows, limit = self.rows, self.LIMIT

        def remembered(values: Values) -> bytes | None:
            try:
                data = encode(values)
            except FlatEncodeError:
                return fallback(values)
            if len(rows) >= limit:
                rows.clear()
            rows[id(data)] = (data, shape, _copied(values, lists), lists)
            return data

        return remembered


def _copied(row: Values, lists: tuple[int, ...]) -> Values:
    copy = list(row)
    for slot in lists:
        value = copy[slot]
        if value is not None:
            copy[slot] = list(value)
    return tuple(copy)


_RECENT = _RecentRows()
_SHAPES: dict[tuple[object, ...], tuple[object, ...]] = {}
_SHAPES_LIMIT = 1024


class AvroRowCodec:
    """AVRO: writes with one registered schema, reads with each record's writer schema."""

    def __init__(self, columns: Sequence[SourceColumn], unwrap: bool, registry: Registry,
                 writer: tuple[int, str] | None) -> None:
        self._columns = [Column(c.name, c.type) for c in columns]
        self._names = [c.name for c in columns]
        self._unwrap = unwrap
        self._registry = registry
        self._writer = (KsqlAvroCodec(self._columns, writer[1], unwrap, writer[0])
                        if writer is not None else None)
        # By wire header (magic byte, schema id): `_reader_of`.
        self._readers: dict[tuple[int, int], _Readers] = {}
        self._flat_writer = None if self._writer is None or unwrap else _flat_fields(
            self._columns, self._writer.schema.node, all_fields=True, arrays=True)
        shape = tuple((c.name.upper(), _shape_of(c.type)) for c in self._columns)
        # One object per shape in the process: the memo's check in `decode` then meets
        # identical items (the writer's codec and the reader's are different codecs).
        if len(_SHAPES) >= _SHAPES_LIMIT:
            _SHAPES.clear()
        self._shape = _SHAPES.setdefault(shape, shape)
        self._doubles = tuple(i for i, c in enumerate(self._columns)
                              if c.type.base is Base.DOUBLE)
        self._lists = tuple(i for i, c in enumerate(self._columns)
                            if c.type.base is Base.ARRAY)
        # Rows are shared when they hold primitives and arrays of primitives only (a
        # row's lists are copied); arrays of doubles may hold ints that decode as floats.
        self._shared = all(_shape_of(c.type) not in (None, ("array", None), ("array", "double"))
                           for c in self._columns)
        self._fast: Callable[[Values], bytes] | None = _fast_writer(self._flat_writer,
                                                                    self._writer)
        # `encode` for rows that decode back to themselves, refusing others with
        # FlatEncodeError (None where it has no such path; see `handing`).
        self.exact: Callable[[Values], bytes] | None = None
        self.encode = self._encoder()

    def _encoder(self) -> Callable[[Values], bytes | None]:
        """`encode`: for the usual sink (a flat row, framed with the writer's id) the
        fast encoder, falling back on `_encode`, noting shared rows in the decode memo
        (with copies of their lists: `remembering`); else `_encode`."""
        remember, lists = self._shared, self._lists
        notes = Notes(_RECENT.rows, self._shape, _RECENT.LIMIT)
        copies = remember and bool(lists)  # noted by `remembering`
        fast = _fast_writer(self._flat_writer, self._writer, framed=True, floats_only=remember,
                            fallback=None if copies else self._encode,
                            notes=notes if remember and not copies else None)
        if fast is None:
            return self._encode
        if remember and not copies:
            self.exact = _fast_writer(self._flat_writer, self._writer, framed=True,
                                      floats_only=True)
        if copies:
            return _RECENT.remembering(fast, self._encode, self._shape, lists)
        return fast

    def exact_statements(self, src: Source, values: str, out: str) -> bool:
        """Emit what `exact` does as statements (`avro_flat.flat_statements`), for a
        sink's generated write; False where there is no `exact`."""
        target = _flat_target(self._flat_writer, self._writer, framed=True)
        if self.exact is None or target is None:
            return False
        return flat_statements(target[0], src, values, out, prefix=target[1], floats_only=True)

    def _payload(self, flat: list[str], values: Values) -> bytes:
        """The Avro datum of a flat row: the fast encoder when it takes the values,
        else fastavro (which also explains a value that does not fit)."""
        fast = self._fast
        if fast is not None:
            try:
                return fast(values)
            except FlatEncodeError:
                pass
        assert self._writer is not None
        return self._writer.codec.encode(dict(zip(flat, values, strict=True)))

    def _remembered(self, data: bytes, values: Values) -> bytes:
        """`data`, noted in the decode memo when a reader in this process may decode it."""
        if self._shared:
            for i in self._doubles:
                if type(values[i]) is int:
                    return data  # decoding gives a float back, not this int
            _RECENT.remember(data, self._shape, values, self._lists)
        return data

    def _encode(self, values: Values) -> bytes | None:
        writer = self._writer
        if writer is None:
            raise SerializationError("No Avro schema is registered to write with.")
        flat = self._flat_writer
        if flat is not None:
            if writer.schema_id is None:
                return self._payload(flat, values)
            return self._remembered(frame(writer.schema_id, self._payload(flat, values)),
                                    values)
        datum = writer.to_datum(dict(zip(self._names, values, strict=True)))
        datum = _defaults(writer.schema.node, datum)
        payload = writer.codec.encode(datum)
        return frame(writer.schema_id, payload) if writer.schema_id is not None else payload

    def _reader_of(self, data: bytes) -> _Readers:
        """How `decode` reads the records of `data`'s writer schema (learnt once per
        schema id); a record not framed as Confluent's wire format raises here."""
        return self._readers_for(schema_id_of(data))

    def _readers_for(self, schema_id: int) -> _Readers:
        """`_reader_of` by the schema id itself."""
        try:
            found = self._registry.get_schema(schema_id)
        except RegistryError as exc:
            raise SerializationError(
                f"Error retrieving Avro schema for id {schema_id}: {exc.message}") from None
        codec = KsqlAvroCodec(self._columns, found.schema, self._unwrap, schema_id)
        node = codec.schema.node
        flat = None if self._unwrap else _flat_fields(self._columns, node, all_fields=False)
        fast = None if self._unwrap or codec.schema.external else _compiled_reader(
            self._columns, node)
        shared = self._shared and fast is not None
        cached = self._readers[(MAGIC_BYTE, schema_id)] = (codec, flat, fast, shared)
        return cached

    def decode(self, data: bytes | None) -> Values | None:
        if data is None:
            return None
        memo, at = _RECENT.rows, id(data)
        hit = memo.get(at)
        if hit is not None and hit[0] is data and hit[1] == self._shape:
            return _copied(hit[2], hit[3]) if hit[3] else hit[2]
        try:
            # By the wire header itself (magic byte and schema id): one struct call.
            reader, flat, fast, shared = self._readers[_read_header(data)]
        except (KeyError, struct.error):
            reader, flat, fast, shared = self._reader_of(data)
        if fast is not None:
            values = fast(data)
            if values is not None:
                if shared:  # (`_RecentRows.remember`, inline: every record comes here)
                    if len(memo) >= _RecentRows.LIMIT:
                        memo.clear()
                    lists = self._lists
                    memo[at] = (data, self._shape, _copied(values, lists) if lists else values,
                                lists)
                return values
        return self._decode_slowly(data, reader, flat)

    def decode_alone(self, data: bytes | None) -> Values | None:
        """`decode` for bytes no other reader decodes (their one decoding is shared by
        every reader of the record: `Runtime._readers_of`): the decode memo, which would
        not find them and nobody would look them up in, is left alone."""
        if data is None:
            return None
        try:
            reader, flat, fast, _ = self._readers[_read_header(data)]
        except (KeyError, struct.error):
            reader, flat, fast, _ = self._reader_of(data)
        if fast is not None:
            values = fast(data)
            if values is not None:
                return values
        return self._decode_slowly(data, reader, flat)

    def alone(self) -> Callable[[bytes | None], Values | None]:
        """`decode_alone`, reading the records framed with the writer's schema id (a
        topic's usual records) by one generated function (`_framed_reader`): a call
        fewer per record, and no look-up of the reader by header."""
        writer = self._writer
        if writer is None or writer.schema_id is None:
            return self.decode_alone
        try:
            reader, _, fast, _ = self._readers_for(writer.schema_id)
        except SerializationError:
            return self.decode_alone
        framed = None if fast is None else _framed_reader(
            self._columns, reader.schema.node, frame(writer.schema_id, b""), self.decode_alone)
        return self.decode_alone if framed is None else framed

    def _decode_slowly(self, data: bytes, reader: KsqlAvroCodec,
                       flat: list[str] | None) -> Values | None:
        """`decode` where the compiled reader does not read `data`."""
        if flat is not None:
            datum = reader.codec.decode(data[5:])
            values = tuple([datum.get(name) for name in flat])
            _RECENT.remember(data, self._shape, values)
            return values
        row = reader.decode(data)
        if row is None:
            return None
        return tuple(coerce(col.type, _lookup(row, col.name)) for col in self._columns)


_Reader = Callable[[bytes], Values | None]
# A writer schema's codec, flat field names, compiled reader, and whether its rows go
# into the decode memo (`AvroRowCodec._reader_of`).
_Readers = tuple[KsqlAvroCodec, list[str] | None, _Reader | None, bool]
_read_header = HEADER.unpack_from


def _compiled_reader(columns: Sequence[Column], node: Node) -> _Reader | None:
    """Framed payloads of the writer schema `node` → the columns' values, by generated
    code (`tote.serde.avro_rows`), when each column reads its field's value as is (the
    value fastavro gives is already the SQL value: no conversion, no coercion); None
    otherwise. The reader gives None for a payload it cannot read (the caller then
    decodes it the general way, which explains the error)."""
    found = _picking(columns, node)
    if found is None:
        return None
    decoder, picks = found
    decode = decoder.reader(HEADER_SIZE)  # (the datum after the wire header)
    if picks == list(range(len(node.fields))):
        return decode

    def picked(data: bytes) -> Values | None:
        row = decode(data)
        if row is None:
            return None
        padded = (*row, None)
        return tuple([padded[i] for i in picks])
    return picked


def _picking(columns: Sequence[Column],
             node: Node) -> tuple[AvroRowDecoder, list[int]] | None:
    """The generated decoder of the writer schema `node` and, for each column, the index
    of its field in the decoded row (the row's length where the field is missing), when
    each column reads its field's value as is (`_compiled_reader`); else None."""
    if node.type != "record":
        return None
    decoder = _row_decoder(node)
    if decoder is None:
        return None
    index = {f.name.upper(): i for i, f in enumerate(node.fields)}
    missing = len(node.fields)  # where the padded row holds a None
    picks: list[int] = []
    for col in columns:
        at = index.get(col.name.upper())
        if at is None:
            picks.append(missing)
        elif _as_is(col.type, node.fields[at].type):
            picks.append(at)
        else:
            return None
    return decoder, picks


def _framed_reader(columns: Sequence[Column], node: Node, header: bytes,
                   otherwise: Callable[[bytes | None], Values | None]
                   ) -> Callable[[bytes | None], Values | None] | None:
    """`_compiled_reader` for records framed with `header` as one generated function
    (`AvroRowDecoder.framed`), giving every other record (and any it cannot read) to
    `otherwise`; None unless the columns are the schema's fields in order."""
    found = _picking(columns, node)
    if found is None or found[1] != list(range(len(node.fields))):
        return None
    return found[0].framed(header, otherwise)


_DECODERS: dict[str, AvroRowDecoder | None] = {}
_DECODERS_LIMIT = 1024


def _row_decoder(node: Node) -> AvroRowDecoder | None:
    """One generated decoder per writer schema in the process (every query reading a
    topic shares it), by the schema's canonical text."""
    text = render_with(node, frozenset())
    if text not in _DECODERS:
        if len(_DECODERS) >= _DECODERS_LIMIT:
            _DECODERS.clear()
        _DECODERS[text] = AvroRowDecoder.compile(node, arrays=True)
    return _DECODERS[text]


_AS_IS = {Base.STRING: ("string", "enum"), Base.INTEGER: ("int", "long"),
          Base.BIGINT: ("int", "long"), Base.BOOLEAN: ("boolean",),
          Base.DOUBLE: ("double", "float"), Base.BYTES: ("bytes",)}


def _as_is(sql: SqlType, node: Node) -> bool:
    """Whether fastavro's value of `node` is the SQL value of a `sql` column as it is."""
    if node.type == "union":
        branches = [b for b in node.branches if b.type != "null"]
        if len(branches) != 1 or len(node.branches) != 2:
            return False
        node = branches[0]
    if "logicalType" in node.props:
        return False
    if sql.base is Base.ARRAY:
        return (node.type == "array" and sql.element is not None and node.items is not None
                and _as_is(sql.element, node.items))
    return node.type in _AS_IS.get(sql.base, ())


def _fast_writer(flat: list[str] | None, writer: KsqlAvroCodec | None, framed: bool = False,
                 **options: Any) -> Callable[[Values], Any] | None:
    """`avro_flat`'s encoder for a flat writer whose fields are in column order (with
    the wire header of the writer's schema id, if `framed`; given `flat_encoder`'s
    keyword `options`)."""
    target = _flat_target(flat, writer, framed)
    if target is None:
        return None
    if not framed:
        return flat_encoder(target[0])
    return flat_encoder(*target, **options)


def _flat_target(flat: list[str] | None, writer: KsqlAvroCodec | None,
                 framed: bool) -> tuple[Node, bytes] | None:
    """The schema and prefix `_fast_writer`'s encoder writes with, None where it has none."""
    if flat is None or writer is None:
        return None
    node = writer.schema.node
    if [f.name for f in node.fields] != flat:
        return None
    if not framed:
        return node, b""
    if writer.schema_id is None or not 0 <= writer.schema_id <= 0xFFFFFFFF:
        return None
    return node, HEADER.pack(MAGIC_BYTE, writer.schema_id)


_FLAT = {Base.BOOLEAN: "boolean", Base.INTEGER: "int", Base.BIGINT: "long",
         Base.DOUBLE: "double", Base.STRING: "string", Base.BYTES: "bytes"}


def _flat_fields(columns: Sequence[Column], node: Node, *, all_fields: bool,
                 arrays: bool = False) -> list[str] | None:
    """The record's field names in column order when every column is a nullable
    primitive whose Python value is already the Avro datum (the fast path), or, if
    `arrays`, a nullable array of such primitives; else None."""
    if node.type != "record":
        return None
    by_upper = {f.name.upper(): f for f in node.fields}
    names: list[str] = []
    for col in columns:
        fld = by_upper.get(col.name.upper())
        if fld is None:
            return None
        value = _nullable_branch(fld.type)
        if value is None:
            return None
        if arrays and col.type.base is Base.ARRAY and value.type == "array":
            element = col.type.element
            items = value.items
            if element is None or items is None or "logicalType" in value.props:
                return None
            inner = _nullable_branch(items) if items.type == "union" else items
            if inner is None or not _primitive_of(element, inner):
                return None
        elif not _primitive_of(col.type, value):
            return None
        names.append(fld.name)
    if all_fields and len(names) != len(node.fields):
        return None
    return names


def _shape_of(sql: SqlType) -> object:
    """What a column's Avro type is in a flat row (primitives, arrays of them)."""
    if sql.base is Base.ARRAY and sql.element is not None:
        return ("array", _FLAT.get(sql.element.base))
    return _FLAT.get(sql.base)


def _nullable_branch(node: Node) -> Node | None:
    """The value branch of a `["null", T]` union (None for any other type)."""
    if node.type != "union":
        return None
    branches = [b for b in node.branches if b.type != "null"]
    return branches[0] if len(branches) == 1 and len(node.branches) == 2 else None


def _primitive_of(sql: SqlType, node: Node) -> bool:
    wanted = _FLAT.get(sql.base)
    return wanted is not None and node.type == wanted and "logicalType" not in node.props


def _defaults(node: Node, datum: Any) -> Any:
    """Nulls in non-nullable record fields that have a default take the default, as
    Connect's Avro converter does when writing with a user's schema."""
    if node.type == "record" and isinstance(datum, dict):
        out = dict(datum)
        for fld in node.fields:
            value = out.get(fld.name)
            if value is None and fld.type.type != "union" and fld.has_default:
                out[fld.name] = fld.default
            elif value is not None:
                out[fld.name] = _defaults(fld.type, value)
        return out
    if node.type == "union" and datum is not None:
        branches = [b for b in node.branches if b.type != "null"]
        return _defaults(branches[0], datum) if len(branches) == 1 else datum
    if node.type == "array" and isinstance(datum, list) and node.items is not None:
        if _no_records(node.items):
            return datum
        return [_defaults(node.items, v) for v in datum]
    return datum


def _no_records(node: Node) -> bool:
    """A primitive, or a union of primitives: nothing in it takes defaults."""
    if node.type == "union":
        return all(b.type in _PRIMITIVE_TYPES for b in node.branches)
    return node.type in _PRIMITIVE_TYPES


_PRIMITIVE_TYPES = frozenset(("null", "boolean", "int", "long", "float", "double", "bytes",
                              "string", "enum", "fixed"))


def coerce(sql: SqlType, value: Any) -> Any:
    """A value read with a writer schema whose types differ from the columns' (an Avro
    `int` read into a STRING column...), converted as ksqlDB's deserializer does."""
    if value is None:
        return None
    base = sql.base
    if base is bases.STRING and not isinstance(value, str):
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return java_double(value)
        return str(value)
    if base is bases.DOUBLE and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if base is bases.ARRAY and isinstance(value, list) and sql.element is not None:
        return [coerce(sql.element, v) for v in value]
    if base is bases.MAP and isinstance(value, dict) and sql.value is not None:
        return {k: coerce(sql.value, v) for k, v in value.items()}
    if base is bases.STRUCT and isinstance(value, dict):
        return {f.name: coerce(f.type, value.get(f.name)) for f in sql.fields}
    return value


def _lookup(row: dict[str, Any], name: str) -> Any:
    if name in row:
        return row[name]
    upper = name.upper()
    for key, value in row.items():
        if key.upper() == upper:
            return value
    return None


class NullableSingle:
    """A single unwrapped column: a null value is a null record (Kafka's serializers
    write nothing for null), whatever the format would make of it."""

    def __init__(self, inner: RowCodec) -> None:
        self.inner = inner

    def encode(self, values: Values) -> bytes | None:
        if values[0] is None:
            return None
        return self.inner.encode(values)

    def decode(self, data: bytes | None) -> Values | None:
        if data is None:
            return None
        return self.inner.decode(data)


class KeyMemo(NamedTuple):
    """The bytes of the keys a remembering codec has written (`RememberingSingle`): for
    a value of exactly the class `kind`, `known` holds its bytes if it has them. A
    sink's hot path reads it inline."""

    kind: type
    known: dict[Any, bytes]


class RememberingSingle(NullableSingle):
    """A single KAFKA-format INT, BIGINT or STRING column (the usual key): a query meets
    the same few thousand keys again and again, so their bytes and values are remembered
    both ways (bounded), one dict lookup instead of three calls. The bytes of a key are
    those of its value and column type alone, so every codec of a type in the process
    shares one memo of them (`_KEY_BYTES`): each query's sink need not learn them again."""

    LIMIT = 65_536

    def __init__(self, inner: RowCodec, base: Base) -> None:
        super().__init__(inner)
        self._values: dict[bytes | None, Values | None] = {}  # (None is never a key)
        self.memo = KeyMemo(_REMEMBERED[base], _KEY_BYTES.setdefault(base, {}))
        # (An instance attribute: a closure is the cheaper call on a hot path.)
        self.encode = _remembering(inner.encode, self.memo)  # type: ignore[method-assign,assignment]

    def decode(self, data: bytes | None) -> Values | None:
        row = self._values.get(data)
        if row is None and data is not None:
            row = self.inner.decode(data)
            if len(self._values) >= self.LIMIT:
                self._values.clear()
            self._values[data] = row
        return row


# The classes of the values a remembered key type writes: the memo of their bytes is
# keyed by the value alone, so it is read only for a value of exactly this class
# (True == 1 and 1.0 == 1, yet neither is written as the INT 1).
_REMEMBERED: dict[Base, type] = {Base.INTEGER: int, Base.BIGINT: int, Base.STRING: str}
# Per key type: value -> its bytes, shared by every codec of the type (bounded).
_KEY_BYTES: dict[Base, dict[Any, bytes]] = {}


def _remembering(encode: Callable[[Values], bytes | None],
                 memo: KeyMemo) -> Callable[[Values], bytes | None]:
    """`encode` (a KAFKA single column's), noting in `memo` the bytes of each value of
    its class that it writes, and taking them from there."""
    kind, known = memo
    limit = RememberingSingle.LIMIT

    def learn(values: Values) -> bytes | None:
        """A key not remembered yet, or of another class (null, or one `encode`
        refuses or writes otherwise)."""
        data = encode(values)
        value = values[0]
        if value.__class__ is kind and data is not None:
            if len(known) >= limit:
                known.clear()
            known[value] = data
        return data

    def remembered(values: Values) -> bytes | None:
        value = values[0]
        if value.__class__ is kind:
            data = known.get(value)
            if data is not None:
                return data
        return learn(values)

    return remembered


class Handing(NamedTuple):
    """How a sink hands a record it writes to a reader in the same step already decoded:
    a reader whose codecs have the same `shape` (`reading_shape`) would decode it to
    exactly the sink's key and row when the key's one value is a `key_type` and the
    value was written by `encode` (the value codec's, for rows that decode back to
    themselves: it raises FlatEncodeError for others, which the codec's own `encode`
    writes). The memo (`_RecentRows`) is not told of these: readers of the same shape
    in the step are handed the rows, others decode them, and a reader of the log gets
    other bytes objects."""

    shape: tuple[object, object]
    key_type: type
    encode: Callable[[Values], bytes]
    # Emits `encode` as statements (`AvroRowCodec.exact_statements`).
    statements: Callable[[Source, str, str], bool]


# KAFKA key types whose values decode back as equal values of one class (not DOUBLE: a
# decoded NaN is a new object, which dict lookups treat unlike the one written; not
# STRING: a lone surrogate is written as '?').
_EXACT_KEYS: dict[Base, type] = {Base.INTEGER: int, Base.BIGINT: int}


def reading_shape(key: RowCodec, value: RowCodec) -> tuple[object, object] | None:
    """What decoding a record with these codecs depends on, where a record can be
    handed over decoded (a single KAFKA INT or BIGINT key, a flat AVRO value:
    the memo's rule in `_RecentRows`); None for other codecs."""
    single = key.inner if isinstance(key, NullableSingle) else None
    if not isinstance(single, KafkaRowCodec) or single.base not in _EXACT_KEYS:
        return None
    if not isinstance(value, AvroRowCodec) or value._unwrap:
        return None
    return single.base, value._shape


def decoding_alone(codec: RowCodec) -> Callable[[bytes | None], Values | None]:
    """`codec.decode` for bytes no other reader decodes (`AvroRowCodec.decode_alone`)."""
    return codec.alone() if isinstance(codec, AvroRowCodec) else codec.decode


def handing(key: RowCodec, value: RowCodec) -> Handing | None:
    """How a sink writing with these codecs hands its records over decoded (None where
    it cannot)."""
    shape = reading_shape(key, value)
    if shape is None or not isinstance(value, AvroRowCodec) or value.exact is None:
        return None
    base = shape[0]
    assert isinstance(base, Base)
    return Handing(shape, _EXACT_KEYS[base], value.exact, value.exact_statements)


def java_text(value: Any) -> Any:
    """`value` with each lone surrogate in its text as '?', as Java's UTF-8 encoders
    (Avro's Utf8, protobuf's, String.getBytes) write one: what ksqlDB's serializers
    other than JSON's (which escapes it) write for text UTF-8 cannot hold."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, tuple | list):
        return value.__class__(java_text(v) for v in value)
    if isinstance(value, dict):
        return {java_text(k): java_text(v) for k, v in value.items()}
    return value


def encode_as_java(encode: Callable[[Any], bytes | None], values: Any) -> bytes | None:
    """`encode(values)`, text UTF-8 cannot hold written as Java writes it (`java_text`)."""
    try:
        return encode(values)
    except UnicodeEncodeError:
        return encode(java_text(values))


def unencodable(exc: UnicodeEncodeError) -> str:
    """Why a row could not be written: its text holds what UTF-8 cannot encode (a lone
    surrogate, which JSON's `\\ud800` escape or CHR(55296) can produce)."""
    bad = exc.object[exc.start:exc.end]
    return f"Cannot serialize a string holding {bad!r}: {exc.reason}"


def build_codec(columns: Sequence[SourceColumn], info: FormatInfo, *, topic: str,
                is_key: bool, registry: Registry | None,
                prefer_registered: bool = False, pin_subject: bool = False) -> RowCodec:
    """The codec for one side of `topic` holding `columns` in format `info`.

    `prefer_registered` (sources whose columns were inferred) writes with the subject's
    latest schema instead of the one generated from the columns. When that schema lacks
    a value column (ALTER ... ADD), writes go as ksqlDB's would (`growth`): refused under
    `schemaId`, or for PROTOBUF with `pin_subject` (INSERT VALUES, whose serializer is
    given the subject); else with the generated schema, registered as a new version.
    """
    codec = _build(columns, info, topic=topic, is_key=is_key, registry=registry,
                   prefer_registered=prefer_registered, pin_subject=pin_subject)
    if len(columns) == 1 and info.name != "NONE" and _unwraps(info) and (
            info.unwrap or (is_key and not info.wrap) or info.name in ("KAFKA", "DELIMITED")):
        if info.name == "KAFKA" and columns[0].type.base in _REMEMBERED:
            return RememberingSingle(codec, columns[0].type.base)
        return NullableSingle(codec)
    return codec


def _build(columns: Sequence[SourceColumn], info: FormatInfo, *, topic: str, is_key: bool,
           registry: Registry | None, prefer_registered: bool, pin_subject: bool) -> RowCodec:
    if not columns or info.name == "NONE":
        return EmptyCodec()
    name = info.name
    unwrap = len(columns) == 1 and _unwraps(info) and (
        info.unwrap or (is_key and not info.wrap))
    core = [Column(c.name, c.type) for c in columns]
    if name == "KAFKA":
        return KafkaRowCodec(columns[0])
    if name == "DELIMITED":
        delimited = DelimitedCodec(core, info.prop(DELIMITER) or ",")
        return DictRowCodec(columns, delimited.encode, delimited.decode)
    if name == "JSON":
        json_codec = JsonCodec(core, unwrap=unwrap)
        return DictRowCodec(columns, json_codec.encode, json_codec.decode)
    if name == "PROTOBUF_NOSR":
        return NoSrRowCodec(columns, info, unwrap)
    if registry is None:
        raise SerializationError(f"The '{name}' format needs a schema registry.")
    if name not in schemas.SR_FORMATS:
        raise SerializationError(f"The '{name}' format is not supported by tote yet.")
    writer, registered = _writer(registry, topic, is_key, info, columns=columns,
                                 unwrap=unwrap, prefer_registered=prefer_registered)
    codec = _sr_codec(columns, info, unwrap, registry, writer)
    if not registered or is_key or unwrap or writer is None:
        return codec
    missing = growth.missing_columns(registry, writer, columns, info)
    if not missing:
        return codec
    if info.prop(SCHEMA_ID) is not None or (pin_subject and name == "PROTOBUF"):
        return growth.RefusingWriter(codec, growth.serializer_error(
            topic, f"Schema from Schema Registry misses field with name: {missing[0]}"))
    generated = schemas.generate(columns, info, unwrap, is_key)
    if generated is None:
        return codec
    return growth.RegisteringWriter(
        codec, registry, topic=topic, info=info, generated=generated,
        make=lambda made: _sr_codec(columns, info, unwrap, registry, made))


def _sr_codec(columns: Sequence[SourceColumn], info: FormatInfo, unwrap: bool,
              registry: Registry, writer: tuple[int, str] | None) -> RowCodec:
    """An AVRO, JSON_SR or PROTOBUF codec writing with `writer` (id, text)."""
    if info.name == "AVRO":
        return AvroRowCodec(columns, unwrap, registry, writer)
    if info.name == "JSON_SR":
        core = [Column(c.name, c.type) for c in columns]
        schema = JsonSchema.parse(writer[1]) if writer is not None else None
        sr_codec = JsonCodec(core, unwrap=unwrap, schema_id=writer[0] if writer else 0,
                             schema=schema)
        return DictRowCodec(columns, sr_codec.encode, sr_codec.decode)
    return ProtobufRowCodec(columns, info, registry, writer[0] if writer else None)


def _unwraps(info: FormatInfo) -> bool:
    """Whether the format can write a single column unwrapped (PROTOBUF cannot)."""
    return format_of(info.name).supports(SerdeFeature.UNWRAP_SINGLES)


def _writer(registry: Registry, topic: str, is_key: bool, info: FormatInfo, *,
            columns: Sequence[SourceColumn], unwrap: bool,
            prefer_registered: bool) -> tuple[tuple[int, str] | None, bool]:
    """The (id, text) to write with: `schemaId`'s schema, else (for inferred sources) the
    subject's latest, else the generated schema's id (registering it if it is new); and
    whether it is a schema found in the registry rather than generated from the columns."""
    if info.prop(SCHEMA_ID) is not None or prefer_registered:
        found = schemas.registered_text(registry, topic, is_key, info)
        if found is not None:
            return (found[0], found[1]), True
    generated = schemas.generate(columns, info, unwrap, is_key)
    if generated is not None:
        schema_id = schemas.register(registry, topic, is_key, generated)
        return (schema_id, generated.text), False
    latest = schemas.registered_text(registry, topic, is_key, info)
    return ((latest[0], latest[1]) if latest is not None else None), True
