"""Registry schemas for SQL sources: what ksqlDB registers, and columns inferred from it.

Subjects are `<topic>-key` / `<topic>-value`. AVRO schemas follow ksqlDB's naming
(`KsqlDataSourceSchema` for values, `<Sink>Key` for keys, or `fullSchemaName`); JSON_SR
schemas follow Connect's JSON Schema mapping, PROTOBUF ones Connect's ProtobufData
(`ConnectDefault1`, or `fullSchemaName`; see `tote.sql.codecs.protobuf`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tote.core.types import Column
from tote.registry import Registry, RegistryError, SchemaRequest
from tote.serde.errors import InvalidSchema
from tote.serde.ksql_json_schemas import columns_from_json_schema, json_schema_text
from tote.serde.ksql_schemas import (
    DEFAULT_VALUE_FULL_NAME,
    avro_schema_text,
    columns_from_avro,
)
from tote.serde.schemas import SchemaType
from tote.sql.codecs import protobuf
from tote.sql.errors import StatementError
from tote.sql.formats import AVRO_FULL_NAME, SCHEMA_ID
from tote.sql.sources import ColumnRole, FormatInfo, SourceColumn

# The formats whose schemas live in the registry, and the registry schema type of each.
SR_SCHEMA_TYPES = {"AVRO": SchemaType.AVRO, "JSON_SR": SchemaType.JSON,
                   "PROTOBUF": SchemaType.PROTOBUF}
SR_FORMATS = frozenset(SR_SCHEMA_TYPES)


def subject(topic: str, is_key: bool) -> str:
    return f"{topic}-{'key' if is_key else 'value'}"


def _core_columns(columns: Sequence[SourceColumn]) -> list[Column]:
    return [Column(c.name, c.type, is_key=c.is_key) for c in columns]


@dataclass(frozen=True, slots=True)
class GeneratedSchema:
    schema_type: SchemaType
    text: str


def generate(columns: Sequence[SourceColumn], info: FormatInfo, unwrap: bool,
             is_key: bool) -> GeneratedSchema | None:
    """The schema ksqlDB would register for these columns in this format (None if the
    format has no registry schema). Raises ksqlDB's message when Avro cannot hold it."""
    name = info.name
    if name not in SR_FORMATS:
        return None
    try:
        if name == "PROTOBUF":
            return GeneratedSchema(SchemaType.PROTOBUF,
                                   protobuf.schema_text(_core_columns(columns), info))
        if name == "AVRO":
            full = info.prop(AVRO_FULL_NAME) or DEFAULT_VALUE_FULL_NAME
            text = avro_schema_text(_core_columns(columns), full.strip(), unwrap)
            return GeneratedSchema(SchemaType.AVRO, text)
        return GeneratedSchema(SchemaType.JSON,
                               json_schema_text(_core_columns(columns), unwrap))
    except InvalidSchema as exc:
        detail = exc.message.removeprefix("Invalid schema ").strip()
        if name == "PROTOBUF":
            raise StatementError(f"Schema is not compatible with Protobuf: {detail}") from None
        if detail.startswith("Avro only supports"):
            raise StatementError(detail) from None
        raise StatementError(f"Schema is not compatible with Avro: {detail}") from None


def register(registry: Registry, topic: str, is_key: bool, schema: GeneratedSchema) -> int:
    """Register (idempotently) under the topic's subject; returns the schema id."""
    try:
        version = registry.register(subject(topic, is_key), schema_request(schema))
    except RegistryError as exc:
        raise StatementError(
            f"Could not register schema for topic: {exc.message}") from None
    return version.id


def register_for_statement(registry: Registry, topic: str, is_key: bool,
                           schema: GeneratedSchema) -> None:
    """Register the schema a CREATE [AS SELECT] declares; refused as `registration_refused`
    words it."""
    try:
        registry.register(subject(topic, is_key), schema_request(schema))
    except RegistryError as exc:
        raise registration_refused(exc) from None


def schema_request(schema: GeneratedSchema) -> SchemaRequest:
    """What registering the schema sends (the walk asks the registry about the same)."""
    return SchemaRequest(schema.text, schema_type=schema.schema_type)


def registration_refused(exc: RegistryError) -> StatementError:
    """A CREATE's error when the registry refuses its schema (also the walk's), as ksqlDB
    words it: SchemaRegistryUtil and SchemaRegisterInjector each prefix the registry
    client's error, whose message ends with its error code."""
    return StatementError("Could not register schema for topic: Could not register schema "
                          f"for topic: {exc.message}; error code: {exc.error_code}")


