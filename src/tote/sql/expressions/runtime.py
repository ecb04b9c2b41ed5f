"""Helpers the generated code calls: ksqlDB's subscript rules, LIKE, and comparison domains.

Everything here is bound into the compiled function's globals by name, so the generated
source reads like `_array_at(row[3], 1)` and nothing is looked up per row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from tote.core.types import Base, SqlType
from tote.sql.functions.semantics import numbers as n
from tote.sql.functions.semantics import timeparse as tp


def array_at(items: list[Any], index: int) -> Any:
    """1-based subscript; negative counts from the end; out of range is NULL."""
    position = index - 1 if index >= 0 else len(items) + index
    if position < 0 or position >= len(items):
        return None
    return items[position]


class LikeError(ValueError):
    pass


def like_regex(pattern: str, escape: str | None) -> re.Pattern[str]:
    """ksqlDB's LikeEvaluator: `%` is any run, `_` any one character, escape makes the next
    character literal; everything else matches itself."""
    parts: list[str] = []
    literal: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            literal.append(ch)
            escaped = False
        elif escape is not None and ch == escape:
            escaped = True
        elif ch in "%_":
            parts.append(re.escape("".join(literal)))
            literal = []
            parts.append(".*" if ch == "%" else ".")
        else:
            literal.append(ch)
    if escaped:
        raise LikeError("LIKE pattern must not end with escape character")
    parts.append(re.escape("".join(literal)))
    return re.compile("".join(parts))


def like_matcher(escape: str | None) -> Callable[[str, str], bool]:
    """LIKE against a pattern computed per row (compiled patterns cached per query)."""
    cache: dict[str, re.Pattern[str]] = {}

    def matches(value: str, pattern: str) -> bool:
        compiled = cache.get(pattern)
        if compiled is None:
            if len(cache) > 256:
                cache.clear()
            compiled = cache[pattern] = like_regex(pattern, escape)
        return compiled.fullmatch(value) is not None

    return matches


def comparison_domain(
    left: SqlType, right: SqlType
) -> tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None]:
    """Converters that put both sides of a comparison in one Python domain, as ksqlDB does:
    DOUBLE meets DECIMAL as BigDecimal.valueOf(double); strings meet dates/times parsed;
    DATE meets TIMESTAMP at midnight UTC."""
    bases = {left.base, right.base}

    def side(own: SqlType) -> Callable[[Any], Any] | None:
        if Base.DECIMAL in bases and own.base is Base.DOUBLE:
            return n.decimal_from_double
        if Base.TIME in bases and own.base is Base.STRING:
            return tp.parse_time
        if Base.TIMESTAMP in bases:
            if own.base is Base.STRING:
                return tp.parse_timestamp
            if own.base is Base.DATE:
                return tp.date_to_timestamp
        if Base.DATE in bases and own.base is Base.STRING:
            return tp.parse_date
        return None

    return side(left), side(right)
