"""Sorting and filtering a table's rows for the database browser, as SQLAlchemy clauses.

Column names are checked against the reflected table (never spliced into SQL), and a
filter's value is converted to the column's Python type first, so `>9` on a number
column compares numbers and a bad value is a clear BadFilter rather than a database error.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, Table, and_, cast, true
from sqlalchemy.sql.elements import ColumnElement

from tote.core.errors import BadRequest

_COMPARISONS = ("<=", ">=", "!=", "<>", "=", "<", ">")


class UnknownColumn(BadRequest):
    error_code = 40002


class BadFilter(BadRequest):
    error_code = 40003


@dataclass(frozen=True, slots=True)
class RowQuery:
    """Which rows of a table: sort column (or None), direction, and per-column filters.

    A filter is `text` (case-insensitive substring), or `=v`, `!=v`, `<v`, `<=v`, `>v`,
    `>=v` compared with the column's own type, or `NULL` / `!NULL`.
    """

    sort: str | None = None
    descending: bool = False
    filters: Mapping[str, str] | None = None


def column_of(table: Table, name: str) -> Any:
    if name not in table.columns:
        raise UnknownColumn(f"Table '{table.name}' has no column '{name}'.")
    return table.columns[name]


def where_clause(table: Table, filters: Mapping[str, str]) -> ColumnElement[bool]:
    clauses = [_condition(table, name, spec) for name, spec in filters.items()
               if spec.strip()]
    return and_(true(), *clauses)


def _condition(table: Table, name: str, spec: str) -> ColumnElement[bool]:
    column = column_of(table, name)
    text_ = spec.strip()
    if text_.upper() == "NULL":
        return column.is_(None)  # type: ignore[no-any-return]
    if text_.upper() == "!NULL":
        return column.is_not(None)  # type: ignore[no-any-return]
    op = next((o for o in _COMPARISONS if text_.startswith(o)), None)
    if op is None:
        escaped = text_.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return cast(column, String).ilike(f"%{escaped}%", escape="\\")
    value = _typed(table.name, column, text_[len(op):].strip())
    comparisons = {"=": column == value, "!=": column != value, "<>": column != value,
                   "<": column < value, "<=": column <= value, ">": column > value,
                   ">=": column >= value}
    return comparisons[op]  # type: ignore[no-any-return]


def _typed(table: str, column: Any, raw: str) -> Any:
    """`raw` converted to the column's Python type, so comparisons are numeric/temporal."""
    try:
        kind = column.type.python_type
    except NotImplementedError:
        return raw
    converters: dict[type, Any] = {
        int: int, float: float, decimal.Decimal: decimal.Decimal,
        bool: lambda v: {"true": True, "false": False, "1": True, "0": False}[v.lower()],
        datetime.date: datetime.date.fromisoformat,
        datetime.datetime: datetime.datetime.fromisoformat,
        datetime.time: datetime.time.fromisoformat,
    }
    convert = converters.get(kind)
    if convert is None:
        return raw
    try:
        return convert(raw)
    except (ValueError, KeyError, decimal.InvalidOperation):
        raise BadFilter(f"Filter on {table}.{column.name}: '{raw}' is not a valid "
                        f"{kind.__name__} value.") from None