def registered_text(registry: Registry, topic: str, is_key: bool,
                    info: FormatInfo) -> tuple[int, str, SchemaType] | None:
    """The schema a source reads with: the one of `schemaId`, else the subject's latest."""
    schema_id = info.prop(SCHEMA_ID)
    try:
        if schema_id is not None:
            found = registry.get_schema(int(schema_id))
            return found.id, found.schema, found.schema_type
        version = registry.get_version(subject(topic, is_key))
        return version.id, version.schema, version.schema_type
    except RegistryError:
        return None


def infer_columns(registry: Registry, topic: str, is_key: bool, info: FormatInfo,
                  single_name: str | None) -> list[SourceColumn]:
    """Columns from the registered schema (CREATE without a column list).

    `single_name` (ROWKEY / ROWVAL) names the one column of an unwrapped schema.
    """
    found = registered_text(registry, topic, is_key, info)
    side = "key" if is_key else "value"
    if found is None:
        schema_id = info.prop(SCHEMA_ID)
        if schema_id is not None:
            raise StatementError(
                f"Schema for message {side}s on topic '{topic}' does not exist in the Schema "
                f"Registry.Subject: {subject(topic, is_key)}")
        raise StatementError(
            f"Schema for message {side}s on topic '{topic}' does not exist in the Schema "
            f"Registry.Subject: {subject(topic, is_key)}\n\n"
            f"Possible causes include:\n"
            f"- The topic itself does not exist\n"
            f"\t-> Use SHOW TOPICS; to check\n"
            f"- Messages on the topic are not serialized using a format Schema Registry "
            f"supports\n"
            f"\t-> Use PRINT '{topic}' FROM BEGINNING; to verify\n"
            f"- Messages on the topic have not been serialized using a Confluent Schema "
            f"Registry supported serializer\n"
            f"\t-> See https://docs.confluent.io/current/schema-registry/serializer-"
            f"formatter.html\n"
            f"- The schema is registered on a different instance of the Schema Registry\n"
            f"\t-> Use the REST API to list available subjects\t"
            f"https://docs.confluent.io/current/schema-registry/develop/api.html#get--subjects\n"
            f"- You do not have Access to the subject {subject(topic, is_key)}")
    found_id, text, schema_type = found
    _check_schema_type(topic, is_key, info, schema_type)
    role = ColumnRole.KEY if is_key else ColumnRole.VALUE
    try:
        if schema_type is SchemaType.AVRO:
            # A schema named by id keeps its field names; a subject's are upper-cased.
            columns = _infer_avro(text, single_name, is_key,
                                  keep_case=info.prop(SCHEMA_ID) is not None)
        elif schema_type is SchemaType.JSON:
            columns = _infer_json(text, single_name, is_key,
                                  keep_case=info.prop(SCHEMA_ID) is not None)
        else:
            columns = protobuf.infer(registry, found_id, info, is_key,
                                     keep_case=info.prop(SCHEMA_ID) is not None)
    except InvalidSchema as exc:
        raise StatementError(f"Unable to infer schema: {exc.message}") from None
    return [SourceColumn(c.name, c.type, role) for c in columns]


def _check_schema_type(topic: str, is_key: bool, info: FormatInfo,
                       actual: SchemaType) -> None:
    """ksqlDB refuses to infer columns of e.g. a PROTOBUF source from an AVRO schema."""
    expected = SR_SCHEMA_TYPES.get(info.name)
    if expected is None or expected is actual:
        return
    schema_id = info.prop(SCHEMA_ID)
    where = f"topic: {topic}" + (f", schema id: {schema_id}" if schema_id is not None else "")
    side, prop = ("Key", "KEY_FORMAT") if is_key else ("Value", "VALUE_FORMAT")
    raise StatementError(
        f"{side} schema is not in the expected format. You may want to set {prop} to "
        f"'{actual.value}'.\n{where}\nexpected format: {expected.value}\n"
        f"actual format from Schema Registry: {actual.value}")


def _infer_avro(text: str, single_name: str | None, is_key: bool,
                keep_case: bool) -> list[Column]:
    from tote.serde.avro_schema import AvroSchema

    schema = AvroSchema.parse(text)
    if single_name is not None or schema.node.type != "record":
        return columns_from_avro(schema, single=single_name or ("ROWKEY" if is_key
                                                                 else "ROWVAL"), key=is_key,
                                 keep_case=keep_case)
    return columns_from_avro(schema, key=is_key, keep_case=keep_case)


def _infer_json(text: str, single_name: str | None, is_key: bool,
                keep_case: bool) -> list[Column]:
    if single_name is not None:
        return columns_from_json_schema(text, single=single_name, key=is_key,
                                        keep_case=keep_case)
    try:
        return columns_from_json_schema(text, key=is_key, keep_case=keep_case)
    except InvalidSchema:
        return columns_from_json_schema(text, single="ROWKEY" if is_key else "ROWVAL",
                                        key=is_key, keep_case=keep_case)
