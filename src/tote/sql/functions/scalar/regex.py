"""REGULAR EXPRESSION functions: Java patterns and `Matcher` replacement syntax (`$1`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from tote.core.java.regex import compile_java, find_all, replace_all
from tote.core.java.regex import split as java_split
from tote.core.types import SqlType
from tote.sql.functions.base import ScalarFunction, scalar, variant

CATEGORY = "REGULAR EXPRESSION"


def _compiler() -> Callable[[str], re.Pattern[str]]:
    """Java patterns (`tote.core.java.regex`), compiled once per distinct text."""
    return compile_java


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
        return [m.group(group) for m in find_all(compiled, text)]

    return extract_all


def _bind_replace(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
    get = _compiler()

    def replace(text: str, pattern: str, replacement: str) -> str:
        return replace_all(get(pattern), text, replacement)

    return replace


def _bind_split(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
    get = _compiler()

    def split(text: str, pattern: str) -> list[str]:
        compiled = get(pattern)
        if compiled.fullmatch("") is not None:
            return java_split(compiled, text)
        return _guava_split(compiled, text)

    return split


def _guava_split(regex: re.Pattern[str], text: str) -> list[str]:
    """Guava's `Splitter.on(pattern).splitToList(text)`, which ksqlDB uses for a pattern
    that cannot match "": trailing empty pieces kept, and an empty match where the piece
    starts skipped, searching one character further on."""
    pieces: list[str] = []
    piece_start = offset = 0
    while offset >= 0:
        match = regex.search(text, offset)
        end, offset = (len(text), -1) if match is None else (match.start(), match.end())
        if offset == piece_start:
            offset = offset + 1 if offset < len(text) else -1
            continue
        pieces.append(text[piece_start:end])
        piece_start = offset
    return pieces


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
