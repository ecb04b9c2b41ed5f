"""What ksqlDB's aggregation step records of its input, so CREATE OR REPLACE can compare it.

ksqlDB's StreamAggregate step keeps the input columns the query names ("columns not part
of aggregate": each column the SELECT, WHERE, GROUP BY and HAVING reference, in that order,
once; an aggregate called without arguments counts ROWTIME) and its aggregate calls as
its aggregation runs them: a per-row argument that is not a plain column becomes the
internal column `KSQL_INTERNAL_COL_<n>` (numbered after the input columns, in order of
first appearance), literal init arguments stay. Both shape the aggregate's state, so a
replacement must keep them (AggregateNode.InternalSchema, AggregateAnalyzer).
"""

from __future__ import annotations

from collections.abc import Sequence

from tote.sql.analyzer.query.rewrite import text, unqualify
from tote.sql.ast.expressions import ColumnRef, Expression, FunctionCall
from tote.sql.ast.nodes import Node, children
from tote.sql.functions import FunctionRegistry
from tote.sql.sources import WINDOW_BOUNDS

_INTERNAL = "KSQL_INTERNAL_COL_"


def aggregate_inputs(clauses: Sequence[Expression | None], default_arg: ColumnRef,
                     functions: FunctionRegistry
                     ) -> tuple[tuple[str, ...], tuple[FunctionCall, ...]]:
    """The input columns and internal aggregate calls of a GROUP BY whose `clauses` are
    the SELECT expressions, WHERE, GROUP BY expressions and HAVING, in that order."""
    columns: list[str] = []
    calls: list[FunctionCall] = []
    default = unqualify(default_arg)
    for clause in clauses:
        if clause is not None:
            _collect(unqualify(clause), default, functions, columns, calls)
    internal = {text(ColumnRef(name)): name for name in columns}
    for call in calls:
        for arg in call.args:
            key = text(arg)
            if key not in internal:
                internal[key] = (arg.name if isinstance(arg, ColumnRef)
                                 else f"{_INTERNAL}{len(internal)}")
    return tuple(columns), tuple(_internal_call(c, internal, functions) for c in calls)


def _collect(node: Node, default: Expression, functions: FunctionRegistry,
             columns: list[str], calls: list[FunctionCall]) -> None:
    """Walk as ksqlDB's AggregateVisitor does: pre-order, an argument-less aggregate
    taking the default argument before its arguments are visited."""
    if isinstance(node, FunctionCall) and functions.kind(node.name) == "AGGREGATE":
        if not node.args:
            node = FunctionCall(node.name, (default,), span=node.span)
        calls.append(node)
    if isinstance(node, ColumnRef):
        if node.name not in WINDOW_BOUNDS and node.name not in columns:
            columns.append(node.name)
        return
    for child in children(node):
        _collect(child, default, functions, columns, calls)


def _internal_call(call: FunctionCall, internal: dict[str, str],
                   functions: FunctionRegistry) -> FunctionCall:
    values = functions.aggregate(call.name).split(len(call.args))
    args = tuple(ColumnRef(internal[text(a)]) if i < values else a
                 for i, a in enumerate(call.args))
    return FunctionCall(call.name, args)
