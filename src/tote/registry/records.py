"""The `_schemas` topic's records, byte for byte as Confluent's Schema Registry writes them.

Keys are compact JSON with a fixed property order: compaction keeps the latest record per
key *bytes*, so the same logical key must always serialise identically (and match what a
real Confluent registry writes, so either can read the other's topic). Values are JSON too;
a null value is a tombstone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from tote.core.records import Record
from tote.registry.errors import InvalidCompatibilityLevel, StoreError
from tote.registry.models import CompatibilityLevel, ConfigInfo, Mode, SchemaVersion
from tote.serde.schemas import Reference, SchemaType


class KeyType(StrEnum):
    SCHEMA = "SCHEMA"
    CONFIG = "CONFIG"
    MODE = "MODE"
    DELETE_SUBJECT = "DELETE_SUBJECT"
    CLEAR_SUBJECT = "CLEAR_SUBJECT"
    NOOP = "NOOP"


class CorruptRecord(StoreError):
    """A `_schemas` record this registry cannot make sense of."""


@dataclass(frozen=True)
class StoreKey:
    """A decoded key; `keytype` stays a plain string so unknown types can be skipped."""

    keytype: str
    subject: str | None = None
    version: int | None = None


def _dumps(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _loads(raw: bytes, what: str) -> dict[str, Any]:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CorruptRecord(f"Unparsable {what}: {exc}") from None
    if not isinstance(obj, dict):
        raise CorruptRecord(f"The {what} is not a JSON object")
    return obj


def encode_key(key: StoreKey) -> bytes:
    """Confluent's property order: keytype, subject, [version,] magic."""
    if key.keytype == KeyType.SCHEMA:
        return _dumps({"keytype": "SCHEMA", "subject": key.subject, "version": key.version,
                       "magic": 1})
    if key.keytype == KeyType.NOOP:
        return _dumps({"keytype": "NOOP", "magic": 0})
    return _dumps({"keytype": str(key.keytype), "subject": key.subject, "magic": 0})


def decode_key(raw: bytes) -> StoreKey:
    obj = _loads(raw, "key")
    keytype = obj.get("keytype")
    subject = obj.get("subject")
    version = obj.get("version")
    if not isinstance(keytype, str):
        raise CorruptRecord("The key has no keytype")
    if subject is not None and not isinstance(subject, str):
        raise CorruptRecord("The key's subject is not a string")
    if keytype == KeyType.SCHEMA and (
        subject is None or not isinstance(version, int) or isinstance(version, bool)
    ):
        raise CorruptRecord("A SCHEMA key needs a subject and an integer version")
    return StoreKey(keytype, subject, version if isinstance(version, int) else None)


# -- values -----------------------------------------------------------------------------------


def _reference_json(ref: Reference) -> dict[str, Any]:
    return {"name": ref.name, "subject": ref.subject, "version": ref.version}


def encode_schema_value(v: SchemaVersion) -> bytes:
    obj: dict[str, Any] = {"subject": v.subject, "version": v.version, "id": v.id}
    if v.schema_type is not SchemaType.AVRO:
        obj["schemaType"] = v.schema_type.value
    if v.references:
        obj["references"] = [_reference_json(r) for r in v.references]
    if v.metadata is not None:
        obj["metadata"] = v.metadata
    if v.rule_set is not None:
        obj["ruleSet"] = v.rule_set
    obj["schema"] = v.schema
    obj["deleted"] = v.deleted
    return _dumps(obj)


def _int(obj: Mapping[str, Any], name: str) -> int:
    value = obj.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise CorruptRecord(f"The value's '{name}' is not an integer")
    return value


