"""Per-format conversion between the JSON a REST client sees and the bytes on the log.

Produce direction: binary takes base64 text, json takes any JSON and writes it compactly,
avro takes Avro's JSON encoding (unions wrapped: `{"int": 1}`), jsonschema validates
against the schema, protobuf follows protobuf's JSON mapping (`protobuf.py`); the three
schema formats write the Confluent wire format. Consume direction (`RecordRenderer`) is
the inverse, for `GET .../records`.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

from tote.core.errors import ToteError
from tote.core.records import LogRecord
from tote.proxy.errors import (
    InvalidRequest,
    JsonConversionFailed,
    NotSupported,
    SchemaRetrievalFailed,
    no_registry,
)
from tote.proxy.formats import EmbeddedFormat
from tote.proxy.protobuf import ProtobufCodec
from tote.proxy.resolver import MAX_CACHED, ResolvedSchema, SchemaResolver
from tote.serde import wire
from tote.serde.avro import AvroCodec
from tote.serde.avro_json import to_avro_json
from tote.serde.avro_json_compiled import AvroJsonDecoder
from tote.serde.avro_json_encoder import compile_encoder
from tote.serde.avro_schema import AvroSchema
from tote.serde.errors import SerializationError
from tote.serde.json_schema import JsonSchema
from tote.serde.protobuf_schema import ProtobufSchema


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def decode_base64(value: Any) -> bytes:
    """kafka-rest's binary rule: a base64 string, else 400 `Bad Request: data=...`."""
    if not isinstance(value, str):
        raise InvalidRequest(f"data={_json_bytes(value).decode()} is not a base64 string.")
    text = value.strip()
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest(
            f"data={_json_bytes(value).decode()} is not a valid base64 string."
        ) from None


# -- produce ------------------------------------------------------------------------------


def encode_schemaless(fmt: EmbeddedFormat, value: Any) -> bytes | None:
    """BINARY, JSON or (v3) STRING data; a JSON null is a Kafka null."""
    if value is None:
        return None
    if fmt is EmbeddedFormat.BINARY:
        return decode_base64(value)
    if fmt is EmbeddedFormat.STRING:
        if not isinstance(value, str):
            raise InvalidRequest(f"data={_json_bytes(value).decode()} is not a string.")
        return value.encode("utf-8")
    return _json_bytes(value)


T = TypeVar("T")


class Codecs:
    """Avro and protobuf codecs by schema id (ids are immutable): each is compiled once."""

    def __init__(self) -> None:
        self._avro: dict[int, AvroCodec] = {}
        self._avro_json: dict[int, AvroJsonDecoder] = {}
        self._avro_writers: dict[int, Callable[[Any], bytes]] = {}
        self._protobuf: dict[int, ProtobufCodec] = {}
        self._lock = threading.Lock()

    def _by_id(self, cache: dict[int, T], schema_id: int, make: Callable[[], T]) -> T:
        """`cache`'s entry for `schema_id`, made on first use (the cache is bounded)."""
        found = cache.get(schema_id)
        if found is None:
            found = make()
            with self._lock:
                if len(cache) >= MAX_CACHED:
                    cache.clear()
                cache[schema_id] = found
        return found

    def avro(self, schema_id: int, parsed: AvroSchema) -> AvroCodec:
        return self._by_id(self._avro, schema_id, lambda: AvroCodec(parsed))

    def avro_json(self, schema_id: int, parsed: AvroSchema) -> AvroJsonDecoder:
        """The schema's Avro-JSON → datum converter, compiled on first use."""
        return self._by_id(self._avro_json, schema_id, lambda: AvroJsonDecoder(parsed))

    def avro_writer(self, schema_id: int, parsed: AvroSchema) -> Callable[[Any], bytes]:
        """The schema's Avro JSON → Confluent wire format writer, made on first use: a
        one-pass encoder compiled for flat record schemas, which hands anything it does
        not write to the general path (convert, then fastavro; its errors)."""
        return self._by_id(self._avro_writers, schema_id,
                           lambda: self._make_avro_writer(schema_id, parsed))

    def _make_avro_writer(self, schema_id: int, parsed: AvroSchema) -> Callable[[Any], bytes]:
        to_datum = self.avro_json(schema_id, parsed)
        encode = self.avro(schema_id, parsed).encode

        def general(value: Any) -> bytes:
            try:
                payload = encode(to_datum(value))
            except SerializationError as exc:
                raise JsonConversionFailed.because(exc.message) from None
            return wire.frame(schema_id, payload)

        if parsed.external or not 0 <= schema_id <= 0xFFFFFFFF:
            return general
        direct = compile_encoder(parsed.node, wire.frame(schema_id, b""), general)
        return general if direct is None else cast(Callable[[Any], bytes], direct)

    def protobuf(self, schema_id: int, parsed: ProtobufSchema) -> ProtobufCodec:
        return self._by_id(self._protobuf, schema_id, lambda: ProtobufCodec(parsed))


