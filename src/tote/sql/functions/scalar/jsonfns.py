"""JSON functions over JSON text (ksqlDB's udf/json); output text is compact like Jackson's."""

from __future__ import annotations

import base64
import json
import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from tote.core.types import Base, SqlType
from tote.serde.sql_values import java_double
from tote.sql.functions.base import ScalarFunction, scalar, variant
from tote.sql.functions.semantics import timeparse as tp

CATEGORY = "JSON"
_PATH_PART = re.compile(
    r"\.([^.\[\]]+)|\[\s*(\d+)\s*\]|\[\s*'((?:[^']|'')*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]"
)


def _no_constant(name: str) -> Any:
    raise ValueError(f"Non-standard token '{name}'")


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_no_constant)


def _loads(text: str) -> Any:
    """The first JSON value in the text; like Jackson's readTree, whatever follows it is
    not read, and a text with no value at all is an error."""
    start = len(text) - len(text.lstrip(" \t\r\n"))
    return _DECODER.raw_decode(text, start)[0]


def _dumps(value: Any) -> str:
    """Compact JSON like Jackson writes it: Decimals keep their digits, doubles print as Java."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            java_double(value) if not math.isnan(value) and abs(value) != float("inf") else "null"
        )
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{_text(str(k))}:{_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    raise TypeError(f"not JSON serialisable: {value!r}")


# A `\u00xx` escape json.dumps wrote (its backslash not itself escaped: an even run of
# backslashes before it).
_CONTROL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u00([0-9a-f]{2})")


def _text(value: str) -> str:
    """A JSON string as Jackson's writer writes it: characters above U+001F as they are
    (lone surrogates too), the usual short escapes, and the other control characters as
    `\\u00XX` in upper-case hex, where Python's json writes lower case."""
    text = json.dumps(value, ensure_ascii=False)
    if "\\u00" not in text:
        return text
    return _CONTROL_ESCAPE.sub(lambda m: f"{m.group(1)}\\u00{m.group(2).upper()}", text)


def _encode(value: Any) -> str:
    return _dumps(value)


def _parse_path(path: str) -> list[str | int]:
    text = path.strip()
    if not text.startswith("$"):
        raise ValueError(f"Invalid JSON path: {path}")
    parts: list[str | int] = []
    pos = 1
    while pos < len(text):
        match = _PATH_PART.match(text, pos)
        if match is None:
            raise ValueError(f"Invalid JSON path: {path}")
        name, index, quoted, dquoted = match.groups()
        if index is not None:
            parts.append(int(index))
        else:
            parts.append(
                name
                if name is not None
                else (quoted.replace("''", "'") if quoted is not None else dquoted)
            )
        pos = match.end()
    return parts


_MISSING = object()


def _step(node: Any, part: str | int) -> Any:
    if isinstance(part, int):
        return node[part] if isinstance(node, list) and part < len(node) else _MISSING
    return node[part] if isinstance(node, dict) and part in node else _MISSING


def _extract(text: str, path: str) -> str | None:
    try:
        node = _loads(text)
    except ValueError:
        return None
    for part in _parse_path(path):
        node = _step(node, part)
        if node is _MISSING:
            return None
    if node is None:
        return None
    return node if isinstance(node, str) else _encode(node)


def _array_contains(text: str, value: Any) -> bool:
    try:
        items = _loads(text)
    except ValueError:
        return False
    if not isinstance(items, list):
        return False
    for item in items:
        if isinstance(value, bool) or isinstance(item, bool):
            if isinstance(value, bool) and isinstance(item, bool) and item == value:
                return True
        elif isinstance(value, str):
            if isinstance(item, str) and item == value:
                return True
        elif isinstance(value, int):
            if isinstance(item, int) and item == value:
                return True
        elif isinstance(value, (float, Decimal)):
            if isinstance(item, Decimal) and float(item) == float(value):
                return True
        elif value is None and item is None:
            return True
    return False


def _is_json(text: str | None) -> bool:
    if text is None:
        return False
    try:
        _loads(text)
    except ValueError:
        return False
    return True


def _parsed(text: str) -> Any:
    try:
        return _loads(text)
    except ValueError:
        return _INVALID


_INVALID = object()


