"""CONDITIONAL functions: COALESCE, IFNULL, NULLIF."""

from __future__ import annotations

from typing import Any

from tote.sql.functions.base import ScalarFunction, scalar, variant

CATEGORY = "CONDITIONAL"


def _coalesce(*values: Any) -> Any:
    for value in values:
        if value is not None:
            return value
    return None


def _ifnull(value: Any, alternative: Any) -> Any:
    return alternative if value is None else value


def _nullif(first: Any, second: Any) -> Any:
    return None if first is not None and first == second else first


def functions() -> list[ScalarFunction]:
    return [
        scalar(
            "COALESCE",
            CATEGORY,
            "The first non-NULL argument, or NULL if all are NULL.",
            variant("T first, T... others -> T", _coalesce, strict=False),
        ),
        scalar(
            "IFNULL",
            CATEGORY,
            "The first argument unless it is NULL, else the second.",
            variant("T expression, T altValue -> T", _ifnull, strict=False),
        ),
        scalar(
            "NULLIF",
            CATEGORY,
            "NULL if both arguments are equal, else the first.",
            variant("T expression1, T expression2 -> T", _nullif, strict=False),
        ),
    ]
