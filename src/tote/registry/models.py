"""What the registry hands back: plain frozen dataclasses, no HTTP shapes.

The HTTP layer turns these into Confluent's JSON (omitting `schemaType` for AVRO and
empty `references`); library users read the fields directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tote.registry.errors import InvalidCompatibilityLevel, InvalidMode, InvalidVersion
from tote.serde.schemas import Reference, SchemaType

MAX_VERSION = 2**31 - 1
LATEST = -1


class CompatibilityLevel(StrEnum):
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"
    NONE = "NONE"

    @classmethod
    def parse(cls, value: object) -> CompatibilityLevel:
        """Case-insensitive, as Confluent accepts it; anything else is 42203."""
        if isinstance(value, str):
            try:
                return cls(value.strip().upper())
            except ValueError:
                pass
        raise InvalidCompatibilityLevel()


class Mode(StrEnum):
    READWRITE = "READWRITE"
    READONLY = "READONLY"
    READONLY_OVERRIDE = "READONLY_OVERRIDE"
    IMPORT = "IMPORT"

    @classmethod
    def parse(cls, value: object) -> Mode:
        if isinstance(value, str):
            try:
                return cls(value.strip().upper())
            except ValueError:
                pass
        raise InvalidMode()

    @property
    def read_only(self) -> bool:
        return self in (Mode.READONLY, Mode.READONLY_OVERRIDE)


def parse_version(value: int | str) -> int:
    """A version id: 1..2^31-1, or "latest" / -1 (returned as -1). Anything else is 42202."""
    if isinstance(value, bool):
        raise InvalidVersion(value)
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if text.lower() == "latest":
            return LATEST
        digits = text[1:] if text[:1] in ("+", "-") else text
        if not digits.isascii() or not digits.isdigit():
            raise InvalidVersion(value)
        number = int(text, 10)
        if not -(2**31) <= number <= MAX_VERSION:  # Java's parseInt overflows: raw text
            raise InvalidVersion(value)
    if number == LATEST or 1 <= number <= MAX_VERSION:
        return number
    raise InvalidVersion(number)


@dataclass(frozen=True)
class SchemaVersion:
    """One version of a subject: its global id, schema text and references."""

    subject: str
    version: int
    id: int
    schema: str
    schema_type: SchemaType = SchemaType.AVRO
    references: tuple[Reference, ...] = ()
    deleted: bool = False
    metadata: Mapping[str, Any] | None = field(default=None, compare=False)
    rule_set: Mapping[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class SchemaById:
    """A schema as `GET /schemas/ids/{id}` serves it."""

    id: int
    schema: str
    schema_type: SchemaType = SchemaType.AVRO
    references: tuple[Reference, ...] = ()
    max_id: int | None = None
    metadata: Mapping[str, Any] | None = field(default=None, compare=False)
    rule_set: Mapping[str, Any] | None = field(default=None, compare=False)
    # With `?subject=`: the subject version the id was found under (Confluent names it).
    subject: str | None = None
    version: int | None = None


@dataclass(frozen=True)
class SubjectVersion:
    subject: str
    version: int


@dataclass(frozen=True)
class CompatibilityResult:
    is_compatible: bool
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ConfigInfo:
    """A compatibility config (global or subject-level)."""

    compatibility_level: CompatibilityLevel
    normalize: bool | None = None


@dataclass(frozen=True)
class SchemaRequest:
    """What a client asks to register, look up or check: Confluent's RegisterSchemaRequest."""

    schema: str
    schema_type: SchemaType = SchemaType.AVRO
    references: tuple[Reference, ...] = ()
    metadata: Mapping[str, Any] | None = field(default=None, compare=False)
    rule_set: Mapping[str, Any] | None = field(default=None, compare=False)
    id: int | None = None
    version: int | None = None
