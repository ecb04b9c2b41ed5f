"""Every registry write as a pure step: (complete state, request) -> (records, result).

The store runs each builder under the registry lock on a state that has caught up with
the whole topic, and commits the records only if no other registry wrote in between. The
builders hold Confluent's rules: mode checks, idempotent registration, id reuse across
subjects, version numbering, compatibility, soft/permanent deletes and references.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace

from tote.core.records import Record
from tote.registry.errors import (
    IdDoesNotMatch,
    IncompatibleSchema,
    InvalidCompatibilityLevel,
    InvalidSchemaError,
    InvalidSubject,
    OperationNotPermitted,
    ReferenceExists,
    SubjectNotFound,
    SubjectNotSoftDeleted,
    SubjectSoftDeleted,
    VersionNotFound,
    VersionNotSoftDeleted,
    VersionSoftDeleted,
)
from tote.registry.models import (
    LATEST,
    CompatibilityLevel,
    ConfigInfo,
    Mode,
    SchemaRequest,
    SchemaVersion,
)
from tote.registry.parsing import SchemaParser, pin_references
from tote.registry.records import (
    clear_subject_record,
    config_record,
    delete_subject_record,
    mode_record,
    schema_record,
    schema_tombstone,
)
from tote.registry.state import RegistryState, identity_of
from tote.serde.schemas import ParsedSchema, check_compatibility

GLOBAL_SUBJECT_NAME = "__GLOBAL"


@dataclass(frozen=True)
class Defaults:
    """Server-level settings: what applies where nothing is configured in the topic."""

    compatibility: CompatibilityLevel = CompatibilityLevel.BACKWARD
    mode: Mode = Mode.READWRITE

    @property
    def config(self) -> ConfigInfo:
        return ConfigInfo(self.compatibility)


def check_subject(subject: str) -> None:
    """42208 for names Confluent refuses: control characters or the reserved `__GLOBAL`."""
    if (not isinstance(subject, str) or not subject or subject == GLOBAL_SUBJECT_NAME
            or any(unicodedata.category(ch) == "Cc" for ch in subject)):
        raise InvalidSubject(str(subject))


def _name(subject: str | None) -> str:
    return "null" if subject is None else subject


def _check_writable(state: RegistryState, defaults: Defaults, subject: str | None) -> None:
    if state.mode_in_scope(subject, defaults.mode).read_only:
        raise OperationNotPermitted(f"Subject {_name(subject)} is in read-only mode")


def compatibility_messages(parser: SchemaParser, state: RegistryState,
                           level: CompatibilityLevel, new: ParsedSchema,
                           previous: list[SchemaVersion]) -> list[str]:
    """Confluent's messages for `new` against `previous` (oldest first); [] if compatible."""
    olds = [parser.parse(state, v.schema_type, v.schema, v.references) for v in previous]
    messages = check_compatibility(level.value, new, olds)
    if messages:
        messages = [*messages, f"{{compatibility: '{level.value}'}}"]
    return messages


def register(state: RegistryState, *, parser: SchemaParser, defaults: Defaults, subject: str,
             request: SchemaRequest, normalize: bool,
             force: bool = False) -> tuple[list[Record], SchemaVersion]:
    """Register a schema under a subject; an existing live identical version is returned.

    `force` skips the compatibility check, as IMPORT mode does (Confluent's `?force=true`);
    the mode checks still apply."""
    mode = state.mode_in_scope(subject, defaults.mode)
    explicit_id = request.id if request.id is not None and request.id > 0 else None
    if mode.read_only:
        raise OperationNotPermitted(f"Subject {subject} is in read-only mode")
    if explicit_id is not None and mode is not Mode.IMPORT:
        raise OperationNotPermitted(f"Subject {subject} is not in import mode")
    if explicit_id is None and mode is not Mode.READWRITE:
        raise OperationNotPermitted(f"Subject {subject} is not in read-write mode")
    config = state.config_in_scope(subject, defaults.config)
    normalize = normalize or bool(config.normalize)
    refs = pin_references(state, request.schema_type, request.references)
    parsed = parser.parse(state, request.schema_type, request.schema, refs)
    text = parsed.normalized() if normalize else parsed.canonical()
    candidate = SchemaVersion(subject, 0, 0, text, request.schema_type, refs, False,
                              request.metadata, request.rule_set)
    identity = identity_of(candidate)
    live = state.versions(subject)
    schema_id = explicit_id
    existing_id = state.ids_by_identity.get(identity)
    if existing_id is not None:
        if schema_id is not None and schema_id != existing_id:
            raise IdDoesNotMatch(f"Schema already registered with id {existing_id} "
                                 f"instead of input id {schema_id}")
        for version in reversed(live):
            if version.id == existing_id and identity_of(version) == identity:
                return [], version
        schema_id = existing_id
    if mode is not Mode.IMPORT and not force:
        messages = compatibility_messages(parser, state, config.compatibility_level, parsed, live)
        if messages:
            raise IncompatibleSchema(subject, messages)
    next_version = state.next_version(subject)
    number = request.version if request.version is not None and request.version > 0 else None
    if number is None:
        number = next_version
    elif number != next_version and mode is not Mode.IMPORT:
        raise InvalidSchemaError("Version is not one more than previous version")
    if schema_id is None:
        schema_id = state.max_id + 1
    elif existing_id is None and schema_id in state.by_id:
        raise IdDoesNotMatch(f"Overwrite new schema with id {schema_id} is not permitted.")
    value = replace(candidate, version=number, id=schema_id)
    records = [schema_tombstone(subject, old.version)
               for old in state.versions(subject, deleted_only=True)
               if old.id == schema_id and old.version < number]
    records.append(schema_record(value))
    return records, value


