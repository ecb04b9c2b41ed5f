"""Table functions (UDTFs): EXPLODE and CUBE_EXPLODE, each returning the rows for one input."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from typing import Any

from tote.core.types import Base, SqlType
from tote.sql.functions.base import ResolvedTableFunction, TableFunction, variant
from tote.sql.functions.resolution import NoMatchingVariant

CUBE_MAX_COLUMNS = 20  # 2^20 rows per input row at most, as ksqlDB bounds it
# The signatures ksqlDB lists when no variant matches (its Java parameter names).
_EXPLODE_SIGNATURES = "explode(ARRAY<DECIMAL> input)\nexplode(ARRAY<T> list)"
_CUBE_SIGNATURES = "cube_explode(ARRAY<T> columns)"


def _explode(arg_types: Sequence[SqlType | None]) -> ResolvedTableFunction:
    if len(arg_types) != 1 or arg_types[0] is None or arg_types[0].base is not Base.ARRAY:
        raise NoMatchingVariant(_message("explode", arg_types, _EXPLODE_SIGNATURES))
    element = arg_types[0].element
    assert element is not None

    def explode(items: list[Any] | None) -> list[Any]:
        return [] if items is None else list(items)

    return ResolvedTableFunction(element, explode)


def _cube(arg_types: Sequence[SqlType | None]) -> ResolvedTableFunction:
    if len(arg_types) != 1 or arg_types[0] is None or arg_types[0].base is not Base.ARRAY:
        raise NoMatchingVariant(_message("cube_explode", arg_types, _CUBE_SIGNATURES))
    return ResolvedTableFunction(arg_types[0], cube_rows)


def cube_rows(items: list[Any] | None) -> list[list[Any]]:
    """Every combination of `items` and NULLs, from all NULL to all kept, counting up with
    the first element as the most significant bit; a combination that would keep a NULL
    element repeats one that masks it, so it is left out."""
    if items is None:
        return []
    if len(items) > CUBE_MAX_COLUMNS:
        raise ValueError(
            f"cube_explode: too many columns ({len(items)}); max is {CUBE_MAX_COLUMNS}")
    rows: list[list[Any]] = []
    for kept in product((False, True), repeat=len(items)):
        if any(keep and v is None for keep, v in zip(kept, items, strict=True)):
            continue
        rows.append([v if keep else None for keep, v in zip(kept, items, strict=True)])
    return rows


def _message(name: str, arg_types: Sequence[SqlType | None], signatures: str) -> str:
    """ksqlDB's no-match error, naming the function as declared (lower case)."""
    shown = ", ".join("null" if a is None else str(a).replace("`", "") for a in arg_types)
    return (
        f"Function '{name}' does not accept parameters ({shown}).\n"
        f"Valid alternatives are:\n{signatures}\n"
        "For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"
    )


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
