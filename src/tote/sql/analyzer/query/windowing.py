"""What ksqlDB checks of a WINDOW clause outside GROUP BY, and of EMIT FINAL.

A windowed aggregation computes its window bounds, so WHERE (which runs before it)
cannot see them. EMIT CHANGES (the default of persistent queries) emits every change;
EMIT FINAL emits each window's row once, when the window closes, which ksqlDB allows on
windowed aggregations only (the aggregate itself holds the rows back, see
`runtime.operators.windowed`).
"""

from __future__ import annotations

from tote.sql.ast.expressions import ColumnRef, Expression
from tote.sql.ast.nodes import walk
from tote.sql.ast.queries import OutputRefinement, Query
from tote.sql.errors import StatementError, located
from tote.sql.planner.schema import Schema
from tote.sql.sources import WINDOW_BOUNDS


def emits_final(query: Query) -> bool:
    return query.refinement is OutputRefinement.FINAL


def check_window_clause(query: Query) -> None:
    """A WINDOW clause needs a GROUP BY; EMIT FINAL needs both."""
    if query.window is not None and query.group_by is None:
        span = query.window.span
        raise located("WINDOW clause requires a GROUP BY clause.", span.line or None,
                      span.column or None)
    if emits_final(query) and (query.group_by is None or query.window is None):
        raise StatementError("EMIT FINAL is only supported for windowed aggregations.")


def check_where(query: Query, where: Expression, schema: Schema) -> None:
    """WHERE of a windowed aggregation over a source without window bounds."""
    if query.window is None:
        return
    for node in walk(where):
        if isinstance(node, ColumnRef) and node.name in WINDOW_BOUNDS \
                and schema.find(node.name) is None:
            raise StatementError(f"Error in WHERE expression: Unknown column {node.name}.")