def delete_version(state: RegistryState, *, defaults: Defaults, subject: str, version: int,
                   shown: str, permanent: bool) -> tuple[list[Record], int]:
    """Soft-delete a version, or tombstone one that was soft-deleted before."""
    if version == LATEST:
        target = state.get(subject, LATEST, deleted=permanent)
    else:
        target = state.get(subject, version, deleted=True)
        if target is not None and target.deleted and not permanent:
            raise VersionSoftDeleted(subject, shown)
    if target is None:
        if not state.has_subject(subject, deleted=True):
            raise SubjectNotFound(subject)
        raise VersionNotFound(version)
    _check_writable(state, defaults, subject)
    if state.referrers(subject, target.version, deleted=permanent):
        raise ReferenceExists(subject, target.version)
    if not permanent:
        return [schema_record(replace(target, deleted=True))], target.version
    if not target.deleted:
        raise VersionNotSoftDeleted(subject, target.version)
    records = [schema_tombstone(subject, target.version)]
    if len(state.versions(subject, deleted=True)) == 1:
        records += _clear_subject_settings(state, subject)
    return records, target.version


def delete_subject(state: RegistryState, *, defaults: Defaults, subject: str,
                   permanent: bool) -> tuple[list[Record], list[int]]:
    """Soft-delete every live version (one DELETE_SUBJECT record) or tombstone them all."""
    if not state.has_subject(subject, deleted=True):
        raise SubjectNotFound(subject)
    if not permanent and not state.has_subject(subject):
        raise SubjectSoftDeleted(subject)
    _check_writable(state, defaults, subject)
    targets = state.versions(subject, deleted=permanent)
    for target in targets:
        outside = [v for v in state.referrers(subject, target.version, deleted=permanent)
                   if v.subject != subject]
        if outside:
            raise ReferenceExists(subject, target.version)
        if permanent and not target.deleted:
            raise SubjectNotSoftDeleted(subject)
    numbers = [v.version for v in targets]
    if not permanent:
        return [delete_subject_record(subject, numbers[-1])], numbers
    records = [schema_tombstone(subject, n) for n in reversed(numbers)]
    return records + _clear_subject_settings(state, subject), numbers


def _clear_subject_settings(state: RegistryState, subject: str) -> list[Record]:
    records = []
    if state.mode(subject) is not None:
        records.append(mode_record(subject, None))
    if state.config(subject) is not None:
        records.append(config_record(subject, None))
    return records


def set_config(state: RegistryState, *, defaults: Defaults, subject: str | None,
               level: CompatibilityLevel | None,
               normalize: bool | None) -> tuple[list[Record], ConfigInfo]:
    """Set (merge into) a global or subject-level config."""
    if level is None and normalize is None:
        raise InvalidCompatibilityLevel()
    _check_writable(state, defaults, subject)
    old = state.config(subject)
    base = old or state.config_in_scope(subject, defaults.config)
    new = ConfigInfo(level or base.compatibility_level,
                     normalize if normalize is not None else (old.normalize if old else None))
    return [config_record(subject, new)], new


def delete_config(state: RegistryState, *, defaults: Defaults,
                  subject: str | None) -> tuple[list[Record], ConfigInfo]:
    """Remove a config; the answer is the config that applied before."""
    old = state.config(subject)
    if old is None and subject is not None:
        raise SubjectNotFound(subject)
    _check_writable(state, defaults, subject)
    if old is None:
        return [], defaults.config
    return [config_record(subject, None)], old


def set_mode(state: RegistryState, *, defaults: Defaults, subject: str | None, mode: Mode,
             force: bool) -> tuple[list[Record], Mode]:
    """Set a mode; IMPORT needs an empty registry (or subject) unless forced."""
    records: list[Record] = []
    current = state.mode(subject) if subject is not None else state.mode(None) or defaults.mode
    if mode is Mode.IMPORT and current is not Mode.IMPORT and not force:
        names = list(state.subjects) if subject is None else [subject]
        if any(state.has_subject(name) for name in names):
            raise OperationNotPermitted("Cannot import since found existing subjects")
        records.append(clear_subject_record(subject))
    records.append(mode_record(subject, mode))
    return records, mode


def delete_mode(state: RegistryState, *, subject: str) -> tuple[list[Record], Mode]:
    old = state.mode(subject)
    if old is None:
        raise SubjectNotFound(subject)
    return [mode_record(subject, None)], old
