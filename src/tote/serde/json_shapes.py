"""How the JSON Schema diff sees a schema: its kind, and whether its content model is open."""

from __future__ import annotations

import re
from typing import Any

_OBJECT_KEYS = ("properties", "required", "additionalProperties", "patternProperties",
                "minProperties", "maxProperties", "dependencies", "dependentRequired",
                "dependentSchemas")
_ARRAY_KEYS = ("items", "additionalItems", "minItems", "maxItems", "uniqueItems",
               "prefixItems", "contains")
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
    # Like the Registry's loader, a schema mixing a typed part with enum/const/not or a
    # combiner is the conjunction (allOf) of those parts.
    separate = [k for k in ("enum", "const", "not", *_COMBINERS) if k in schema]
    rest = {k: v for k, v in schema.items() if k not in separate}
    has_rest = any(k in rest for k in ("type", *_OBJECT_KEYS, *_ARRAY_KEYS, *_STRING_KEYS,
                                       *_NUMBER_KEYS))
    if len(separate) + has_rest > 1:
        parts = [rest] if has_rest else []
        parts += [{k: schema[k]} for k in separate]
        return "combined", ("allOf", parts)
    if separate and separate[0] in _COMBINERS:
        return "combined", (separate[0], list(schema[separate[0]]))
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


def _trivial(schema: Any) -> bool:
    return schema is True or schema == {}


def is_open(schema: dict[str, Any]) -> bool:
    """Any extra property is accepted: no pattern, additional or unevaluated restriction."""
    if schema.get("patternProperties"):
        return False
    if not _trivial(schema.get("additionalProperties", True)):
        return False
    return _trivial(schema.get("unevaluatedProperties", True))


def partial_schema(schema: dict[str, Any], name: str) -> Any:
    """The schema extra property `name` must match in a partially open content model."""
    for pattern, sub_schema in (schema.get("patternProperties") or {}).items():
        if re.search(pattern, name):
            return sub_schema
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and extra:
        return extra
    if extra is None or extra is True:
        unevaluated = schema.get("unevaluatedProperties")
        if isinstance(unevaluated, dict) and unevaluated:
            return unevaluated
    return None


def tuple_items(schema: dict[str, Any]) -> tuple[list[Any], Any, Any]:
    """(positional item schemas, schema for every item, schema for items past the tuple).

    Draft 2020-12 spells the tuple `prefixItems` and the rest `items`; earlier drafts use an
    `items` list and `additionalItems`. Absent parts are None.
    """
    items = schema.get("items")
    if "prefixItems" in schema:
        return list(schema.get("prefixItems") or []), None, items
    if isinstance(items, list):
        return items, None, schema.get("additionalItems")
    return [], items, schema.get("additionalItems")


def items_open(extra: Any, unevaluated: Any) -> bool:
    """Any extra item is accepted (additional items true/absent, unevaluated items too)."""
    if extra is not None and not _trivial(extra):
        return False
    return unevaluated is None or _trivial(unevaluated)


def items_partial(extra: Any, unevaluated: Any) -> Any:
    """The schema extra items must match in a partially open array content model."""
    if isinstance(extra, dict) and extra:
        return extra
    if (extra is None or extra is True) and isinstance(unevaluated, dict) and unevaluated:
        return unevaluated
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
