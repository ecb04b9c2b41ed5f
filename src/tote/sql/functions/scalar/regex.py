"""REGULAR EXPRESSION functions, with Java regex replacement syntax (`$1`) translated."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from tote.core.types import SqlType
from tote.sql.functions.base import ScalarFunction, scalar, variant

CATEGORY = "REGULAR EXPRESSION"


def _compiler() -> Callable[[str], re.Pattern[str]]:
    """Patterns compiled once per distinct text, per query (usually one constant)."""
    cache: dict[str, re.Pattern[str]] = {}

    def get(pattern: str) -> re.Pattern[str]:
        found = cache.get(pattern)
        if found is None:
            if len(cache) > 256:
                cache.clear()
            found = cache[pattern] = re.compile(_java_regex(pattern))
        return found

    return get


def _java_regex(pattern: str) -> str:
    """The few Java-only constructs: possessive/atomic are rare; `\\p{Alpha}` style classes."""
    classes = {
        r"\p{Alpha}": "[A-Za-z]",
        r"\p{Digit}": "[0-9]",
        r"\p{Alnum}": "[A-Za-z0-9]",
        r"\p{Upper}": "[A-Z]",
        r"\p{Lower}": "[a-z]",
        r"\p{Punct}": r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]""",
        r"\p{Space}": r"\s",
    }
    for java, python in classes.items():
        pattern = pattern.replace(java, python)
    # Java names groups `(?<name>...)`; Python spells it `(?P<name>...)`.
    return re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", pattern)


def _java_replacement(replacement: str) -> str:
    r"""Java's `$1` / `${name}` group references and `\$` escapes in Python's syntax."""
    out: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        if ch == "\\" and i + 1 < len(replacement):
            nxt = replacement[i + 1]
            out.append("\\\\" if nxt == "\\" else nxt)
            i += 2
        elif ch == "$" and i + 1 < len(replacement) and replacement[i + 1] == "{":
            end = replacement.index("}", i)
            out.append(f"\\g<{replacement[i + 2 : end]}>")
            i = end + 1
        elif ch == "$":
            j = i + 1
            while j < len(replacement) and replacement[j].isdigit():
                j += 1
            out.append(f"\\g<{replacement[i + 1 : j]}>")
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _bind_extract(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
    get = _compiler()

    def extract(pattern: str, text: str, group: int = 0) -> str | None:
        match = get(pattern).search(text)
        if match is None or group > (match.re.groups):
            return None
        return match.group(group)

    return extract


def _bind_extract_all(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
    get = _compiler()

    def extract_all(pattern: str, text: str, group: int = 0) -> list[str | None] | None:
        compiled = get(pattern)
        if group > compiled.groups:
            return None
        return [m.group(group) for m in compiled.finditer(text)]

    return extract_all


def _bind_replace(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
    get = _compiler()

    def replace(text: str, pattern: str, replacement: str) -> str:
        return get(pattern).sub(_java_replacement(replacement), text)

    return replace


def _bind_split(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
    get = _compiler()

    def split(text: str, pattern: str) -> list[str]:
        if pattern == "":
            return list(text)
        parts: list[str] = []
        start = 0
        for match in get(pattern).finditer(text):
            if match.end() == match.start() == 0:
                continue
            parts.append(text[start : match.start()])
            start = match.end()
        parts.append(text[start:])
        return parts

    return split


def functions() -> list[ScalarFunction]:
    return [
        scalar(
            "REGEXP_EXTRACT",
            CATEGORY,
            "The first substring matching the pattern (or its group).",
            variant("STRING pattern, STRING input -> STRING", bind=_bind_extract),
            variant("STRING pattern, STRING input, INT group -> STRING", bind=_bind_extract),
        ),
        scalar(
            "REGEXP_EXTRACT_ALL",
            CATEGORY,
            "Every substring matching the pattern (or its group).",
            variant("STRING pattern, STRING input -> ARRAY<STRING>", bind=_bind_extract_all),
            variant(
                "STRING pattern, STRING input, INT group -> ARRAY<STRING>", bind=_bind_extract_all
            ),
        ),
        scalar(
            "REGEXP_REPLACE",
            CATEGORY,
            "Replaces every match of the pattern.",
            variant("STRING input, STRING regex, STRING replacement -> STRING", bind=_bind_replace),
        ),
        scalar(
            "REGEXP_SPLIT_TO_ARRAY",
            CATEGORY,
            "Splits a string around matches of the pattern.",
            variant("STRING input, STRING regex -> ARRAY<STRING>", bind=_bind_split),
        ),
    ]
