"""The SELECT list: default aliases (ksqlDB's AstSanitizer) and `*` / `s.*` / `x->*`.

Unaliased items are named as ksqlDB names them: a column reference keeps its name (or
`SOURCE_NAME` when the name exists in several joined sources), a struct dereference takes
the field name, anything else is `KSQL_COL_<n>`, numbered so as not to clash with source
columns.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tote.core.types import Base
from tote.sql.ast.expressions import ColumnRef, Dereference, Expression
from tote.sql.ast.queries import AllColumns, SelectItem, SingleColumn, StructAll
from tote.sql.errors import StatementError
from tote.sql.sources import RESERVED_NAMES

_NUMBERED = re.compile(r"^(?P<name>.*?)(?:_(?P<number>\d+))?$")
GENERATED = "KSQL_COL"


@dataclass(frozen=True, slots=True)
class SelectExpr:
    alias: str
    expression: Expression
    # Whether it came from `*` (ksqlDB drops unaliased window bounds only from those).
    from_star: bool = False


class AliasGenerator:
    """Names for unaliased expressions that never clash with the sources' columns."""

    def __init__(self, column_names: Iterable[str]) -> None:
        self._used: dict[str, set[int]] = {}
        for name in column_names:
            base, number = _split(name)
            self._used.setdefault(base, set()).add(number)
        self._next: dict[str, int] = {}

    def _take(self, prefix: str, drop_zero: bool) -> str:
        used = self._used.get(prefix, set())
        index = self._next.get(prefix, 0)
        while index in used:
            index += 1
        self._next[prefix] = index + 1
        return prefix if index == 0 and drop_zero else f"{prefix}_{index}"

    def take(self, prefix: str) -> str:
        """`prefix`, or `prefix_<n>` with the first n no source column uses."""
        return self._take(prefix, drop_zero=True)

    def next_generated(self) -> str:
        return self._take(GENERATED, drop_zero=False)

    def for_expression(self, expr: Expression) -> str:
        if isinstance(expr, Dereference):
            return self._take(_split(expr.field)[0], drop_zero=True)
        return self.next_generated()


def _split(name: str) -> tuple[str, int]:
    match = _NUMBERED.match(name)
    assert match is not None
    number = match.group("number")
    if number is None:
        return name, 0
    return match.group("name"), int(number)


def name_items(items: Sequence[SelectItem], generator: AliasGenerator,
               clashing: set[str], persistent: bool) -> list[SelectItem]:
    """Give every SingleColumn an alias (in order, sharing one generator)."""
    out: list[SelectItem] = []
    for item in items:
        if isinstance(item, SingleColumn):
            expr = item.expression
            if item.alias is not None:
                alias = item.alias
                _check_reserved(alias, expr, persistent, explicit=True)
            elif isinstance(expr, ColumnRef):
                alias = f"{expr.source}_{expr.name}" if (
                    expr.source is not None and expr.name in clashing) else expr.name
                _check_reserved(alias, expr, persistent, explicit=False)
            else:
                alias = generator.for_expression(expr)
            out.append(SingleColumn(expr, alias, span=item.span))
        else:
            out.append(item)
    return out


def _check_reserved(alias: str, expr: Expression, persistent: bool, explicit: bool) -> None:
    upper = alias.upper()
    if upper not in RESERVED_NAMES:
        return
    matches = isinstance(expr, ColumnRef) and expr.name.upper() == upper
    if not matches:
        raise StatementError(f"`{upper}` is a reserved column name. You cannot use it as an "
                             "alias for a column.")
    if persistent:
        raise StatementError(f"Reserved column name in select: `{upper}`. Please remove or "
                             "alias the column.")


def expand_struct_all(item: StructAll, struct_type: object) -> list[SelectExpr]:
    """`base->*`: one column per field of the struct."""
    from tote.core.types import SqlType

    if not isinstance(struct_type, SqlType) or struct_type.base is not Base.STRUCT:
        raise StatementError(f"Expected STRUCT type, got: {struct_type}")
    return [SelectExpr(f.name, Dereference(item.base, f.name, span=item.span))
            for f in struct_type.fields]


def is_all(item: SelectItem) -> bool:
    return isinstance(item, AllColumns)
