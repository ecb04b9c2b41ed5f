"""`Registry`: Confluent's Schema Registry as a library over a tote `Log`.

    with Registry(log) as registry:           # replays `_schemas`, then tails it
        v = registry.register("orders-value", avro_text)
        registry.get_schema(v.id)

Every read first catches up with the topic's end offset as of the call, so a write made
through any registry on the same log is visible to the next read on every one of them.
Writes go through `SchemaStore.write` (see `store.py` for the single-writer scheme) and
`writes.py` (Confluent's rules). Nothing here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from types import TracebackType
from typing import Self, TypeVar

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.log.base import Log
from tote.registry import writes
from tote.registry.by_id import formatted, holder_of
from tote.registry.errors import (
    InvalidSchemaError,
    SchemaNotFound,
    StoreError,
    SubjectCompatibilityNotConfigured,
    SubjectModeNotConfigured,
    SubjectNotFound,
    VersionNotFound,
)
from tote.registry.models import (
    LATEST,
    CompatibilityLevel,
    CompatibilityResult,
    ConfigInfo,
    Mode,
    SchemaById,
    SchemaRequest,
    SchemaVersion,
    SubjectVersion,
    parse_version,
)
from tote.registry.parsing import SchemaParser, pin_references
from tote.registry.state import RegistryState
from tote.registry.store import SchemaStore
from tote.serde.errors import InvalidSchema
from tote.serde.schemas import ParsedSchema, SchemaType, schema_type_of

T = TypeVar("T")
SCHEMA_TYPES = ("JSON", "PROTOBUF", "AVRO")


def _request(schema: SchemaRequest | str) -> SchemaRequest:
    """A request from plain text or a SchemaRequest whose type may be given as a string."""
    if not isinstance(schema, SchemaRequest):
        return SchemaRequest(schema=schema)
    if isinstance(schema.schema_type, SchemaType):
        return schema
    try:
        return replace(schema, schema_type=schema_type_of(schema.schema_type))
    except InvalidSchema:
        raise InvalidSchemaError(f"Invalid schema type {schema.schema_type}") from None


class Registry:
    """Subjects, versions, global ids, configs and modes, kept in the `_schemas` topic."""

    def __init__(self, log: Log, *, topic: str = "_schemas", clock: Clock = SYSTEM_CLOCK,
                 default_compatibility: CompatibilityLevel | str = CompatibilityLevel.BACKWARD,
                 default_mode: Mode | str = Mode.READWRITE, timeout: float = 10.0,
                 halt_on_corrupt: bool = False) -> None:
        self.topic = topic
        self._defaults = writes.Defaults(CompatibilityLevel.parse(default_compatibility),
                                         Mode.parse(default_mode))
        self._store = SchemaStore(log, topic, clock=clock, timeout=timeout,
                                  transactional_id=f"tote-schema-registry-{topic}",
                                  halt_on_corrupt=halt_on_corrupt)
        self._parser = SchemaParser()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Replay the topic up to its current end, then follow it. Returns when ready."""
        self._store.start()

    def close(self) -> None:
        """Stop following the topic (the log itself stays open: it is the caller's)."""
        self._store.close()

    @property
    def ready(self) -> bool:
        return self._store.ready

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def _read(self, query: Callable[[RegistryState], T]) -> T:
        if not self._store.ready:
            raise StoreError("The schema registry is not started")
        self._store.sync("Read operation timed out")
        with self._store.lock:
            return query(self._store.state)

    # -- schemas and subjects ---------------------------------------------------------------

    @staticmethod
    def schema_types() -> list[str]:
        return list(SCHEMA_TYPES)

    def get_schema(self, schema_id: int, *, fetch_max_id: bool = False,
                   subject: str | None = None, fmt: str = "") -> SchemaById:
        """The schema with a global id; ids never change, so a local hit needs no catch-up.

        With `subject` (Confluent's `?subject=`, which picks the id's context) the answer
        names the subject version holding the id: that subject's if it holds it (soft-deleted
        too), else another's (Confluent's fall-back to the whole context); an id no subject
        version holds any more is 40403 then. A non-blank `fmt` (`?format=`) serves the
        text as the schema type's provider formats it (see `by_id.formatted`)."""
        if not self._store.ready:
            raise StoreError("The schema registry is not started")
        with self._store.lock:
            found = self._store.state.by_id.get(schema_id)
        if found is None:
            found = self._read(lambda s: s.by_id.get(schema_id))
        if found is None:
            raise SchemaNotFound(schema_id)
        holder: tuple[str, int] | None = None
        if subject is not None:
            holder = self._read(lambda s: holder_of(s, schema_id, subject))
            if holder is None:
                raise SchemaNotFound(schema_id)
        text = found.schema
        if fmt.strip():
            kind, refs = found.schema_type, found.references
            parsed = self._read(lambda s: self._parser.parse(s, kind, text, refs))
            text = formatted(parsed, fmt)
        max_id = self._store.state.max_id if fetch_max_id else None
        return SchemaById(found.id, text, found.schema_type, found.references, max_id,
                          found.metadata, found.rule_set, *(holder or (None, None)))

    def subjects_for_id(self, schema_id: int, *, deleted: bool = False) -> list[str]:
        return sorted({v.subject for v in self.versions_for_id(schema_id, deleted=deleted)})

    def versions_for_id(self, schema_id: int, *, deleted: bool = False) -> list[SubjectVersion]:
        def query(state: RegistryState) -> list[SubjectVersion]:
            if schema_id not in state.by_id:
                raise SchemaNotFound()
            found = []
            for subject, number in sorted(state.usages.get(schema_id, ())):
                version = state.subjects[subject][number]
                if deleted or not version.deleted:
                    found.append(SubjectVersion(subject, number))
            return found
        return self._read(query)

    def subjects(self, *, deleted: bool = False, deleted_only: bool = False,
                 prefix: str = "") -> list[str]:
        """Subject names, sorted: with a live version (default), all, or only fully deleted."""
        def query(state: RegistryState) -> list[str]:
            names = []
            for name in sorted(state.subjects):
                if not name.startswith(prefix):
                    continue
                all_deleted = not state.has_subject(name)
                wanted = all_deleted if deleted_only else (deleted or not all_deleted)
                if wanted:
                    names.append(name)
            return names
        return self._read(query)

    def versions(self, subject: str, *, deleted: bool = False,
                 deleted_only: bool = False) -> list[int]:
        def query(state: RegistryState) -> list[int]:
            if not state.has_subject(subject, deleted=deleted or deleted_only):
                raise SubjectNotFound(subject)
            return [v.version for v in state.versions(subject, deleted=deleted,
                                                      deleted_only=deleted_only)]
        return self._read(query)

    def get_version(self, subject: str, version: int | str = "latest", *,
                    deleted: bool = False) -> SchemaVersion:
        number = parse_version(version)
        return self._read(lambda state: self._version(state, subject, number, deleted))

    @staticmethod
    def _version(state: RegistryState, subject: str, number: int,
                 deleted: bool) -> SchemaVersion:
        found = state.get(subject, number, deleted=deleted)
        if found is None:
            if not state.has_subject(subject, deleted=deleted):
                raise SubjectNotFound(subject)
            raise VersionNotFound(number)
        return found

    def schemas(self, *, prefix: str = "", deleted: bool = False,
                latest_only: bool = False) -> list[SchemaVersion]:
        """Every version of subjects starting with `prefix`, by subject then version."""
        def query(state: RegistryState) -> list[SchemaVersion]:
            found = []
            for name in sorted(state.subjects):
                if name.startswith(prefix):
                    versions = state.versions(name, deleted=deleted)
                    found.extend(versions[-1:] if latest_only else versions)
            return found
        return self._read(query)

    def referenced_by(self, subject: str, version: int | str, *,
                      deleted: bool = False) -> list[int]:
        """Ids of live schemas whose references name this subject version (soft-deleted
        ones too with `deleted`)."""
        number = parse_version(version)

        def query(state: RegistryState) -> list[int]:
            target = self._version(state, subject, number, True)
            referrers = state.referrers(subject, target.version, deleted=deleted)
            return sorted({v.id for v in referrers})
        return self._read(query)

    def lookup(self, subject: str, schema: SchemaRequest | str, *, normalize: bool = False,
               deleted: bool = False) -> SchemaVersion:
        """The newest version of `subject` holding this schema (40401/40403 otherwise)."""
        request = _request(schema)

        def query(state: RegistryState) -> SchemaVersion:
            config = state.config_in_scope(subject, self._defaults.config)
            norm = normalize or bool(config.normalize)
            refs = pin_references(state, request.schema_type, request.references)
            parsed = self._parser.parse(state, request.schema_type, request.schema, refs)
            text = parsed.canonical()
            for version in reversed(state.versions(subject, deleted=deleted)):
                if version.schema_type != request.schema_type or version.references != refs:
                    continue
                if version.schema == text or (norm and self._normalized(state, version)
                                              == parsed.normalized()):
                    return version
            if not state.has_subject(subject, deleted=deleted):
                raise SubjectNotFound(subject)
            raise SchemaNotFound()
        return self._read(query)

    def _normalized(self, state: RegistryState, version: SchemaVersion) -> str:
        return self._parsed(state, version).normalized()

    def _parsed(self, state: RegistryState, version: SchemaVersion) -> ParsedSchema:
        return self._parser.parse(state, version.schema_type, version.schema, version.references)

    def latest_with_metadata(self, subject: str, metadata: Mapping[str, str], *,
                             deleted: bool = False) -> SchemaVersion:
        """The newest version whose metadata properties include every given key/value."""
        def query(state: RegistryState) -> SchemaVersion:
            for version in reversed(state.versions(subject, deleted=deleted)):
                properties = (version.metadata or {}).get("properties") or {}
                if isinstance(properties, dict) and all(
                        properties.get(k) == v for k, v in metadata.items()):
                    return version
            if not state.has_subject(subject, deleted=deleted):
                raise SubjectNotFound(subject)
            raise SchemaNotFound()
        return self._read(query)

    def check_compatibility(self, subject: str, schema: SchemaRequest | str, *,
                            version: int | str | None = "latest", normalize: bool = False,
                            verbose: bool = False) -> CompatibilityResult:
        """Would `schema` be accepted after `version` (or after all versions, when None)?

        Uses the subject's compatibility level. An invalid schema is 42201, or with
        `verbose` an incompatible answer carrying the parse error.
        """
        number = None if version is None else parse_version(version)
        request = _request(schema)

        def query(state: RegistryState) -> CompatibilityResult:
            if number is None:
                previous = state.versions(subject)
            else:
                target = state.get(subject, number)
                if target is None and number != LATEST:
                    raise VersionNotFound(number)
                previous = [target] if target is not None else []
            config = state.config_in_scope(subject, self._defaults.config)
            try:
                refs = pin_references(state, request.schema_type, request.references)
                parsed = self._parser.parse(state, request.schema_type, request.schema, refs)
            except InvalidSchemaError as exc:
                if verbose:
                    return CompatibilityResult(False, (exc.message,))
                raise
            messages = writes.compatibility_messages(self._parser, state,
                                                     config.compatibility_level, parsed, previous)
            return CompatibilityResult(not messages, tuple(messages))
        return self._read(query)

    # -- config and mode --------------------------------------------------------------------

    def get_config(self, subject: str | None = None, *,
                   default_to_global: bool = False) -> ConfigInfo:
        def query(state: RegistryState) -> ConfigInfo:
            if subject is None:
                return state.config_in_scope(None, self._defaults.config)
            found = state.config(subject)
            if found is None and default_to_global:
                found = state.config_in_scope(subject, self._defaults.config)
            if found is None:
                raise SubjectCompatibilityNotConfigured(subject)
            return found
        return self._read(query)

    def get_mode(self, subject: str | None = None, *, default_to_global: bool = False) -> Mode:
        def query(state: RegistryState) -> Mode:
            if subject is None:
                return state.mode(None) or self._defaults.mode
            if default_to_global:
                return state.mode_in_scope(subject, self._defaults.mode)
            found = state.mode(subject)
            if found is None:
                raise SubjectModeNotConfigured(subject)
            return found
        return self._read(query)

    # -- writes -----------------------------------------------------------------------------

    def register(self, subject: str, schema: SchemaRequest | str, *,
                 normalize: bool = False, force: bool = False) -> SchemaVersion:
        """Register (idempotently) and return the subject version holding the schema;
        `force` skips the compatibility check."""
        writes.check_subject(subject)
        build = partial(writes.register, parser=self._parser, defaults=self._defaults,
                        subject=subject, request=_request(schema), normalize=normalize,
                        force=force)
        return self._store.write(build, "Register")

    def delete_version(self, subject: str, version: int | str, *,
                       permanent: bool = False) -> int:
        number = parse_version(version)
        build = partial(writes.delete_version, defaults=self._defaults, subject=subject,
                        version=number, shown=str(version), permanent=permanent)
        return self._store.write(build, "Delete Schema Version")

    def delete_subject(self, subject: str, *, permanent: bool = False) -> list[int]:
        build = partial(writes.delete_subject, defaults=self._defaults, subject=subject,
                        permanent=permanent)
        return self._store.write(build, "Delete subject")

    def set_config(self, subject: str | None = None,
                   compatibility: CompatibilityLevel | str | None = None, *,
                   normalize: bool | None = None) -> ConfigInfo:
        if subject is not None:
            writes.check_subject(subject)
        level = None if compatibility is None else CompatibilityLevel.parse(compatibility)
        build = partial(writes.set_config, defaults=self._defaults, subject=subject,
                        level=level, normalize=normalize)
        return self._store.write(build, "Update config")

    def delete_config(self, subject: str | None = None) -> ConfigInfo:
        build = partial(writes.delete_config, defaults=self._defaults, subject=subject)
        return self._store.write(build, "Delete config")

    def set_mode(self, subject: str | None, mode: Mode | str, *, force: bool = False) -> Mode:
        if subject is not None:
            writes.check_subject(subject)
        build = partial(writes.set_mode, defaults=self._defaults, subject=subject,
                        mode=Mode.parse(mode), force=force)
        return self._store.write(build, "Update mode")

    def delete_mode(self, subject: str) -> Mode:
        return self._store.write(partial(writes.delete_mode, subject=subject), "Delete mode")