def _concat(*texts: str | None) -> str | None:
    if any(t is None for t in texts):
        return None
    values = [_parsed(t) for t in texts if t is not None]
    if any(v is _INVALID for v in values):
        return None
    if all(isinstance(v, dict) for v in values):
        merged: dict[str, Any] = {}
        for v in values:
            merged.update(v)
        return _encode(merged)
    result: list[Any] = []
    for v in values:
        result.extend(v if isinstance(v, list) else [v])
    return _encode(result)


def _records(text: str) -> dict[str, str] | None:
    """String members come back as their text, other members as JSON text."""
    value = _parsed(text)
    if not isinstance(value, dict):
        return None
    return {k: v if isinstance(v, str) else _encode(v) for k, v in value.items()}


def _keys(text: str) -> list[str] | None:
    value = _parsed(text)
    return list(value) if isinstance(value, dict) else None


def _array_length(text: str) -> int | None:
    value = _parsed(text)
    return len(value) if isinstance(value, list) else None


def _items(text: str) -> list[str] | None:
    value = _parsed(text)
    return [_encode(v) for v in value] if isinstance(value, list) else None


def to_json_value(value: Any, sql: SqlType | None) -> Any:
    """A ksqlDB value as TO_JSON_STRING prepares it: times, dates and timestamps as their
    text, bytes as base64, struct fields and map keys sorted by name."""
    if value is None or sql is None:
        return value
    base = sql.base
    if base is Base.TIMESTAMP:
        return tp.format_timestamp(value)
    if base is Base.DATE:
        return tp.format_date(value)
    if base is Base.TIME:
        return tp.format_time(value)
    if base is Base.BYTES:
        return base64.b64encode(value).decode("ascii")
    if base is Base.ARRAY:
        return [to_json_value(v, sql.element) for v in value]
    if base is Base.MAP:
        entries = {str(k): to_json_value(v, sql.value) for k, v in value.items()}
        return dict(sorted(entries.items()))
    if base is Base.STRUCT:
        fields = sorted(sql.fields, key=lambda f: f.name)
        return {f.name: to_json_value(value.get(f.name), f.type) for f in fields}
    return value


def _bind_to_json(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[[Any], str]:
    source = arg_types[0]

    def run(value: Any) -> str:
        return _dumps(to_json_value(value, source))

    return run


def functions() -> list[ScalarFunction]:
    return [
        scalar(
            "EXTRACTJSONFIELD",
            CATEGORY,
            "The value at a JSONPath in a JSON string, as text.",
            variant("STRING input, STRING path -> STRING", _extract),
        ),
        scalar(
            "JSON_ARRAY_CONTAINS",
            CATEGORY,
            "Whether a JSON array contains a value.",
            variant("STRING jsonArray, T val -> BOOLEAN", _guard_contains, strict=False),
        ),
        scalar(
            "IS_JSON_STRING",
            CATEGORY,
            "Whether a string is valid JSON.",
            variant("STRING json -> BOOLEAN", _is_json, strict=False),
        ),
        scalar(
            "JSON_CONCAT",
            CATEGORY,
            "Merges JSON objects, or concatenates JSON arrays.",
            variant("STRING... jsonStrings -> STRING", _concat, strict=False),
        ),
        scalar(
            "JSON_RECORDS",
            CATEGORY,
            "The fields of a JSON object as a map of JSON texts.",
            variant("STRING jsonObj -> MAP<STRING, STRING>", _records),
        ),
        scalar(
            "JSON_KEYS",
            CATEGORY,
            "The keys of a JSON object.",
            variant("STRING jsonObj -> ARRAY<STRING>", _keys),
        ),
        scalar(
            "JSON_ARRAY_LENGTH",
            CATEGORY,
            "The length of a JSON array.",
            variant("STRING jsonArray -> INT", _array_length),
        ),
        scalar(
            "JSON_ITEMS",
            CATEGORY,
            "The items of a JSON array as JSON texts.",
            variant("STRING jsonArray -> ARRAY<STRING>", _items),
        ),
        scalar(
            "TO_JSON_STRING",
            CATEGORY,
            "A value as JSON text.",
            variant("T input -> STRING", bind=_bind_to_json, strict=False),
        ),
    ]


def _guard_contains(text: str | None, value: Any) -> bool:
    return False if text is None else _array_contains(text, value)
