"""How the JSON Schema diff sees a schema: its kind, and whether its content model is open."""

from __future__ import annotations

import re
from typing import Any

_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties",
                "minProperties", "maxProperties", "dependencies")
_ARRAY_KEYS = ("items", "additionalItems", "minItems", "maxItems", "uniqueItems")
_STRING_KEYS = ("minLength", "maxLength", "pattern")
_NUMBER_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_COMBINERS = ("allOf", "anyOf", "oneOf")


def kind_of(schema: Any) -> tuple[str, Any]:
    """Classify a schema the way the diff sees it: (kind, payload)."""
    if schema is True or schema == {}:
        return "empty", None
    if schema is False:
        return "false", None
    if not isinstance(schema, dict):
        return "empty", None
    combiners = [k for k in _COMBINERS if k in schema]
    rest = {k: v for k, v in schema.items() if k not in _COMBINERS}
    has_rest = any(k in rest for k in ("type", "enum", "const", "not", *_OBJECT_KEYS,
                                       *_ARRAY_KEYS, *_STRING_KEYS, *_NUMBER_KEYS))
    if len(combiners) == 1 and not has_rest:
        return "combined", (combiners[0], list(schema[combiners[0]]))
    if combiners:
        parts = [rest] if has_rest else []
        parts += [{c: schema[c]} for c in combiners]
        return "combined", ("allOf", parts)
    if "enum" in schema:
        return "enum", schema["enum"]
    if "const" in schema:
        return "const", schema["const"]
    if "not" in schema:
        return "not", schema["not"]
    declared = schema.get("type")
    if isinstance(declared, list):
        if len(declared) == 1:
            return kind_of({**schema, "type": declared[0]})
        return "combined", ("anyOf", [{**schema, "type": t} for t in declared])
    if declared in ("object", "array", "string", "boolean", "null"):
        return str(declared), None
    if declared in ("number", "integer"):
        return "number", declared == "integer"
    if any(k in schema for k in _OBJECT_KEYS):
        return "object", None
    if any(k in schema for k in _ARRAY_KEYS):
        return "array", None
    if any(k in schema for k in _STRING_KEYS):
        return "string", None
    if any(k in schema for k in _NUMBER_KEYS):
        return "number", False
    return "empty", None


def has_default(schema: Any) -> bool:
    return isinstance(schema, dict) and "default" in schema


def is_open(schema: dict[str, Any]) -> bool:
    if schema.get("patternProperties"):
        return False
    extra = schema.get("additionalProperties", True)
    return extra is True or extra == {}


def partial_schema(schema: dict[str, Any], name: str) -> Any:
    for pattern, sub_schema in (schema.get("patternProperties") or {}).items():
        if re.search(pattern, name):
            return sub_schema
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        return extra
    return None


def max_matching(edges: dict[int, dict[int, Any]]) -> dict[int, int]:
    """Maximum bipartite matching (augmenting paths); left index → right index."""
    owner: dict[int, int] = {}

    def augment(left: int, visited: set[int]) -> bool:
        for right in edges.get(left, {}):
            if right in visited:
                continue
            visited.add(right)
            if right not in owner or augment(owner[right], visited):
                owner[right] = left
                return True
        return False

    for left in edges:
        augment(left, set())
    return {left: right for right, left in owner.items()}
