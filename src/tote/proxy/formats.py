"""Embedded formats and the vendor media types that name them (spec §3.1).

kafka-rest picks the produce encoder from the request's `Content-Type` and the consumer
renderer from `Accept`; this module turns those header strings into an `EmbeddedFormat`
without knowing anything about HTTP itself.
"""

from __future__ import annotations

from enum import Enum

from tote.proxy.errors import UnprocessableEntity, UnsupportedMediaType


class EmbeddedFormat(Enum):
    BINARY = "binary"
    JSON = "json"
    AVRO = "avro"
    JSONSCHEMA = "jsonschema"
    PROTOBUF = "protobuf"
    STRING = "string"  # v3 only: UTF-8 text

    @property
    def requires_schema(self) -> bool:
        return self in (EmbeddedFormat.AVRO, EmbeddedFormat.JSONSCHEMA, EmbeddedFormat.PROTOBUF)

    @property
    def schema_type(self) -> str:
        """The registry's `schemaType` for schema-backed formats."""
        return {"avro": "AVRO", "jsonschema": "JSON", "protobuf": "PROTOBUF"}.get(
            self.value, ""
        )

    @property
    def media_type(self) -> str:
        return f"application/vnd.kafka.{self.value}.v2+json"


V2_JSON = "application/vnd.kafka.v2+json"
# Types kafka-rest accepts for control-plane requests besides its own vendor type.
GENERIC_JSON = frozenset({V2_JSON, "application/json", "application/octet-stream"})
V2_FORMATS = (
    EmbeddedFormat.BINARY,
    EmbeddedFormat.JSON,
    EmbeddedFormat.AVRO,
    EmbeddedFormat.JSONSCHEMA,
    EmbeddedFormat.PROTOBUF,
)
_BY_MEDIA_TYPE = {f.media_type: f for f in V2_FORMATS}


def _bare(header: str) -> str:
    """The media type without parameters, lower-cased (`...+json; charset=utf-8` -> `...+json`)."""
    return header.split(";", 1)[0].strip().lower()


def produce_format(content_type: str | None) -> EmbeddedFormat:
    """The embedded format a produce request is written in.

    Like kafka-rest, a missing or generic JSON type means binary (its binary endpoint has
    the highest weight); anything else is 415.
    """
    bare = _bare(content_type or "")
    if bare in _BY_MEDIA_TYPE:
        return _BY_MEDIA_TYPE[bare]
    if bare in GENERIC_JSON or bare == "":
        return EmbeddedFormat.BINARY
    raise UnsupportedMediaType()


def check_control_content_type(content_type: str | None) -> None:
    """Control-plane calls take the v2 type, any embedded type, or plain JSON; else 415."""
    bare = _bare(content_type or "")
    if bare and bare not in GENERIC_JSON and bare not in _BY_MEDIA_TYPE:
        raise UnsupportedMediaType()


def accepted_format(accept: str | None) -> EmbeddedFormat | None:
    """The embedded format an `Accept` header asks for, or None when it names none.

    The first vendor embedded type listed wins; generic types (`*/*`, JSON, the v2 type)
    leave the choice to the consumer instance.
    """
    for part in (accept or "").split(","):
        bare = _bare(part)
        if bare in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[bare]
    return None


def consumer_format(name: str | None) -> EmbeddedFormat:
    """The `format` of a consumer-create request (case-insensitive, binary by default)."""
    if name is None:
        return EmbeddedFormat.BINARY
    for fmt in V2_FORMATS:
        if fmt.value == name.lower():
            return fmt
    raise UnprocessableEntity("Invalid format type.")
