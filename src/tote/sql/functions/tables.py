"""Table functions (UDTFs): EXPLODE and CUBE_EXPLODE, each returning the rows for one input."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from typing import Any

from tote.core.types import Base, SqlType
from tote.sql.functions.base import ResolvedTableFunction, TableFunction, variant
from tote.sql.functions.resolution import NoMatchingVariant


def _explode(arg_types: Sequence[SqlType | None]) -> ResolvedTableFunction:
    if len(arg_types) != 1 or arg_types[0] is None or arg_types[0].base is not Base.ARRAY:
        raise NoMatchingVariant(_message("EXPLODE", arg_types))
    element = arg_types[0].element
    assert element is not None

    def explode(items: list[Any] | None) -> list[Any]:
        return [] if items is None else list(items)

    return ResolvedTableFunction(element, explode)


def _cube(arg_types: Sequence[SqlType | None]) -> ResolvedTableFunction:
    if len(arg_types) != 1 or arg_types[0] is None or arg_types[0].base is not Base.ARRAY:
        raise NoMatchingVariant(_message("CUBE_EXPLODE", arg_types))

    def cube(items: list[Any] | None) -> list[Any]:
        if items is None:
            return []
        rows: list[list[Any]] = []
        for mask in product((False, True), repeat=len(items)):
            rows.append([None if masked else v for masked, v in zip(mask, items, strict=True)])
        unique: list[list[Any]] = []
        for row in rows:
            if row not in unique:
                unique.append(row)
        return unique

    return ResolvedTableFunction(arg_types[0], cube)


def _message(name: str, arg_types: Sequence[SqlType | None]) -> str:
    shown = ", ".join("null" if a is None else str(a).replace("`", "") for a in arg_types)
    return f"Function '{name}' does not accept parameters ({shown})."


def functions() -> list[TableFunction]:
    return [
        TableFunction(
            "EXPLODE",
            "Explodes an array into one row per element.",
            (variant("ARRAY<T> list -> T"),),
            _explode,
        ),
        TableFunction(
            "CUBE_EXPLODE",
            "Every combination of the array's elements and NULLs.",
            (variant("ARRAY<T> list -> ARRAY<T>"),),
            _cube,
        ),
    ]
