"""Schema texts the registry tests register: small Avro and JSON schemas, built exactly."""

from __future__ import annotations

import json
from typing import Any


def avro_record(name: str, *fields: tuple[str, Any] | tuple[str, Any, Any]) -> str:
    """A compact Avro record schema; a 3-tuple field carries a default."""
    out = []
    for field in fields:
        entry: dict[str, Any] = {"name": field[0], "type": field[1]}
        if len(field) == 3:
            entry["default"] = field[2]
        out.append(entry)
    return json.dumps({"type": "record", "name": name, "fields": out}, separators=(",", ":"))


# v1 of a subject, a backward-compatible v2 (new field with default), an incompatible v2.
USER_V1 = avro_record("User", ("id", "long"))
USER_V2 = avro_record("User", ("id", "long"), ("name", "string", ""))
USER_BAD = avro_record("User", ("id", "long"), ("email", "string"))
OTHER = avro_record("Other", ("x", "int"))
JSON_SCHEMA = json.dumps({"type": "object", "properties": {"a": {"type": "integer"}}},
                         separators=(",", ":"))
