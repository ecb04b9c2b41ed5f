"""Parameter type patterns of function signatures, written as text like ksqlDB's UDF docs.

A signature is declared as `"ARRAY<T> arr, INT index -> T"`-style strings so each function
module stays a readable table. Patterns: concrete types (`INT`, `STRING`, ...), `DECIMAL`
and `STRUCT` meaning any precision/shape, single capital letters as generics, `ARRAY<p>`,
`MAP<p, p>`, lambdas `(p, p) => p` and `INTERVALUNIT` (a time unit keyword).
"""

from __future__ import annotations

from dataclasses import dataclass

from tote.core import types as t
from tote.core.types import Base, SqlType

_CONCRETE: dict[str, SqlType] = {
    "BOOLEAN": t.BOOLEAN,
    "INT": t.INTEGER,
    "INTEGER": t.INTEGER,
    "BIGINT": t.BIGINT,
    "DOUBLE": t.DOUBLE,
    "STRING": t.STRING,
    "VARCHAR": t.STRING,
    "BYTES": t.BYTES,
    "DATE": t.DATE,
    "TIME": t.TIME,
    "TIMESTAMP": t.TIMESTAMP,
}

# How ksqlDB names parameter types in "Valid alternatives" and DESCRIBE FUNCTION.
_PARAM_NAMES = {Base.STRING: "VARCHAR", Base.INTEGER: "INT"}


class Pattern:
    """Base of parameter type patterns."""


@dataclass(frozen=True, slots=True)
class Concrete(Pattern):
    type: SqlType

    def __str__(self) -> str:
        return _PARAM_NAMES.get(self.type.base, str(self.type))


@dataclass(frozen=True, slots=True)
class AnyOf(Pattern):
    """Any type with this base: `DECIMAL` of any precision, `STRUCT` of any fields."""

    base: Base

    def __str__(self) -> str:
        return self.base.value


@dataclass(frozen=True, slots=True)
class IntervalUnitParam(Pattern):
    """A time unit keyword (`DAYS`, `SECONDS`), ksqlDB's `TimeUnit` parameters."""

    def __str__(self) -> str:
        return "INTERVAL UNIT"


@dataclass(frozen=True, slots=True)
class Generic(Pattern):
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True, slots=True)
class ArrayOf(Pattern):
    element: Pattern

    def __str__(self) -> str:
        return f"ARRAY<{self.element}>"


@dataclass(frozen=True, slots=True)
class MapOf(Pattern):
    key: Pattern
    value: Pattern

    def __str__(self) -> str:
        return f"MAP<{self.key}, {self.value}>"


@dataclass(frozen=True, slots=True)
class LambdaOf(Pattern):
    params: tuple[Pattern, ...]
    result: Pattern

    def __str__(self) -> str:
        return f"LAMBDA ({', '.join(map(str, self.params))}) => {self.result}"


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    pattern: Pattern
    variadic: bool = False

    def __str__(self) -> str:
        suffix = "..." if self.variadic else ""
        return f"{self.pattern}{suffix}" + (f" {self.name}" if self.name else "")


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on `sep` outside <> and () nesting."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for i, ch in enumerate(text):
        if ch in "<(":
            depth += 1
        elif ch in ">)" and not (ch == ">" and i and text[i - 1] == "="):
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    tail = "".join(current).strip()
    if tail:
        parts.append(tail)
    return parts


def parse_pattern(text: str) -> Pattern:
    text = text.strip()
    if text.startswith("("):
        close = text.index(")")
        head, _, result = text[close + 1 :].partition("=>")
        assert not head.strip(), text
        params = tuple(parse_pattern(p) for p in split_top(text[1:close]))
        return LambdaOf(params, parse_pattern(result))
    upper = text.upper()
    if upper.startswith("ARRAY<"):
        return ArrayOf(parse_pattern(text[6:-1]))
    if upper.startswith("MAP<"):
        key, value = split_top(text[4:-1])
        return MapOf(parse_pattern(key), parse_pattern(value))
    if upper == "DECIMAL":
        return AnyOf(Base.DECIMAL)
    if upper == "STRUCT":
        return AnyOf(Base.STRUCT)
    if upper == "INTERVALUNIT":
        return IntervalUnitParam()
    if upper in _CONCRETE:
        return Concrete(_CONCRETE[upper])
    if len(text) == 1 and text.isupper():
        return Generic(text)
    raise ValueError(f"bad type pattern {text!r}")


def parse_params(text: str) -> tuple[Param, ...]:
    """`"STRING str, INT pos"` or `"T... values"` into parameters (names are optional)."""
    params: list[Param] = []
    for item in split_top(text):
        type_text, name = item, ""
        depth_free = item.rsplit(" ", 1)
        if len(depth_free) == 2 and depth_free[1].isidentifier() and ">" not in depth_free[1]:
            candidate_type = depth_free[0].strip()
            if not candidate_type.endswith("=>"):
                type_text, name = candidate_type, depth_free[1]
        variadic = type_text.endswith("...")
        if variadic:
            type_text = type_text[:-3]
        params.append(Param(name, parse_pattern(type_text), variadic))
    return tuple(params)
