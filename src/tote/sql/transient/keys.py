"""Which keys a pull query's WHERE clause pins, and ksqlDB's rules when scans are off.

The WHERE clause is read as a disjunction of conjunctions. A disjunct pins the table's
key when each key column is compared with `=` (or `IN`) to an expression without
columns; if every disjunct pins it, the query is answered by key lookups (the whole
predicate is still applied to the rows found). Otherwise the table is scanned, unless
`ksql.query.pull.table.scan.enabled` is false: then the WHERE clause must have the
shape ksqlDB's key-lookup planner accepts, with its error messages.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from tote.core.errors import SqlError
from tote.core.types import SqlType
from tote.sql.analyzer.query.rewrite import column_refs
from tote.sql.ast.expressions import (
    ColumnRef,
    Comparison,
    ComparisonOp,
    Expression,
    InList,
    LogicalBinary,
    LogicalOp,
    NullLiteral,
)
from tote.sql.errors import StatementError
from tote.sql.expressions import Scope, evaluate_constant, format_expression, type_of
from tote.sql.functions import FunctionRegistry
from tote.sql.functions.widening import can_widen
from tote.sql.sources import WINDOW_BOUNDS, DataSource


def disjuncts(expr: Expression) -> list[Expression]:
    if isinstance(expr, LogicalBinary) and expr.op is LogicalOp.OR:
        return disjuncts(expr.left) + disjuncts(expr.right)
    return [expr]


def conjuncts(expr: Expression) -> list[Expression]:
    if isinstance(expr, LogicalBinary) and expr.op is LogicalOp.AND:
        return conjuncts(expr.left) + conjuncts(expr.right)
    return [expr]


@dataclass(frozen=True)
class _Pin:
    column: int
    op: ComparisonOp | None  # None: IN
    values: tuple[Expression, ...]


def _flip(op: ComparisonOp) -> ComparisonOp:
    flips = {ComparisonOp.LESS_THAN: ComparisonOp.GREATER_THAN,
             ComparisonOp.GREATER_THAN: ComparisonOp.LESS_THAN,
             ComparisonOp.LESS_THAN_OR_EQUAL: ComparisonOp.GREATER_THAN_OR_EQUAL,
             ComparisonOp.GREATER_THAN_OR_EQUAL: ComparisonOp.LESS_THAN_OR_EQUAL}
    return flips.get(op, op)


class KeyAnalysis:
    def __init__(self, source: DataSource, functions: FunctionRegistry,
                 scan_enabled: bool) -> None:
        self.source = source
        self.keys = [c.name for c in source.key_columns]
        self.key_types = [c.type for c in source.key_columns]
        self.functions = functions
        self.scan_enabled = scan_enabled

    def lookups(self, where: Expression | None) -> list[tuple[Any, ...]] | None:
        """The key tuples to look up, or None for a scan."""
        if where is None:
            if not self.scan_enabled:
                raise StatementError("Pull queries on tables require a WHERE clause that "
                                     "pins the key (table scans are disabled).")
            return None
        if not self.keys:
            return None
        out: list[tuple[Any, ...]] = []
        for disjunct in disjuncts(where):
            keys = self._disjunct(disjunct)
            if keys is None:
                return None
            out.extend(keys)
        unique: dict[str, tuple[Any, ...]] = {repr(k): k for k in out}
        return list(unique.values())

    def _disjunct(self, disjunct: Expression) -> list[tuple[Any, ...]] | None:
        pins: dict[int, list[_Pin]] = {}
        for conjunct in conjuncts(disjunct):
            pin = self._pin(conjunct)
            if pin is not None:
                pins.setdefault(pin.column, []).append(pin)
        strict = not self.scan_enabled
        if strict:
            if not pins:
                raise StatementError("WHERE clause missing key column for disjunct: "
                                     f"{format_expression(disjunct)}")
            for column, found in pins.items():
                if len(found) > 1:
                    raise StatementError(
                        "A comparison condition on the key column cannot be combined with "
                        "other comparisons such as an IN predicate")
                if found[0].op not in (None, ComparisonOp.EQUAL):
                    key = self.source.key_columns[column]
                    raise StatementError(f"Bound on key columns '[`{key.name}` {key.type} "
                                         "KEY]' must currently be '='. ")
            if len(pins) < len(self.keys):
                raise StatementError(
                    "Multi-column sources must specify every key in the WHERE clause")
        choices: list[list[Any]] = []
        for column in range(len(self.keys)):
            equal = [p for p in pins.get(column, ()) if p.op in (None, ComparisonOp.EQUAL)]
            if not equal:
                return None
            values = [self._constant(v, column) for v in equal[0].values]
            for other in equal[1:]:
                allowed = [self._constant(v, column) for v in other.values]
                values = [v for v in values if v in allowed]
            choices.append(values)
        return [tuple(combo) for combo in itertools.product(*choices)]

    def _pin(self, conjunct: Expression) -> _Pin | None:
        strict = not self.scan_enabled
        if isinstance(conjunct, Comparison):
            refs = column_refs(conjunct)
            key_refs = [r for r in refs if r.name in self.keys]
            if not key_refs:
                return None
            for side, other, op in ((conjunct.left, conjunct.right, conjunct.op),
                                    (conjunct.right, conjunct.left, _flip(conjunct.op))):
                if isinstance(side, ColumnRef) and side.name in self.keys:
                    if column_refs(other):
                        if strict:
                            raise StatementError("A comparison must be between a key column "
                                                 "and a resolvable expression.")
                        return None
                    if isinstance(other, NullLiteral):
                        raise StatementError("Primary key columns can not be NULL: "
                                             f"{format_expression(conjunct)}")
                    return _Pin(self.keys.index(side.name), op, (other,))
            if strict:
                raise StatementError("A comparison must directly reference a key column.")
            return None
        if isinstance(conjunct, InList) and isinstance(conjunct.value, ColumnRef) \
                and conjunct.value.name in self.keys:
            column = self.keys.index(conjunct.value.name)
            for item in conjunct.items:
                if column_refs(item):
                    if strict:
                        raise StatementError("A comparison must be between a key column and "
                                             "a resolvable expression.")
                    return None
                if isinstance(item, NullLiteral):
                    equal = Comparison(ComparisonOp.EQUAL, conjunct.value, item)
                    raise StatementError("Primary key columns can not be NULL: "
                                         f"{format_expression(equal)}")
            return _Pin(column, None, conjunct.items)
        if strict and not _only_bounds(conjunct) and any(
                r.name in self.keys for r in column_refs(conjunct)):
            raise StatementError("A comparison must directly reference a key column.")
        return None

    def _constant(self, expr: Expression, column: int) -> Any:
        key_type: SqlType = self.key_types[column]
        key = self.source.key_columns[column]
        problem = StatementError(f"{format_expression(expr)} can not be converted to the type "
                                 f"of the key column: {key.name} {key.type} KEY")
        try:
            found = type_of(expr, Scope([]), self.functions)
            if found.base is not key_type.base and not can_widen(found, key_type):
                raise problem
            return evaluate_constant(expr, self.functions, key_type)
        except SqlError:
            raise problem from None


def _only_bounds(expr: Expression) -> bool:
    refs = column_refs(expr)
    return bool(refs) and all(r.name in WINDOW_BOUNDS for r in refs)

