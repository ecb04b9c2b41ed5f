"""The registry's in-memory view of `_schemas`, changed only by `apply(record)`.

Replay at start and tailing afterwards both feed records, in offset order, to `apply`;
nothing else mutates this object. That is what lets several registry processes on one
log agree: they apply the same records in the same order. Callers hold the registry's
lock around `apply` and around the queries, which only read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace

from tote.core.records import LogRecord
from tote.registry.models import ConfigInfo, Mode, SchemaVersion
from tote.registry.records import (
    CorruptRecord,
    KeyType,
    decode_config_value,
    decode_delete_subject_value,
    decode_key,
    decode_mode_value,
    decode_schema_value,
)
from tote.serde.schemas import Reference, SchemaType

log = logging.getLogger(__name__)

Identity = tuple[SchemaType, str, tuple[Reference, ...], str, str]


def identity_of(v: SchemaVersion) -> Identity:
    """What makes two registrations "the same schema" for id reuse."""
    return (v.schema_type, v.schema, v.references,
            json.dumps(v.metadata, sort_keys=True), json.dumps(v.rule_set, sort_keys=True))


class RegistryState:
    """Subjects, versions, ids, configs and modes as of the last applied record."""

    def __init__(self, *, halt_on_corrupt: bool = False) -> None:
        self.subjects: dict[str, dict[int, SchemaVersion]] = {}
        self.by_id: dict[int, SchemaVersion] = {}
        self.usages: dict[int, set[tuple[str, int]]] = {}
        self.ids_by_identity: dict[Identity, int] = {}
        self.max_id = 0
        self.configs: dict[str | None, ConfigInfo] = {}
        self.modes: dict[str | None, Mode] = {}
        self.skipped = 0
        self._halt_on_corrupt = halt_on_corrupt

    # -- the one mutator --------------------------------------------------------------------

    def apply(self, record: LogRecord) -> None:
        """Fold one `_schemas` record into the state; corrupt records are skipped (or halt)."""
        if record.key is None:
            return
        try:
            key = decode_key(record.key)
            if key.keytype == KeyType.SCHEMA:
                assert key.subject is not None and key.version is not None
                if record.value is None:
                    self._drop_version(key.subject, key.version)
                else:
                    self._put_version(decode_schema_value(record.value), key.subject, key.version)
            elif key.keytype == KeyType.CONFIG:
                if record.value is None:
                    self.configs.pop(key.subject, None)
                else:
                    self.configs[key.subject] = decode_config_value(record.value)
            elif key.keytype == KeyType.MODE:
                if record.value is None:
                    self.modes.pop(key.subject, None)
                else:
                    self.modes[key.subject] = decode_mode_value(record.value)
            elif key.keytype == KeyType.DELETE_SUBJECT and record.value is not None:
                subject, version = decode_delete_subject_value(record.value)
                self._soft_delete_up_to(subject, version)
            elif key.keytype == KeyType.CLEAR_SUBJECT and record.value is not None:
                self._clear_deleted(key.subject)
            # NOOP and unknown key types carry nothing for us.
        except CorruptRecord as exc:
            if self._halt_on_corrupt:
                raise
            self.skipped += 1
            log.warning("Skipping corrupt _schemas record at offset %d: %s", record.offset, exc)

    def _put_version(self, value: SchemaVersion, subject: str, version: int) -> None:
        if value.subject != subject or value.version != version:
            value = replace(value, subject=subject, version=version)
        versions = self.subjects.setdefault(subject, {})
        old = versions.get(version)
        if old is not None and old.id != value.id:
            self._release_id(old.id, subject, version)
        versions[version] = value
        self.usages.setdefault(value.id, set()).add((subject, version))
        if value.id not in self.by_id or self.by_id[value.id].schema != value.schema:
            self.by_id[value.id] = value
        self.ids_by_identity.setdefault(identity_of(value), value.id)
        self.max_id = max(self.max_id, value.id)

    def _drop_version(self, subject: str, version: int) -> None:
        versions = self.subjects.get(subject)
        if versions is None or version not in versions:
            return
        old = versions.pop(version)
        if not versions:
            del self.subjects[subject]
        self._release_id(old.id, subject, version)

    def _release_id(self, schema_id: int, subject: str, version: int) -> None:
        """Forget an id once no (subject, version) uses it (Confluent does the same)."""
        users = self.usages.get(schema_id)
        if users is None:
            return
        users.discard((subject, version))
        if users:
            return
        del self.usages[schema_id]
        gone = self.by_id.pop(schema_id, None)
        if gone is not None and self.ids_by_identity.get(identity_of(gone)) == schema_id:
            del self.ids_by_identity[identity_of(gone)]
            for other in self.by_id.values():  # another id holding the same schema (IMPORT)
                if identity_of(other) == identity_of(gone):
                    self.ids_by_identity[identity_of(gone)] = other.id
                    break

    def _soft_delete_up_to(self, subject: str, version: int) -> None:
        versions = self.subjects.get(subject, {})
        for number, value in versions.items():
            if number <= version and not value.deleted:
                versions[number] = replace(value, deleted=True)

    def _clear_deleted(self, subject: str | None) -> None:
        targets = list(self.subjects) if subject is None else [subject]
        for name in targets:
            for number, value in list(self.subjects.get(name, {}).items()):
                if value.deleted:
                    self._drop_version(name, number)

    # -- queries ----------------------------------------------------------------------------

    def versions(self, subject: str, *, deleted: bool = False,
                 deleted_only: bool = False) -> list[SchemaVersion]:
        """Versions of a subject, oldest first: live ones, all, or only soft-deleted ones."""
        found = sorted(self.subjects.get(subject, {}).values(), key=lambda v: v.version)
        if deleted_only:
            return [v for v in found if v.deleted]
        return found if deleted else [v for v in found if not v.deleted]

    def has_subject(self, subject: str, *, deleted: bool = False) -> bool:
        return bool(self.versions(subject, deleted=deleted))

    def get(self, subject: str, version: int, *, deleted: bool = False) -> SchemaVersion | None:
        """A version by number, or the latest (-1); soft-deleted ones only when asked."""
        candidates = self.versions(subject, deleted=deleted)
        if version == -1:
            return candidates[-1] if candidates else None
        for value in candidates:
            if value.version == version:
                return value
        return None

    def next_version(self, subject: str) -> int:
        """One more than any version ever used, soft-deleted ones included."""
        return max(self.subjects.get(subject, {}).keys(), default=0) + 1

    def config(self, subject: str | None) -> ConfigInfo | None:
        return self.configs.get(subject)

    def config_in_scope(self, subject: str | None, default: ConfigInfo) -> ConfigInfo:
        if subject is not None and subject in self.configs:
            return self.configs[subject]
        return self.configs.get(None, default)

    def mode(self, subject: str | None) -> Mode | None:
        return self.modes.get(subject)

    def mode_in_scope(self, subject: str | None, default: Mode) -> Mode:
        """A global READONLY_OVERRIDE beats subject modes; else subject, global, default."""
        global_mode = self.modes.get(None, default)
        if global_mode is Mode.READONLY_OVERRIDE or subject is None:
            return global_mode
        return self.modes.get(subject, global_mode)

    def all_versions(self) -> Iterator[SchemaVersion]:
        for subject in sorted(self.subjects):
            yield from self.versions(subject, deleted=True)

    def referrers(self, subject: str, version: int, *,
                  deleted: bool = False) -> list[SchemaVersion]:
        """Versions whose references name (subject, version); soft-deleted ones when asked."""
        return [v for v in self.all_versions()
                if (deleted or not v.deleted)
                and any(r.subject == subject and r.version == version for r in v.references)]
