"""Turning a record's key or value bytes into something a person can read.

Confluent-framed bytes (magic byte 0, schema id) are decoded with the schema the registry
holds for that id: Avro through `tote.serde.avro`, JSON_SR as JSON; protobuf is shown as
hex with its schema id. Unframed bytes are shown as JSON, UTF-8 text, a KAFKA-format
integer key (4 or 8 big-endian bytes, how ksqlDB writes INT / BIGINT keys), or hex.
A decode that fails says why next to the raw bytes; it never breaks the page.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import uuid
from dataclasses import dataclass
from typing import Any

from tote.core.errors import ToteError
from tote.serde import wire
from tote.serde.avro import AvroCodec
from tote.serde.errors import SerializationError
from tote.ui.services import RegistryClient

MAX_SHOWN_BYTES = 4096
MAX_CACHED_SCHEMAS = 1000


@dataclass(frozen=True, slots=True)
class Shown:
    """How one key or value is displayed: the text and what kind of data it was."""

    text: str
    kind: str
    error: str = ""


def jsonable(value: Any) -> Any:
    """A decoded datum in JSON terms: bytes as base64, decimals and times as strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return value


def _json_text(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False, separators=(", ", ": "))


def _hex(data: bytes) -> str:
    shown = data[:MAX_SHOWN_BYTES].hex(" ")
    return shown + (" …" if len(data) > MAX_SHOWN_BYTES else "")


def _plain(data: bytes, is_key: bool) -> Shown:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.strip()[:1] in ("{", "["):
        try:
            return Shown(_json_text(json.loads(text)), "json")
        except ValueError:
            pass
    if is_key and len(data) in (4, 8) and (text is None or not text.isprintable()):
        return Shown(str(int.from_bytes(data, "big", signed=True)),
                     "int" if len(data) == 4 else "bigint")
    if text is not None and (text.isprintable() or not text.strip("\n\r\t ")):
        return Shown(text[:MAX_SHOWN_BYTES], "text")
    return Shown(_hex(data), f"bytes ({len(data)})")


class RecordDecoder:
    """Decodes record bytes, fetching (and caching) schemas from the registry by id."""

    def __init__(self, registry: RegistryClient) -> None:
        self._registry = registry
        self._schemas: dict[int, tuple[str, AvroCodec | None]] = {}

    async def _schema(self, schema_id: int) -> tuple[str, AvroCodec | None]:
        cached = self._schemas.get(schema_id)
        if cached is not None:
            return cached
        found = await self._registry.schema_by_id(schema_id)
        schema_type = str(found.get("schemaType", "AVRO"))
        codec = AvroCodec(str(found["schema"])) if schema_type == "AVRO" else None
        if len(self._schemas) >= MAX_CACHED_SCHEMAS:
            self._schemas.clear()
        self._schemas[schema_id] = (schema_type, codec)
        return schema_type, codec

    async def datum(self, data: bytes) -> Any:
        """The decoded value of framed Avro or JSON_SR bytes; ToteError if it is not."""
        schema_id, payload = wire.unframe(data)
        schema_type, codec = await self._schema(schema_id)
        if codec is not None:
            return codec.decode(payload)
        if schema_type == "JSON":
            try:
                return json.loads(payload)
            except ValueError as exc:
                raise SerializationError(f"Invalid JSON for schema {schema_id}: {exc}") from None
        raise SerializationError(f"Schema {schema_id} is {schema_type}; not decoded here.")

    async def show(self, data: bytes | None, *, is_key: bool = False) -> Shown:
        if data is None:
            return Shown("null", "null")
        if len(data) < wire.HEADER_SIZE or data[0] != wire.MAGIC_BYTE:
            return _plain(data, is_key)
        schema_id = wire.schema_id_of(data)
        if schema_id == 0:  # registries start at 1: a BIGINT key, not a framed value
            return _plain(data, is_key)
        try:
            schema_type, _ = await self._schema(schema_id)
            return Shown(_json_text(await self.datum(data)),
                         f"{schema_type.lower()} (schema {schema_id})")
        except ToteError as exc:
            fallback = _plain(data, is_key)
            return Shown(fallback.text, fallback.kind, f"schema {schema_id}: {exc.message}")
