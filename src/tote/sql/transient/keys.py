"""Which keys a pull query's WHERE clause pins, and ksqlDB's rules when scans are off.

The WHERE clause is read as a disjunction of conjunctions. A disjunct pins the table's
key when each key column is compared with `=` (or `IN`) to an expression without
columns; if every disjunct pins it, the query is answered by key lookups (the whole
predicate is still applied to the rows found). Otherwise the table is scanned, unless
`ksql.query.pull.table.scan.enabled` is false: then the WHERE clause must have the
shape ksqlDB's key-lookup planner accepts, with its error messages. A lone bound
(`<`, `<=`, `>`, `>=`) on a single STRING or BYTES key is a range scan, which ksqlDB
allows without table scans while `ksql.query.pull.range.scan.enabled` is on (not on
windowed tables); tote answers it by filtering the table's rows.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from tote.core.errors import SqlError
from tote.core.types import Base, SqlType
from tote.sql.analyzer.query.rewrite import column_refs
from tote.sql.ast.expressions import (
    ColumnRef,
    Comparison,
    ComparisonOp,
    Expression,
    InList,
    Like,
    LogicalBinary,
    LogicalOp,
    NullLiteral,
    StringLiteral,
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


def check_like(where: Expression, source: DataSource, scan_enabled: bool) -> None:
    """ksqlDB's pull-query rules for LIKE, checked before the WHERE clause is typed: a
    LIKE must test a STRING column against a text pattern; with table scans off, one that
    tests no column is refused (only a scan could answer it)."""
    for disjunct in disjuncts(where):
        for like in conjuncts(disjunct):
            if not isinstance(like, Like):
                continue
            if not isinstance(like.value, ColumnRef):
                if not scan_enabled:
                    raise StatementError("Like condition must be between strings. ")
                continue
            column = source.column(like.value.name)
            if column is None:
                continue
            if column.type.base is not Base.STRING:
                raise StatementError("The column type for Like condition must be VARCHAR. "
                                     f"The column type is {column.type.base.value}. ")
            if not isinstance(like.pattern, (StringLiteral, NullLiteral)):
                raise StatementError("Like condition on non-string pattern "
                                     f"{format_expression(like.pattern)}. ")


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


_RANGE = "range"  # a disjunct that bounds its single key: a range scan
_EQUAL = (None, ComparisonOp.EQUAL)
_NOT_KEY = (ComparisonOp.NOT_EQUAL, ComparisonOp.IS_DISTINCT_FROM)
_RANGE_TYPES = (Base.STRING, Base.BYTES)


class KeyAnalysis:
    def __init__(self, source: DataSource, functions: FunctionRegistry,
                 scan_enabled: bool, range_enabled: bool = True) -> None:
        self.source = source
        self.keys = [c.name for c in source.key_columns]
        self.key_types = [c.type for c in source.key_columns]
        self.functions = functions
        self.scan_enabled = scan_enabled
        self.range_enabled = range_enabled

    def lookups(self, where: Expression | None) -> list[tuple[Any, ...]] | None:
        """The key tuples to look up, or None for a scan."""
        if where is None:
            if not self.scan_enabled:
                raise StatementError("Pull queries on tables require a WHERE clause that "
                                     "pins the key (table scans are disabled).")
            return None
        if not self.keys:
            return None
        pinned: list[dict[int, list[_Pin]]] = []
        for disjunct in disjuncts(where):
            pins = self._validate(disjunct)
            if pins is None:
                return None
            pinned.append(pins)
        constraints = [self._constraint(pins) for pins in pinned]
        if all(isinstance(c, list) for c in constraints):
            out = [key for c in constraints if isinstance(c, list) for key in c]
            unique: dict[str, tuple[Any, ...]] = {repr(k): k for k in out}
            return list(unique.values())
        ranged = constraints == [_RANGE] and self.range_enabled \
            and self.source.window is None
        if not ranged and not self.scan_enabled:
            raise StatementError("Query requires table scan to be enabled. Table scans can "
                                 "be enabled by setting ksql.query.pull.table.scan.enabled=true")
        return None

    def _validate(self, disjunct: Expression) -> dict[int, list[_Pin]] | None:
        """The disjunct's key comparisons by key column; None when only a scan answers
        it (scans on), or the error ksqlDB's planner gives (scans off)."""
        pins: dict[int, list[_Pin]] = {}
        strict = not self.scan_enabled
        for conjunct in conjuncts(disjunct):
            pin = self._pin(conjunct)
            if pin is None:
                continue
            if pin.op in _NOT_KEY:
                if not strict:
                    return None
                key = self.source.key_columns[pin.column]
                raise StatementError(f"Bound on key columns '[`{key.name}` {key.type} "
                                     "KEY]' must currently be '='. ")
            if pin.column in pins and strict:
                raise StatementError(
                    "A comparison condition on the key column cannot be combined with "
                    "other comparisons such as an IN predicate")
            pins.setdefault(pin.column, []).append(pin)
        if not pins:
            if not strict:
                return None
            raise StatementError("WHERE clause missing key column for disjunct: "
                                 f"{format_expression(disjunct)}")
        if len(pins) < len(self.keys):
            if not strict:
                return None
            specified = ", ".join(f"`{self.keys[i]}`" for i in sorted(pins))
            expected = ", ".join(f"`{c.name}` {c.type} KEY" for c in self.source.key_columns)
            raise StatementError(
                "Multi-column sources must specify every key in the WHERE clause. "
                f"Specified: [{specified}] Expected: [{expected}]. ")
        return pins

    def _constraint(self, pins: dict[int, list[_Pin]]) -> list[tuple[Any, ...]] | str | None:
        """Key tuples to look up, `_RANGE`, or None (a scan) for one disjunct's pins."""
        choices: list[list[Any]] = []
        bounded = False
        for column in range(len(self.keys)):
            found = pins.get(column, [])
            equal = [p for p in found if p.op in _EQUAL]
            for pin in found:
                if pin.op not in _EQUAL:
                    bounded = True
                    for value in pin.values:
                        self._constant(value, column)
            if not equal:
                continue
            values = [self._constant(v, column) for v in equal[0].values]
            for other in equal[1:]:
                allowed = [self._constant(v, column) for v in other.values]
                values = [v for v in values if v in allowed]
            choices.append(values)
        if len(choices) == len(self.keys):
            return [tuple(combo) for combo in itertools.product(*choices)]
        if bounded and len(self.keys) == 1 and self.key_types[0].base in _RANGE_TYPES:
            return _RANGE
        return None

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

