"""Writing a source whose value columns outgrew its registered schema (ALTER ... ADD).

tote writes a non-CAS source with the schema its subject holds (or `schemaId` names).
Once ALTER has added a column that schema lacks, writing with it would silently drop the
column's values. ksqlDB never does that; what it does instead depends on the serializer:

- with VALUE_SCHEMA_ID, and for PROTOBUF under INSERT VALUES (which names the subject,
  so the serializer writes with the subject's latest schema), the row is refused:
  ConnectSRSchemaDataTranslator.validate's "Schema from Schema Registry misses field
  with name: X", wrapped by KsqlConnectSerializer;
- otherwise (AVRO and JSON_SR everywhere, PROTOBUF from `/inserts-stream` and queries)
  the serializer writes with the schema generated from the columns and auto-registers
  it: a new version under the subject, or, if the registry refuses it (compatibility),
  the converter's error for that row.

Registration happens on the first write, as the serializer's does: reading an altered
source registers nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from tote.registry import Registry, RegistryError
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import InvalidSchema, SerializationError
from tote.serde.ksql_json_schemas import columns_from_json_schema
from tote.sql.codecs import protobuf, schemas
from tote.sql.errors import StatementError
from tote.sql.sources import FormatInfo, SourceColumn

Values = tuple[Any, ...]


class _Codec(Protocol):
    """`tote.sql.codecs.rows.RowCodec`, restated (rows builds these writers)."""

    def encode(self, values: Values) -> bytes | None: ...

    def decode(self, data: bytes | None) -> Values | None: ...


# What each format's Connect converter says when its serializer fails (the registry's
# reason is only in the cause, which ksqlDB does not show).
_CONVERTER_FAILURE = {
    "AVRO": "Failed to serialize Avro data from topic {topic} :",
    "JSON_SR": "Converting Kafka Connect data to byte[] failed due to serialization error of "
               "topic {topic}: ",
    "PROTOBUF": "Failed to serialize Protobuf data from topic {topic} :",
}


class SchemaWriteError(SerializationError):
    """A row the source's schema cannot carry, with KsqlConnectSerializer's message
    (INSERT VALUES puts "Could not serialize value" before it, as ksqlDB does)."""


def serializer_error(topic: str, detail: str) -> SchemaWriteError:
    return SchemaWriteError(
        f"Error serializing message to topic: {topic}. {detail}\nHint: You probably forgot "
        "to add VALUE_SCHEMA_ID when creating the source.")


def missing_columns(registry: Registry, writer: tuple[int, str], columns: Sequence[SourceColumn],
                    info: FormatInfo) -> list[str]:
    """The columns (in order) the registered value schema has no field for, matched
    ignoring case as tote's writers match them; none when the schema's fields cannot be
    told (not a record, or types tote cannot infer)."""
    carried = _field_names(registry, writer, info)
    if carried is None:
        return []
    return [c.name for c in columns if c.name.upper() not in carried]


def _field_names(registry: Registry, writer: tuple[int, str],
                 info: FormatInfo) -> frozenset[str] | None:
    schema_id, text = writer
    try:
        if info.name == "AVRO":
            node = AvroSchema.parse(text).node
            if node.type != "record":
                return None
            return frozenset(f.name.upper() for f in node.fields)
        if info.name == "JSON_SR":
            return frozenset(c.name.upper() for c in columns_from_json_schema(text))
        if info.name == "PROTOBUF":
            return frozenset(c.name.upper() for c in protobuf.infer(
                registry, schema_id, info, is_key=False, keep_case=True))
    except (InvalidSchema, RegistryError):
        return None
    return None


class RefusingWriter:
    """Reads like the source's codec; refuses every write with ksqlDB's message."""

    def __init__(self, reader: _Codec, error: SchemaWriteError) -> None:
        self._reader = reader
        self._error = error

    def encode(self, values: Values) -> bytes | None:
        raise self._error

    def decode(self, data: bytes | None) -> Values | None:
        return self._reader.decode(data)


class RegisteringWriter:
    """Reads like the source's codec; writes with the schema generated from the columns,
    registering it under the subject on the first write (retried on each write while
    the registry refuses it, as the serializer's auto-registration is)."""

    def __init__(self, reader: _Codec, registry: Registry, *, topic: str, info: FormatInfo,
                 generated: schemas.GeneratedSchema,
                 make: Callable[[tuple[int, str]], _Codec]) -> None:
        self._reader = reader
        self._registry = registry
        self._topic = topic
        self._info = info
        self._generated = generated
        self._make = make
        self._writer: _Codec | None = None

    def _writer_codec(self) -> _Codec:
        if self._writer is None:
            generated = self._generated
            try:
                schema_id = schemas.register(self._registry, self._topic, False, generated)
            except StatementError:  # the registry refused it
                failure = _CONVERTER_FAILURE[self._info.name].format(topic=self._topic)
                raise serializer_error(self._topic, failure) from None
            self._writer = self._make((schema_id, generated.text))
        return self._writer

    def encode(self, values: Values) -> bytes | None:
        return self._writer_codec().encode(values)

    def decode(self, data: bytes | None) -> Values | None:
        return self._reader.decode(data)

