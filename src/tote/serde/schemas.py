"""The schema interface the Schema Registry builds on: parse, identity text, compatibility.

One `ParsedSchema` per schema type (AVRO, JSON, PROTOBUF). The registry stores and serves
`canonical()`, compares schemas by it, and uses `normalized()` for `?normalize=true`.
`check_compatibility` applies a subject's compatibility level the way Confluent does:
non-transitive levels look at the latest live version only, transitive ones at all of them,
newest first, stopping at the first version that fails.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from tote.serde.errors import InvalidSchema


class SchemaType(StrEnum):
    AVRO = "AVRO"
    JSON = "JSON"
    PROTOBUF = "PROTOBUF"


@dataclass(frozen=True)
class Reference:
    """A registry schema reference: `name` as used inside the schema text."""

    name: str
    subject: str
    version: int


class ParsedSchema(ABC):
    """A schema that parsed; knows its identity text and how it evolves."""

    schema_type: SchemaType

    @abstractmethod
    def canonical(self) -> str:
        """The text the registry stores, serves and compares for identity."""

    @abstractmethod
    def normalized(self) -> str:
        """A further normalised text for `?normalize=true`."""

    @abstractmethod
    def compatibility_errors(self, reader: ParsedSchema, writer: ParsedSchema,
                             reader_label: str, writer_label: str) -> list[str]:
        """Messages for why `reader` cannot read data written with `writer` (empty if it can).

        Called on the new schema; labels are "new"/"old" and name each side in messages.
        """

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedSchema):
            return NotImplemented
        return self.schema_type == other.schema_type and self.canonical() == other.canonical()

    def __hash__(self) -> int:
        return hash((self.schema_type, self.canonical()))

    def __str__(self) -> str:
        return self.canonical()


COMPATIBILITY_LEVELS = (
    "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE",
    "FULL", "FULL_TRANSITIVE", "NONE",
)

_EMPTY: Mapping[str, str] = MappingProxyType({})


def schema_type_of(schema_type: str | SchemaType | None) -> SchemaType:
    """`SchemaType` from a request's `schemaType` (absent means AVRO)."""
    if schema_type is None or schema_type == "":
        return SchemaType.AVRO
    try:
        return SchemaType(str(schema_type).upper())
    except ValueError:
        raise InvalidSchema(f"Unknown schema type: {schema_type}") from None


def parse_schema(schema_type: str | SchemaType, text: str,
                 references: Mapping[str, str] = _EMPTY) -> ParsedSchema:
    """Parse `text` as a schema of `schema_type`; `references` maps names to their texts."""
    kind = schema_type_of(schema_type)
    if not isinstance(text, str) or not text.strip():
        raise InvalidSchema("Empty schema")
    parsed = _parse(kind, text, references)
    if "\\u" in text or not text.isascii():
        _check_unicode(parsed, text)
    return parsed


def _parse(kind: SchemaType, text: str, references: Mapping[str, str]) -> ParsedSchema:
    if kind is SchemaType.AVRO:
        from tote.serde.avro_schema import AvroSchema

        return AvroSchema.parse(text, references)
    if kind is SchemaType.JSON:
        from tote.serde.json_schema import JsonSchema

        return JsonSchema.parse(text, references)
    from tote.serde.protobuf_schema import ProtobufSchema

    return ProtobufSchema.parse(text, references)


def _check_unicode(parsed: ParsedSchema, text: str) -> None:
    """Refuse a schema whose text holds a lone UTF-16 surrogate (`"doc": "\\ud800"`, legal
    JSON): the registry stores, compares and serves the text as UTF-8 (the `_schemas`
    log, the raw `/schema` endpoints, schema ids by text), and it has no UTF-8 form."""
    try:
        parsed.canonical().encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidSchema(f"{text}, details: lone surrogate escape in a string "
                            "(not valid Unicode)") from None


def check_compatibility(level: str, new: ParsedSchema,
                        previous: Sequence[ParsedSchema]) -> list[str]:
    """Why `new` breaks `level` against `previous` (live versions oldest→newest); [] if it fits."""
    mode = level.upper()
    if mode not in COMPATIBILITY_LEVELS:
        raise ValueError(f"Unknown compatibility level {level!r}")
    if mode == "NONE" or not previous:
        return []
    transitive = mode.endswith("_TRANSITIVE")
    base = mode.removesuffix("_TRANSITIVE")
    targets = list(reversed(previous)) if transitive else [previous[-1]]
    for old in targets:
        messages = _check_pair(base, new, old)
        if messages:
            return messages
    return []


def _check_pair(base: str, new: ParsedSchema, old: ParsedSchema) -> list[str]:
    if new.schema_type != old.schema_type:
        return ["Incompatible because of different schema type"]
    messages: list[str] = []
    if base in ("BACKWARD", "FULL"):
        messages += new.compatibility_errors(new, old, "new", "old")
    if base in ("FORWARD", "FULL"):
        messages += new.compatibility_errors(old, new, "old", "new")
    return messages