def _references(raw: object) -> tuple[Reference, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise CorruptRecord("The value's references are not a list")
    refs = []
    for item in raw:
        if not isinstance(item, dict):
            raise CorruptRecord("A reference is not an object")
        name, subject = item.get("name"), item.get("subject")
        if not isinstance(name, str) or not isinstance(subject, str):
            raise CorruptRecord("A reference needs a name and a subject")
        refs.append(Reference(name, subject, _int(item, "version")))
    return tuple(refs)


def decode_schema_value(raw: bytes) -> SchemaVersion:
    obj = _loads(raw, "SCHEMA value")
    subject, schema = obj.get("subject"), obj.get("schema")
    if not isinstance(subject, str) or not isinstance(schema, str):
        raise CorruptRecord("A SCHEMA value needs a subject and a schema string")
    try:
        schema_type = SchemaType(obj.get("schemaType") or "AVRO")
    except ValueError:
        raise CorruptRecord(f"Unknown schemaType {obj.get('schemaType')!r}") from None
    metadata, rule_set = obj.get("metadata"), obj.get("ruleSet")
    return SchemaVersion(
        subject=subject,
        version=_int(obj, "version"),
        id=_int(obj, "id"),
        schema=schema,
        schema_type=schema_type,
        references=_references(obj.get("references")),
        deleted=obj.get("deleted") is True,
        metadata=metadata if isinstance(metadata, dict) else None,
        rule_set=rule_set if isinstance(rule_set, dict) else None,
    )


def encode_config_value(info: ConfigInfo) -> bytes:
    obj: dict[str, Any] = {"compatibilityLevel": info.compatibility_level.value}
    if info.normalize is not None:
        obj["normalize"] = info.normalize
    return _dumps(obj)


def decode_config_value(raw: bytes) -> ConfigInfo:
    obj = _loads(raw, "CONFIG value")
    level = obj.get("compatibilityLevel", obj.get("compatibility"))
    try:
        parsed = CompatibilityLevel.parse(level)
    except InvalidCompatibilityLevel:
        raise CorruptRecord(f"Bad compatibilityLevel {level!r}") from None
    normalize = obj.get("normalize")
    return ConfigInfo(parsed, normalize if isinstance(normalize, bool) else None)


def encode_mode_value(subject: str | None, mode: Mode) -> bytes:
    if subject is None:
        return _dumps({"mode": mode.value})
    return _dumps({"subject": subject, "mode": mode.value})


def decode_mode_value(raw: bytes) -> Mode:
    obj = _loads(raw, "MODE value")
    mode = obj.get("mode")
    if not isinstance(mode, str) or mode.upper() not in Mode.__members__:
        raise CorruptRecord(f"Bad mode {mode!r}")
    return Mode(mode.upper())


def decode_delete_subject_value(raw: bytes) -> tuple[str, int]:
    obj = _loads(raw, "DELETE_SUBJECT value")
    subject = obj.get("subject")
    if not isinstance(subject, str):
        raise CorruptRecord("A DELETE_SUBJECT value needs a subject")
    return subject, _int(obj, "version")


# -- whole records ----------------------------------------------------------------------------


def schema_record(v: SchemaVersion) -> Record:
    return Record(key=encode_key(StoreKey(KeyType.SCHEMA, v.subject, v.version)),
                  value=encode_schema_value(v))


def schema_tombstone(subject: str, version: int) -> Record:
    return Record(key=encode_key(StoreKey(KeyType.SCHEMA, subject, version)), value=None)


def config_record(subject: str | None, info: ConfigInfo | None) -> Record:
    return Record(key=encode_key(StoreKey(KeyType.CONFIG, subject)),
                  value=None if info is None else encode_config_value(info))


def mode_record(subject: str | None, mode: Mode | None) -> Record:
    return Record(key=encode_key(StoreKey(KeyType.MODE, subject)),
                  value=None if mode is None else encode_mode_value(subject, mode))


def delete_subject_record(subject: str, version: int) -> Record:
    return Record(key=encode_key(StoreKey(KeyType.DELETE_SUBJECT, subject)),
                  value=_dumps({"subject": subject, "version": version}))


def clear_subject_record(subject: str | None) -> Record:
    return Record(key=encode_key(StoreKey(KeyType.CLEAR_SUBJECT, subject)),
                  value=_dumps({"subject": subject}))
