"""GROUP BY: validation (ksqlDB's AggregateAnalyzer), key naming and the aggregate stage.

The input is re-keyed by the grouping expressions (through a repartition topic unless it
is already keyed by exactly them), aggregated per key, and optionally filtered by HAVING.
SELECT and HAVING are rewritten against the aggregate's output: a sub-expression equal
to a grouping expression becomes that key column, each aggregate call its result column.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from tote.core.types import Base, SqlType
from tote.sql.analyzer.query.aggregate_inputs import aggregate_inputs
from tote.sql.analyzer.query.filters import check_filter, check_predicate_code
from tote.sql.analyzer.query.keys import KeyOrigin, duplicate_group_key_message
from tote.sql.analyzer.query.rewrite import replace, text, unqualify
from tote.sql.analyzer.query.select import AliasGenerator, SelectExpr
from tote.sql.ast.expressions import ColumnRef, Expression, FunctionCall
from tote.sql.ast.nodes import Node as AstNode
from tote.sql.ast.nodes import children
from tote.sql.ast.queries import Window
from tote.sql.errors import StatementError, located
from tote.sql.functions import FunctionRegistry
from tote.sql.planner.logical import AggregateCall, AggregateNode, FilterNode, Node, RekeyNode
from tote.sql.planner.schema import Col, Schema
from tote.sql.planner.windows import window_spec
from tote.sql.sources import WINDOW_BOUNDS

TypeOf = Callable[[Expression, Schema], SqlType]


@dataclass(frozen=True)
class Aggregation:
    node: Node
    selects: tuple[SelectExpr, ...]
    origin: KeyOrigin


# Aggregates whose intermediate state is a STRUCT, which ksqlDB's internal topics hold in
# the source's value format (DELIMITED cannot).
_STRUCT_STATE = frozenset({"AVG", "STDDEV_SAMP", "STDDEV_SAMPLE", "CORRELATION"})
# An aggregate returning one of these holds it as its intermediate state too.
_CONTAINERS = frozenset({Base.ARRAY, Base.MAP, Base.STRUCT})


class _Analyzer:
    """Collects aggregate calls and the non-aggregate references ksqlDB refuses."""

    def __init__(self, functions: FunctionRegistry, group_by: Sequence[Expression],
                 windowed: bool) -> None:
        self.functions = functions
        self.group_by = list(group_by)
        self.group_set = set(group_by)
        self.windowed = windowed
        if windowed:
            self.group_set |= {ColumnRef(n) for n in WINDOW_BOUNDS}
        self.calls: list[FunctionCall] = []

    def _bound(self, node: AstNode) -> None:
        """A windowed aggregation computes the window bounds: only SELECT can use them."""
        if self.windowed and isinstance(node, ColumnRef) and node.name in WINDOW_BOUNDS:
            raise StatementError(
                f"Window bounds column {node.name} can only be used in the SELECT clause of "
                "windowed aggregations and can not be passed to aggregate functions.\n"
                "See https://github.com/confluentinc/ksql/issues/4397")

    def _walk(self, node: AstNode, in_group: bool, agg: str | None,
              loose: list[Expression]) -> None:
        if isinstance(node, Expression) and node in self.group_set:
            in_group = True
        if isinstance(node, FunctionCall):
            kind = self.functions.kind(node.name)
            if kind is None:
                raise StatementError(f"Can't find any functions with the name '{node.name}'")
            if kind == "AGGREGATE":
                if agg is not None:
                    raise StatementError(
                        f"Aggregate functions can not be nested: {agg}({node.name}())")
                if node not in self.calls:
                    self.calls.append(node)
                for child in children(node):
                    self._walk(child, in_group, node.name, loose)
                return
        if isinstance(node, ColumnRef):
            if agg is not None:
                self._bound(node)
            if agg is None and not in_group and node not in self.group_set \
                    and node.name not in WINDOW_BOUNDS:
                loose.append(node)
            return
        for child in children(node):
            self._walk(child, in_group, agg, loose)

    def select(self, expr: Expression) -> bool:
        """Walk a SELECT expression; True if it is not part of the GROUP BY."""
        loose: list[Expression] = []
        self._walk(expr, False, None, loose)
        return expr not in self.group_set and bool(loose)

    def having(self, expr: Expression) -> list[Expression]:
        for node in _all(expr):
            self._bound(node)
        loose: list[Expression] = []
        self._walk(expr, False, None, loose)
        return loose

    def group(self, expr: Expression) -> None:
        for node in _all(expr):
            self._bound(node)
            if isinstance(node, FunctionCall) and self.functions.is_aggregate(node.name):
                raise StatementError(f"GROUP BY does not support aggregate functions: "
                                     f"{node.name} is an aggregate function.")


def _no_window_bounds(selects: Sequence[SelectExpr]) -> None:
    for select in selects:
        for node in _all(select.expression):
            if isinstance(node, ColumnRef) and node.name in WINDOW_BOUNDS:
                span = node.span
                raise located(f"SELECT column '{node.name}' cannot be resolved.",
                              span.line or None, span.column or None)


def _all(node: AstNode) -> list[AstNode]:
    out = [node]
    for child in children(node):
        out.extend(_all(child))
    return out


def aggregate(source: Node, group_by: Sequence[Expression], selects: Sequence[SelectExpr],
              having: Expression | None, window: Window | None, *, functions: FunctionRegistry,
              type_of: TypeOf, generator: AliasGenerator, default_arg: ColumnRef,
              show: Callable[[Expression], Expression], table_source: bool,
              written: Sequence[Expression] = (), value_format: str = "",
              join: bool = False, emit_final: bool = False,
              where: Expression | None = None,
              function_settings: Mapping[str, str] | None = None) -> Aggregation:
    """Plan GROUP BY over `source` (already filtered by WHERE). `written` are the grouping
    expressions qualified by source, as ksqlDB prints duplicates. The window bounds of a
    windowed aggregation can be selected unless the query is a join (ksqlDB cannot
    resolve them there)."""
    if join:
        _no_window_bounds(selects)
    seen: list[Expression] = []
    for index, expr in enumerate(group_by):
        if expr in seen:
            shown = written[index] if index < len(written) else expr
            raise StatementError(f"Duplicate GROUP BY expression: {text(shown)}")
        seen.append(expr)
    analyzer = _Analyzer(functions, group_by, window is not None)
    not_grouped = [s.expression for s in selects if analyzer.select(s.expression)]
    for expr in group_by:
        analyzer.group(expr)
    having_loose = analyzer.having(having) if having is not None else []
    if not analyzer.calls:
        raise StatementError(
            "GROUP BY requires aggregate functions in either the SELECT or HAVING clause.")
    if not_grouped:
        raise StatementError(
            "Non-aggregate SELECT expression(s) not part of GROUP BY: "
            + ", ".join(text(show(e)) for e in not_grouped)
            + "\nEither add the column(s) to the GROUP BY or remove them from the SELECT.")
    if having_loose:
        raise StatementError(
            "Non-aggregate HAVING expression not part of GROUP BY: "
            + ", ".join(text(show(e)) for e in having_loose)
            + "\nConsider switching the HAVING clause to a WHERE clause before the GROUP BY.")
    if having is not None:
        check_filter(having, source.schema.scope("HAVING"), functions, "HAVING", join=join,
                     codegen=False)
    if table_source:
        unsafe = [c.name for c in analyzer.calls if not functions.aggregate(c.name).table_safe]
        if unsafe:
            names = list(dict.fromkeys(unsafe))
            listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
            raise StatementError(
                f"The aggregation functions {listed} cannot be applied to a table source, "
                "only to a stream source.")

    if window is not None:
        if table_source:
            raise StatementError("Windowing not supported for table aggregations.")
        window_spec(window, final=emit_final)
    key_names = _key_names(group_by, selects, generator)
    rekeyed = _rekey(source, group_by, type_of, table_source)
    key_cols = tuple(Col(name, type_of(expr, source.schema), None)
                     for name, expr in zip(key_names, group_by, strict=True))
    calls: list[AggregateCall] = []
    agg_cols: list[Col] = []
    for index, call in enumerate(analyzer.calls):
        actual = call if call.args else FunctionCall(call.name, (default_arg,), span=call.span)
        column = f"KSQL_AGG_VARIABLE_{index}"
        calls.append(AggregateCall(actual, column))
        agg_cols.append(Col(column, type_of(actual, rekeyed.schema), None))
    if value_format == "DELIMITED" and any(
            c.name in _STRUCT_STATE or col.type.base in _CONTAINERS
            for c, col in zip(analyzer.calls, agg_cols, strict=True)):
        raise StatementError(
            "One of the functions used in the statement has an intermediate type that the "
            "value format can not handle. Please remove the function or change the format.")
    values = list(key_cols) + agg_cols
    if window is not None:
        values += [Col(n, t, None) for n, t in WINDOW_BOUNDS.items()]
    agg_schema = Schema(key_cols, tuple(values))
    input_columns, input_calls = aggregate_inputs(
        [*(s.expression for s in selects), where, *group_by, having], default_arg, functions)
    node: Node = AggregateNode("Aggregate", agg_schema, True, rekeyed, tuple(calls), window,
                               emit_final and window is not None, input_columns, input_calls,
                               tuple(sorted((function_settings or {}).items())))

    def swap(expr: Expression) -> Expression | None:
        for name, group in zip(key_names, group_by, strict=True):
            if expr == group:
                return ColumnRef(name, span=expr.span)
        if isinstance(expr, FunctionCall) and expr in analyzer.calls:
            return ColumnRef(calls[analyzer.calls.index(expr)].column, span=expr.span)
        if isinstance(expr, ColumnRef) and expr.name in WINDOW_BOUNDS:
            return ColumnRef(expr.name, span=expr.span)
        return None

    rewritten = tuple(SelectExpr(s.alias, replace(s.expression, swap), s.from_star)
                      for s in selects)
    if having is not None:
        predicate = replace(having, swap)
        check_predicate_code(predicate, agg_schema.scope(), functions)
        node = FilterNode("Aggregate-HavingFilter", agg_schema, True, node, predicate)
    origin = KeyOrigin("group", tuple(show(g) for g in group_by), names=tuple(key_names))
    return Aggregation(node, rewritten, origin)


def _key_names(group_by: Sequence[Expression], selects: Sequence[SelectExpr],
               generator: AliasGenerator) -> list[str]:
    names: list[str] = []
    for expr in group_by:
        found = [s.alias for s in selects if s.expression == expr]
        if len(found) > 1:
            raise StatementError(duplicate_group_key_message(found))
        if found:
            names.append(found[0])
        elif isinstance(expr, ColumnRef):
            names.append(expr.name)
        else:
            names.append(generator.for_expression(expr))
    return names


def _rekey(source: Node, group_by: Sequence[Expression], type_of: TypeOf,
           table_source: bool) -> Node:
    """Key the input by the grouping expressions (a no-op when it already is)."""
    if not source.is_table and len(group_by) == 1 and len(source.schema.key) == 1 \
            and isinstance(group_by[0], ColumnRef):
        try:
            slot = source.schema.scope().resolve(group_by[0]).slot
        except Exception:  # noqa: BLE001 - reported when typing the expression
            slot = -1
        if slot in source.schema.key_groups()[0] and \
                group_by[0].name == source.schema.key[0].name:
            return source
    keys: list[Col] = []
    groups: list[tuple[int, ...]] = []
    values = list(source.schema.value)
    appended: list[bool] = []
    scope = source.schema.scope()
    for index, expr in enumerate(group_by):
        if isinstance(expr, ColumnRef):
            slot = scope.resolve(expr).slot
            keys.append(values[slot])
            groups.append((slot,))
            appended.append(False)
        else:
            col = Col(f"KSQL_GRP_{index}", type_of(expr, source.schema), None)
            values.append(col)
            keys.append(col)
            groups.append((len(values) - 1,))
            appended.append(True)
    schema = Schema(tuple(keys), tuple(values), tuple(groups))
    return RekeyNode("Aggregate-GroupBy", schema, source.is_table, source, tuple(group_by),
                     tuple(appended), True)


def unqualified(expr: Expression) -> Expression:
    return unqualify(expr)
