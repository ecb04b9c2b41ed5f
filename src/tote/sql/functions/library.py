"""`default_functions()`: a new registry holding every built-in function."""

from __future__ import annotations

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.sql.functions import aggregates, tables
from tote.sql.functions.registry import Function, FunctionRegistry
from tote.sql.functions.scalar import (
    collections,
    conditional,
    datetimes,
    jsonfns,
    masks,
    maths,
    other,
    regex,
    strings,
    web,
)


def builtin_functions(clock: Clock = SYSTEM_CLOCK) -> list[Function]:
    found: list[Function] = []
    for module in (strings, masks, regex, maths, conditional, jsonfns, collections, other, web):
        found.extend(module.functions())
    found.extend(datetimes.functions(clock))
    found.extend(aggregates.functions())
    found.extend(tables.functions())
    return found


def default_functions(*, clock: Clock = SYSTEM_CLOCK) -> FunctionRegistry:
    return FunctionRegistry(builtin_functions(clock))
