"""Turning registry schema texts into `ParsedSchema`s: references resolved, results cached.

A schema's references name other registered (subject, version)s; `parse_schema` wants
their texts by reference name, transitively, dependencies first. Parsing is the costly
part of lookups and compatibility checks, so parses are kept in a small LRU cache owned
by the registry (keyed by the texts themselves, so a cache hit is always right).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from tote.registry.errors import InvalidSchemaError
from tote.registry.models import LATEST
from tote.registry.state import RegistryState
from tote.serde.errors import InvalidSchema
from tote.serde.schemas import ParsedSchema, Reference, SchemaType, parse_schema

MAX_REFERENCE_DEPTH = 64
CacheKey = tuple[SchemaType, str, tuple[tuple[str, str], ...]]


def invalid_schema(schema_type: SchemaType, detail: str) -> InvalidSchemaError:
    """42201 for a schema whose references cannot be resolved (Confluent 8.x wording)."""
    return InvalidSchemaError(f"Invalid schema of type {schema_type.value}, details: {detail}")


def pin_references(state: RegistryState, schema_type: SchemaType,
                   references: Sequence[Reference]) -> tuple[Reference, ...]:
    """References as stored: a `-1` (latest) version becomes the live latest's number."""
    pinned = []
    for ref in references:
        if ref.version != LATEST:
            pinned.append(ref)
            continue
        latest = state.get(ref.subject, LATEST)
        if latest is None:
            raise invalid_schema(schema_type, f"No schema reference found for subject "
                                              f"\"{ref.subject}\" and version latest")
        pinned.append(Reference(ref.name, ref.subject, latest.version))
    return tuple(pinned)


def resolve_references(state: RegistryState, schema_type: SchemaType,
                       references: Sequence[Reference]) -> dict[str, str]:
    """Reference name -> schema text for every reference, transitively, dependencies first."""
    resolved: dict[str, str] = {}

    def visit(ref: Reference, depth: int) -> None:
        if depth > MAX_REFERENCE_DEPTH:
            raise invalid_schema(schema_type, "Schema references are nested too deeply")
        if ref.name in resolved:
            return
        target = state.get(ref.subject, ref.version, deleted=True)
        if target is None:
            raise invalid_schema(schema_type, f"No schema reference found for subject "
                                              f"\"{ref.subject}\" and version {ref.version}")
        for inner in target.references:
            visit(inner, depth + 1)
        resolved.setdefault(ref.name, target.schema)

    for ref in references:
        visit(ref, 0)
    return resolved


class SchemaParser:
    """Parses with references resolved against the state; caches recent parses."""

    def __init__(self, capacity: int = 2048) -> None:
        self._cache: OrderedDict[CacheKey, ParsedSchema] = OrderedDict()
        self._capacity = capacity
        self._lock = threading.Lock()

    def parse(self, state: RegistryState, schema_type: SchemaType, text: str,
              references: Sequence[Reference]) -> ParsedSchema:
        """Parse `text`; 42201 with Confluent's wording if it (or a reference) is invalid."""
        resolved = resolve_references(state, schema_type, references)
        key: CacheKey = (schema_type, text, tuple(resolved.items()))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        try:
            parsed = parse_schema(schema_type, text, resolved)
        except InvalidSchema as exc:  # already Confluent's "Invalid schema <text>, details: ..."
            if exc.detail == "Empty schema":
                raise InvalidSchemaError("Empty schema") from None
            raise InvalidSchemaError(exc.message) from None
        except RecursionError:
            # Hostile nesting depth in client text is bad input, not a server fault.
            raise invalid_schema(schema_type, "Schema is nested too deeply") from None
        with self._lock:
            self._cache[key] = parsed
            if len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return parsed
