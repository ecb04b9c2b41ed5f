"""Table functions in a SELECT (EXPLODE, CUBE_EXPLODE, user table functions): the FlatMap
stage.

As in ksqlDB, each distinct table function call of the SELECT list becomes a synthetic
column `KSQL_SYNTH_<n>` of a FlatMap stage placed after WHERE and PARTITION BY: one input
row gives as many output rows as the longest call returns, shorter results padded with
NULL. The SELECT expressions then read the synthetic columns, so a call may sit inside an
expression (`EXPLODE(items)->NAME`, `EXPLODE(a) + 1`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tote.core.types import SqlType
from tote.sql.analyzer.query.rewrite import replace
from tote.sql.analyzer.query.select import SelectExpr
from tote.sql.ast.expressions import ColumnRef, Expression, FunctionCall
from tote.sql.ast.nodes import walk
from tote.sql.errors import StatementError
from tote.sql.functions import FunctionRegistry
from tote.sql.planner.logical import FlatMapNode, Node
from tote.sql.planner.schema import Col, Schema

SYNTHETIC = "KSQL_SYNTH"
TypeOf = Callable[[Expression, Schema, str], SqlType]


def table_calls(exprs: Sequence[Expression], functions: FunctionRegistry) -> list[FunctionCall]:
    """The distinct table function calls in `exprs`, in order of appearance."""
    calls: list[FunctionCall] = []
    for expr in exprs:
        for node in walk(expr):
            if (
                isinstance(node, FunctionCall)
                and functions.is_table(node.name)
                and node not in calls
            ):
                calls.append(node)
    return calls


def flat_map(
    node: Node,
    selects: Sequence[SelectExpr],
    calls: Sequence[FunctionCall],
    *,
    functions: FunctionRegistry,
    type_of: TypeOf,
    grouped: bool,
) -> tuple[FlatMapNode, list[SelectExpr]]:
    """The FlatMap stage over `node` computing `calls`, and `selects` reading its columns."""
    if node.is_table:
        raise StatementError("Table source is not supported with table functions")
    if grouped:
        raise StatementError("Table functions cannot be used with aggregations.")
    for call in calls:
        for arg in call.args:
            nested = table_calls([arg], functions)
            if nested:
                raise StatementError(
                    f"Table functions cannot be nested: {call.name}({nested[0].name}())"
                )
    taken = {c.name for c in node.schema.value}
    names: list[str] = []
    index = 0
    for _ in calls:
        while f"{SYNTHETIC}_{index}" in taken:
            index += 1
        names.append(f"{SYNTHETIC}_{index}")
        index += 1
    columns = tuple(
        Col(name, type_of(call, node.schema, "SELECT"), None)
        for name, call in zip(names, calls, strict=True)
    )
    schema = Schema(node.schema.key, node.schema.value + columns, node.schema.equivalents)
    mapped = FlatMapNode("FlatMap", schema, False, node, tuple(calls))
    by_call = dict(zip(calls, names, strict=True))

    def swap(candidate: Expression) -> Expression | None:
        if isinstance(candidate, FunctionCall) and candidate in by_call:
            return ColumnRef(by_call[candidate], span=candidate.span)
        return None

    rewritten = [SelectExpr(s.alias, replace(s.expression, swap), s.from_star) for s in selects]
    return mapped, rewritten
