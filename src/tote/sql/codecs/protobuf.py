"""PROTOBUF and PROTOBUF_NOSR for SQL sources: registered schemas, inference and row codecs.

PROTOBUF writes with the source's schema (the registered one `schemaId` names, the
subject's latest for inferred sources, else the one generated from the columns), as the
message `fullSchemaName` names or the file's first, and reads each record with the
schema and message its header names. PROTOBUF_NOSR has no registry: both sides use the
schema generated from the columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tote.core.types import Column
from tote.registry import Registry, RegistryError
from tote.serde.errors import InvalidSchema, SerializationError
from tote.serde.ksql_protobuf import KsqlProtobufCodec
from tote.serde.ksql_protobuf_schemas import (
    ProtobufInference,
    decimal_fields,
    protobuf_schema_text,
)
from tote.serde.protobuf_descriptors import ProtoPool
from tote.serde.protobuf_schema import ProtobufSchema
from tote.serde.schemas import Reference
from tote.serde.wire import schema_id_of
from tote.sql.formats import AVRO_FULL_NAME
from tote.sql.sources import FormatInfo, SourceColumn

NULLABLE = "nullableRepresentation"
UNWRAP_PRIMITIVES = "unwrapPrimitives"
_DEFAULT_PREFIX = "ConnectDefault"

Values = tuple[Any, ...]


def full_name(info: FormatInfo) -> str | None:
    """`fullSchemaName`, ignoring ksqlDB's own default names (`ConnectDefault...`)."""
    name = (info.prop(AVRO_FULL_NAME) or "").strip()
    return None if not name or name.startswith(_DEFAULT_PREFIX) else name


def schema_text(columns: Sequence[Column], info: FormatInfo) -> str:
    """The `.proto` ksqlDB registers for these columns in this format."""
    return protobuf_schema_text(columns, full_name(info), info.prop(NULLABLE))


def _references(registry: Registry, refs: Sequence[Reference]) -> dict[str, str]:
    """Reference name -> schema text, transitively."""
    out: dict[str, str] = {}
    pending = list(refs)
    while pending:
        ref = pending.pop()
        if ref.name in out:
            continue
        version = registry.get_version(ref.subject, ref.version)
        out[ref.name] = version.schema
        pending.extend(version.references)
    return out


def registered(registry: Registry, schema_id: int) -> ProtobufSchema:
    """The registered PROTOBUF schema with this id, references resolved."""
    found = registry.get_schema(schema_id)
    return ProtobufSchema.parse(found.schema, _references(registry, found.references))


def pool_of(schema: ProtobufSchema) -> ProtoPool:
    return ProtoPool(schema.proto, schema.references)


def infer(
    registry: Registry, schema_id: int, info: FormatInfo, is_key: bool, keep_case: bool
) -> list[Column]:
    """Columns of the message `fullSchemaName` names (else the first) of a schema."""
    schema = registered(registry, schema_id)
    pool = pool_of(schema)
    name = full_name(info)
    indexes = pool.indexes_of(name) if name else [0]
    inference = ProtobufInference(
        pool,
        decimal_fields(schema.proto, *schema.references.values()),
        unwrap_wrappers=info.prop(NULLABLE) == "wrapper",
        keep_case=keep_case,
    )
    return inference.columns(pool.descriptor(indexes), key=is_key)


class ProtobufRowCodec:
    """PROTOBUF: writes with one registered schema, reads with each record's writer schema."""

    def __init__(
        self,
        columns: Sequence[SourceColumn],
        info: FormatInfo,
        registry: Registry,
        writer: int | None,
    ) -> None:
        self._columns = [Column(c.name, c.type) for c in columns]
        self._registry = registry
        self._message = full_name(info)
        self._writer = self._codec(writer, self._message) if writer is not None else None
        self._readers: dict[int, KsqlProtobufCodec] = {}

    def _codec(self, schema_id: int, message: str | None = None) -> KsqlProtobufCodec:
        """A codec for one schema; `message` is what rows are written as (reading takes
        the message each record's header names)."""
        try:
            pool = pool_of(registered(self._registry, schema_id))
        except RegistryError as exc:
            raise SerializationError(
                f"Error retrieving Protobuf schema for id {schema_id}: {exc.message}"
            ) from None
        except InvalidSchema as exc:
            raise SerializationError(f"Invalid Protobuf schema {schema_id}: {exc.detail}") from None
        return KsqlProtobufCodec(self._columns, pool, message=message, schema_id=schema_id)

    def encode(self, values: Values) -> bytes | None:
        if self._writer is None:
            raise SerializationError("No Protobuf schema is registered to write with.")
        return self._writer.encode(values)

    def decode(self, data: bytes | None) -> Values | None:
        if data is None:
            return None
        schema_id = schema_id_of(data)
        reader = self._readers.get(schema_id)
        if reader is None:
            reader = self._readers[schema_id] = self._codec(schema_id)
        return reader.decode(data)


class NoSrRowCodec:
    """PROTOBUF_NOSR: bare messages of the schema generated from the columns."""

    def __init__(self, columns: Sequence[SourceColumn], info: FormatInfo, unwrap: bool) -> None:
        core = [Column(c.name, c.type) for c in columns]
        schema_columns = core
        if unwrap and core[0].type.fields:
            schema_columns = [Column(f.name, f.type) for f in core[0].type.fields]
        try:
            text = schema_text(schema_columns, info)
            pool = ProtoPool(ProtobufSchema.parse(text).proto)
        except InvalidSchema as exc:
            raise SerializationError(f"Invalid Protobuf schema: {exc.detail}") from None
        self._codec = KsqlProtobufCodec(core, pool, unwrap=unwrap)

    def encode(self, values: Values) -> bytes | None:
        return self._codec.encode(values)

    def decode(self, data: bytes | None) -> Values | None:
        if data is None:
            return None
        return self._codec.decode(data)
