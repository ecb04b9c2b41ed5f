"""Argument checks shared by the aggregates, with ksqlDB's "does not accept" message."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tote.core.types import Base, SqlType
from tote.sql.functions.resolution import NoMatchingVariant


def describe_args(types: Sequence[SqlType], literals: Sequence[Any]) -> str:
    parts = [str(x).replace("`", "") for x in types]
    for value in literals:
        parts.append(_literal_type(value))
    return "(" + ", ".join(parts) + ")"


def _literal_type(value: Any) -> str:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, str):
        return "STRING"
    return "null" if value is None else type(value).__name__.upper()


def check_args(
    name: str,
    types: Sequence[SqlType],
    literals: Sequence[Any],
    *,
    value_count: int,
    max_literals: int,
    bases: Sequence[Base] | None = None,
) -> None:
    ok = len(types) == value_count and len(literals) <= max_literals
    if ok and bases is not None:
        ok = all(x.base in bases for x in types)
    if not ok:
        raise NoMatchingVariant(
            f"Function '{name}' does not accept parameters {describe_args(types, literals)}."
        )