def schema_encoder(codecs: Codecs, schema: ResolvedSchema) -> Callable[[Any], bytes]:
    """Schema-backed data → Confluent wire format (magic byte, id, payload), with the
    schema's codecs looked up once for a whole batch."""
    parsed = schema.parsed
    schema_id = schema.schema_id
    if isinstance(parsed, AvroSchema):
        return codecs.avro_writer(schema_id, parsed)
    if isinstance(parsed, JsonSchema):
        json_schema = parsed

        def json_data(value: Any) -> bytes:
            _validate_json(json_schema, value)
            return wire.frame(schema_id, _json_bytes(value))
        return json_data
    if isinstance(parsed, ProtobufSchema):
        codec = codecs.protobuf(schema_id, parsed)
        return lambda value: wire.frame(schema_id, codec.encode(value))
    raise NotSupported(f"Schema type {parsed.schema_type.value} is not supported.")


def encode_with_schema(codecs: Codecs, schema: ResolvedSchema, value: Any) -> bytes:
    """One schema-backed value in the Confluent wire format."""
    return schema_encoder(codecs, schema)(value)


def _validate_json(parsed: JsonSchema, value: Any) -> None:
    error = next(iter(parsed.validator.iter_errors(value)), None)
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise JsonConversionFailed(f"#{'/' + where if where else ''}: {error.message}")


# -- consume ------------------------------------------------------------------------------


class RecordRenderer:
    """Renders stored records as kafka-rest's consumer records for one embedded format."""

    def __init__(self, resolver: SchemaResolver | None, codecs: Codecs) -> None:
        self._resolver = resolver
        self._codecs = codecs

    def __call__(self, fmt: EmbeddedFormat, record: LogRecord) -> dict[str, Any]:
        return {
            "topic": record.topic,
            "key": self._data(fmt, record, record.key, "key"),
            "value": self._data(fmt, record, record.value, "value"),
            "partition": record.partition,
            "offset": record.offset,
        }

    def _data(self, fmt: EmbeddedFormat, record: LogRecord, data: bytes | None, side: str) -> Any:
        if data is None:
            return None
        try:
            if fmt is EmbeddedFormat.BINARY:
                return base64.b64encode(data).decode("ascii")
            if fmt is EmbeddedFormat.JSON:
                return json.loads(data)
            return self._schema_data(fmt, data)
        except (ToteError, ValueError) as exc:
            detail = exc.message if isinstance(exc, ToteError) else str(exc)
            raise SchemaRetrievalFailed(
                f"Error deserializing {side} for partition {record.topic}-{record.partition} "
                f"at offset {record.offset}. {detail}"
            ) from None

    def _schema_data(self, fmt: EmbeddedFormat, data: bytes) -> Any:
        schema_id, payload = wire.unframe(data)
        if self._resolver is None:
            raise no_registry()
        parsed = self._resolver.parsed_by_id(schema_id)
        if parsed is None:
            raise SerializationError(f"Schema {schema_id} not found; error code: 40403")
        if parsed.schema_type.value != fmt.schema_type:
            raise SerializationError(
                f"Schema {schema_id} is a {parsed.schema_type.value} schema, not {fmt.name}."
            )
        if isinstance(parsed, AvroSchema):
            return to_avro_json(parsed, self._codecs.avro(schema_id, parsed).decode(payload))
        if isinstance(parsed, JsonSchema):
            return json.loads(payload)
        if isinstance(parsed, ProtobufSchema):
            return self._codecs.protobuf(schema_id, parsed).decode(payload)
        raise NotSupported(f"Schema type {parsed.schema_type.value} is not supported.")
