"""Row codecs: the key or value columns of a source ↔ the bytes on its topic.

A codec encodes a tuple of SQL values (in column order) and decodes bytes back into one.
Schema-registry formats decode with the writer schema named by each record's schema id,
so records written by any producer with any registered version read correctly; they
encode with the schema the source registered (or the one its `schemaId` names).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from tote.core.types import Column
from tote.registry import Registry, RegistryError
from tote.serde.delimited import DelimitedCodec
from tote.serde.errors import SerializationError
from tote.serde.json_format import JsonCodec
from tote.serde.json_schema import JsonSchema
from tote.serde.kafka_format import KafkaCodec
from tote.serde.ksql_avro import KsqlAvroCodec
from tote.serde.wire import schema_id_of
from tote.sql.codecs import schemas
from tote.sql.formats import DELIMITER
from tote.sql.sources import FormatInfo, SourceColumn

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
        self._readers: dict[int, KsqlAvroCodec] = {}

    def encode(self, values: Values) -> bytes | None:
        if self._writer is None:
            raise SerializationError("No Avro schema is registered to write with.")
        return self._writer.encode(dict(zip(self._names, values, strict=True)))

    def decode(self, data: bytes | None) -> Values | None:
        if data is None:
            return None
        schema_id = schema_id_of(data)
        reader = self._readers.get(schema_id)
        if reader is None:
            try:
                found = self._registry.get_schema(schema_id)
            except RegistryError as exc:
                raise SerializationError(
                    f"Error retrieving Avro schema for id {schema_id}: {exc.message}") from None
            reader = KsqlAvroCodec(self._columns, found.schema, self._unwrap, schema_id)
            self._readers[schema_id] = reader
        row = reader.decode(data)
        if row is None:
            return None
        return tuple(_lookup(row, name) for name in self._names)


def _lookup(row: dict[str, Any], name: str) -> Any:
    if name in row:
        return row[name]
    upper = name.upper()
    for key, value in row.items():
        if key.upper() == upper:
            return value
    return None


def build_codec(columns: Sequence[SourceColumn], info: FormatInfo, *, topic: str,
                is_key: bool, registry: Registry | None,
                prefer_registered: bool = False) -> RowCodec:
    """The codec for one side of `topic` holding `columns` in format `info`.

    `prefer_registered` (sources whose columns were inferred) writes with the subject's
    latest schema instead of the one generated from the columns.
    """
    if not columns or info.name == "NONE":
        return EmptyCodec()
    name = info.name
    unwrap = len(columns) == 1 and (info.unwrap or (is_key and not info.wrap))
    core = [Column(c.name, c.type) for c in columns]
    if name == "KAFKA":
        return KafkaRowCodec(columns[0])
    if name == "DELIMITED":
        delimited = DelimitedCodec(core, info.prop(DELIMITER) or ",")
        return DictRowCodec(columns, delimited.encode, delimited.decode)
    if name == "JSON":
        json_codec = JsonCodec(core, unwrap=unwrap)
        return DictRowCodec(columns, json_codec.encode, json_codec.decode)
    if registry is None:
        raise SerializationError(f"The '{name}' format needs a schema registry.")
    writer = _writer(registry, topic, is_key, info, columns, unwrap, prefer_registered)
    if name == "AVRO":
        return AvroRowCodec(columns, unwrap, registry, writer)
    if name == "JSON_SR":
        schema = JsonSchema.parse(writer[1]) if writer is not None else None
        sr_codec = JsonCodec(core, unwrap=unwrap, schema_id=writer[0] if writer else 0,
                             schema=schema)
        return DictRowCodec(columns, sr_codec.encode, sr_codec.decode)
    raise SerializationError(f"The '{name}' format is not supported by tote yet.")


def _writer(registry: Registry, topic: str, is_key: bool, info: FormatInfo,
            columns: Sequence[SourceColumn], unwrap: bool,
            prefer_registered: bool) -> tuple[int, str] | None:
    """The (id, text) to write with: `schemaId`'s schema, else (for inferred sources) the
    subject's latest, else the generated schema's id (registering it if it is new)."""
    if info.prop("schemaId") is not None or prefer_registered:
        found = schemas.registered_text(registry, topic, is_key, info)
        if found is not None:
            return found[0], found[1]
    generated = schemas.generate(columns, info, unwrap, is_key)
    if generated is not None:
        schema_id = schemas.register(registry, topic, is_key, generated)
        return schema_id, generated.text
    latest = schemas.registered_text(registry, topic, is_key, info)
    return (latest[0], latest[1]) if latest is not None else None
