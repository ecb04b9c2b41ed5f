"""Schema resolution for produce and consume, the way kafka-rest's SchemaManager does it.

Produce: each side (key, value) independently names its schema by id or by text. An id
is fetched and then looked up under the topic's subject (`<topic>-key` / `<topic>-value`,
TopicNameStrategy) to learn its version; text is looked up under the subject and
registered there when absent. Consume: a framed record names its schema id.

Parsed schemas are cached by id (ids are immutable in a registry), and subject lookups by
(subject, text), as Confluent's CachedSchemaRegistryClient does; the cache belongs to the
resolver, so each proxy (and each test) has its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from tote.core.errors import ToteError
from tote.proxy.errors import InvalidRequest, InvalidSchema, SerializationFailed
from tote.proxy.formats import EmbeddedFormat
from tote.registry.source import RegistryRejected, SchemaSource, StoredSchema
from tote.serde.errors import InvalidSchema as SerdeInvalidSchema
from tote.serde.schemas import ParsedSchema, parse_schema

MAX_CACHED = 10_000


class NeedsIO(Exception):
    """A `cached_only` call would have to ask the registry or read the log; never reaches
    a user (the caller retries the call where blocking is fine)."""


@dataclass(frozen=True, slots=True)
class ResolvedSchema:
    """A schema a produce request writes with: its id, where it is registered, and parsed."""

    subject: str
    schema_id: int
    version: int
    parsed: ParsedSchema


def subject_for(topic: str, is_key: bool) -> str:
    return f"{topic}-{'key' if is_key else 'value'}"


class SchemaResolver:
    def __init__(self, source: SchemaSource) -> None:
        self.source = source
        self._by_id: dict[int, ParsedSchema] = {}
        self._versions: dict[tuple[str, str, str], tuple[int, int]] = {}
        # Produce requests that send the schema's text resolve it again and again: the
        # answer by (subject, type, text as sent) skips parsing it each time.
        self._by_text: dict[tuple[str, str, str], ResolvedSchema] = {}
        # Produce requests that name a schema by id: the answer by (subject, id).
        self._by_subject_id: dict[tuple[str, int], ResolvedSchema] = {}
        self._lock = threading.Lock()

    # -- by id (consume and produce) -------------------------------------------------------

    def parsed_by_id(self, schema_id: int, cached_only: bool = False) -> ParsedSchema | None:
        """The parsed schema with this id, or None when the registry has no such id."""
        with self._lock:
            cached = self._by_id.get(schema_id)
        if cached is not None:
            return cached
        if cached_only:
            raise NeedsIO()
        stored = self.source.by_id(schema_id)
        if stored is None:
            return None
        parsed = _parse_stored(stored)
        with self._lock:
            if len(self._by_id) >= MAX_CACHED:
                self._by_id.clear()
            self._by_id[schema_id] = parsed
        return parsed

    # -- produce ---------------------------------------------------------------------------

    def resolve(
        self,
        fmt: EmbeddedFormat | None,
        topic: str,
        is_key: bool,
        schema_id: int | None,
        schema_text: str | None,
        *,
        cached_only: bool = False,
    ) -> ResolvedSchema | None:
        """The schema one side of a produce request names, or None when it names none.

        `fmt` None (v3 without a `type`) takes the format from the schema an id names.
        `cached_only`: raise `NeedsIO` rather than ask the registry.
        """
        if schema_id is None and schema_text is None:
            return None
        side = "key" if is_key else "value"
        if schema_id is not None and schema_text is not None:
            raise InvalidRequest(f"Only one of {side}_schema and {side}_schema_id may be given.")
        subject = subject_for(topic, is_key)
        if schema_id is not None:
            return self._from_id(fmt, subject, schema_id, cached_only)
        assert schema_text is not None
        if fmt is None:
            raise InvalidRequest(
                f"A raw {side} schema needs a type (AVRO, JSONSCHEMA or PROTOBUF)."
            )
        with self._lock:
            known = self._by_text.get((subject, fmt.schema_type, schema_text))
        if known is not None:
            return known
        if cached_only:
            raise NeedsIO()
        resolved = self._from_text(fmt, subject, schema_text)
        with self._lock:
            if len(self._by_text) >= MAX_CACHED:
                self._by_text.clear()
            self._by_text[(subject, fmt.schema_type, schema_text)] = resolved
        return resolved

    def _from_id(
        self, fmt: EmbeddedFormat | None, subject: str, schema_id: int, cached_only: bool = False
    ) -> ResolvedSchema:
        with self._lock:
            known = self._by_subject_id.get((subject, schema_id))
        if known is not None:
            _check_format(fmt, known.parsed, schema_id)
            return known
        resolved = self._resolve_id(fmt, subject, schema_id, cached_only)
        with self._lock:
            if len(self._by_subject_id) >= MAX_CACHED:
                self._by_subject_id.clear()
            self._by_subject_id[(subject, schema_id)] = resolved
        return resolved

    def _resolve_id(
        self, fmt: EmbeddedFormat | None, subject: str, schema_id: int, cached_only: bool
    ) -> ResolvedSchema:
        try:
            parsed = self.parsed_by_id(schema_id, cached_only)
        except RegistryRejected as exc:
            raise _serialization(
                f"Error when fetching schema by id. schemaId = {schema_id}", exc
            ) from None
        if parsed is None:
            raise SerializationFailed(
                f"Error when fetching schema by id. schemaId = {schema_id}\n"
                f"Schema {schema_id} not found; error code: 40403"
            )
        _check_format(fmt, parsed, schema_id)
        version = self._version(subject, parsed, cached_only)
        if version is None:
            raise SerializationFailed(
                f"Error when fetching schema version. subject = {subject}, schema = "
                f"{parsed.canonical()}\nSubject '{subject}' does not hold schema {schema_id}; "
                "error code: 40403"
            )
        return ResolvedSchema(subject, schema_id, version[1], parsed)

    def _from_text(self, fmt: EmbeddedFormat, subject: str, text: str) -> ResolvedSchema:
        try:
            parsed = parse_schema(fmt.schema_type, text)
        except (SerdeInvalidSchema, RecursionError):
            raise InvalidSchema(
                f"Error when parsing raw schema. format = {fmt.name}, schema = {text}"
            ) from None
        found = self._version(subject, parsed)
        if found is None:
            try:
                self.source.register(subject, fmt.schema_type, parsed.canonical())
                found = self._version(subject, parsed)
            except RegistryRejected as exc:
                raise _serialization(
                    f"Error when registering schema. format = {fmt.name}, subject = "
                    f"{subject}, schema = {parsed.canonical()}",
                    exc,
                ) from None
            if found is None:
                raise SerializationFailed(
                    f"Error when registering schema. format = {fmt.name}, subject = {subject}: "
                    "the registry did not keep it."
                )
        schema_id, version = found
        with self._lock:
            self._by_id.setdefault(schema_id, parsed)
        return ResolvedSchema(subject, schema_id, version, self._by_id.get(schema_id, parsed))

    def _version(
        self, subject: str, parsed: ParsedSchema, cached_only: bool = False
    ) -> tuple[int, int] | None:
        """(id, version) of `parsed` under `subject`, or None when the subject lacks it."""
        key = (subject, parsed.schema_type.value, parsed.canonical())
        with self._lock:
            cached = self._versions.get(key)
        if cached is not None:
            return cached
        if cached_only:
            raise NeedsIO()
        try:
            found = self.source.lookup(subject, parsed.schema_type.value, parsed.canonical())
        except RegistryRejected as exc:
            raise _serialization(
                f"Error when fetching schema version. subject = {subject}, schema = "
                f"{parsed.canonical()}",
                exc,
            ) from None
        if found is None:
            return None
        result = (found.schema_id, found.version)
        with self._lock:
            if len(self._versions) >= MAX_CACHED:
                self._versions.clear()
            self._versions[key] = result
        return result

    def latest(self, fmt: EmbeddedFormat | None, topic: str, is_key: bool) -> ResolvedSchema:
        """The newest schema of the topic's subject (v3 produce without a schema)."""
        subject = subject_for(topic, is_key)
        found = self.source.latest(subject)
        if found is None:
            raise SerializationFailed(
                f"Error when fetching latest schema version. subject = {subject}\n"
                f"Subject '{subject}' not found.; error code: 40401"
            )
        parsed = self.parsed_by_id(found.schema_id)
        if parsed is None:
            raise SerializationFailed(f"Schema {found.schema_id} not found; error code: 40403")
        if fmt is not None and parsed.schema_type.value != fmt.schema_type:
            raise SerializationFailed(
                f"The latest schema of {subject} is {parsed.schema_type.value}, not {fmt.name}."
            )
        return ResolvedSchema(subject, found.schema_id, found.version, parsed)


def _check_format(fmt: EmbeddedFormat | None, parsed: ParsedSchema, schema_id: int) -> None:
    if fmt is not None and parsed.schema_type.value != fmt.schema_type:
        raise SerializationFailed(
            f"Schema {schema_id} is a {parsed.schema_type.value} schema, which the "
            f"{fmt.value} format cannot write."
        )


def _parse_stored(stored: StoredSchema) -> ParsedSchema:
    try:
        return parse_schema(stored.schema_type, stored.schema)
    except SerdeInvalidSchema as exc:
        raise InvalidSchema(f"Schema {stored.schema_id} from the registry: {exc.message}") from None


def _serialization(detail: str, exc: ToteError) -> SerializationFailed:
    return SerializationFailed(f"{detail}\n{exc.message}")
