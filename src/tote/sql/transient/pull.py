"""Pull queries on tables: WHERE and the projection applied to a table's current rows.

Only materialised tables answer (the result of CREATE TABLE AS SELECT, or a SOURCE
table), as in ksqlDB; their rows come from a `TableView`. Window bounds may be compared
with timestamp text (`WINDOWSTART >= '2020-02-23T23:45'`), which is read as UTC epoch
milliseconds (or with the offset the text carries) before the query is analysed.
"""

from __future__ import annotations

import threading
from dataclasses import replace as dc_replace

from tote.core.errors import SqlError
from tote.sql.analyzer.context import AnalysisContext
from tote.sql.analyzer.query.filters import bare_message
from tote.sql.analyzer.query.magic_time import parse_partial_timestamp
from tote.sql.analyzer.query.rewrite import column_refs, replace
from tote.sql.ast.expressions import (
    Between,
    BooleanLiteral,
    ColumnRef,
    Comparison,
    Expression,
    Like,
    LongLiteral,
    StringLiteral,
)
from tote.sql.ast.queries import AliasedRelation, AllColumns, Query, SingleColumn
from tote.sql.errors import StatementError
from tote.sql.expressions import format_expression, type_of
from tote.sql.expressions.scope import Scope
from tote.sql.planner.logical import FilterNode
from tote.sql.planner.schema import source_schema
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.transform import build_filter, build_project
from tote.sql.runtime.records import Push
from tote.sql.sources import ROWOFFSET, ROWPARTITION, WINDOW_BOUNDS, DataSource
from tote.sql.transient.builder import OutputColumn, TransientPlan
from tote.sql.transient.keys import KeyAnalysis, check_like
from tote.sql.transient.rows import Row, collector
from tote.sql.transient.views import TableView

# What ksqlDB adds to every refusal of a pull query's shape: the query may have been
# meant as a push query.
PULL_HELP = (" See https://cnfl.io/queries for more info.\n"
             "Add EMIT CHANGES if you intended to issue a push query.")
LIMIT_ENABLED = "ksql.query.pull.limit.clause.enabled"
# Pseudocolumns a pull query may not read: a table's state has no partition or offset.
NOT_IN_PULL = (ROWPARTITION, ROWOFFSET)


def check_pull(query: Query, limit_enabled: bool = True) -> None:
    """What ksqlDB refuses in a pull query, in its order, with its closing help."""
    problem = _pull_problem(query, limit_enabled)
    if problem is not None:
        raise StatementError(problem + PULL_HELP)


def _pull_problem(query: Query, limit_enabled: bool) -> str | None:
    if not isinstance(query.from_, AliasedRelation):
        return "Pull queries don't support JOIN clauses."
    if query.window is not None:
        return "Pull queries don't support WINDOW clauses."
    if query.group_by is not None:
        return "Pull queries don't support GROUP BY clauses."
    if query.partition_by is not None:
        return "Pull queries don't support PARTITION BY clauses."
    if query.having is not None:
        return "Pull queries don't support HAVING clauses."
    if query.limit is not None and not limit_enabled:
        return ("LIMIT clause in pull queries is currently disabled. You can enable them "
                f"by setting {LIMIT_ENABLED}=true.")
    if query.limit is not None and query.limit < 0:
        return "Pull queries don't support negative integers in the LIMIT clause."
    selected = [e.expression for e in query.select if isinstance(e, SingleColumn)]
    for clause, expressions in (("SELECT", selected), ("WHERE", [query.where])):
        names = [f"`{ref.name}`" for expr in expressions if expr is not None
                 for ref in column_refs(expr) if ref.name in NOT_IN_PULL]
        if names:
            return (f"Pull queries don't support the following columns in {clause} "
                    f"clauses: {', '.join(names)}\n")
    return None


def check_queryable(source: DataSource) -> None:
    """Only materialised tables answer pull queries: CREATE TABLE AS SELECT results and
    SOURCE tables."""
    if source.is_table and not (source.from_query or source.is_source):
        raise StatementError(
            f"The `{source.name}` table isn't queryable. To derive a queryable table, you "
            f"can do 'CREATE TABLE QUERYABLE_{source.name} AS SELECT * FROM {source.name}'. "
            "See https://cnfl.io/queries for more info.")


def check_where(where: Expression, source: DataSource, alias: str,
                ctx: AnalysisContext, scan_enabled: bool = True) -> None:
    """Type errors in a pull query's WHERE read as ksqlDB words them. Its analyzer types
    the clause without looking inside LIKE and BETWEEN (errors name the clause); its pull
    planner then checks each LIKE and types the whole clause ("Invalid expression")."""
    scope = source_schema(source, alias).scope("WHERE")
    shallow = replace(where, lambda node: BooleanLiteral(True, span=node.span)
                      if isinstance(node, (Like, Between)) else None)
    message = _type_error(shallow, scope, ctx)
    if message is not None:
        raise StatementError(f"Error in WHERE expression: {message}\n"
                             f"Statement: {format_expression(where)}")
    if source.is_table:
        check_like(where, source, scan_enabled)
    message = _type_error(where, scope, ctx)
    if message is not None:
        raise StatementError(f"Invalid expression: {message}")


def _type_error(expr: Expression, scope: Scope, ctx: AnalysisContext) -> str | None:
    """Why `expr` does not type, without the position; None if it does, or if it names a
    column the scope lacks (reported later, in the analyzer's words)."""
    try:
        type_of(expr, scope, ctx.functions)
    except SqlError as err:
        if "cannot be resolved" in err.message:
            return None
        return bare_message(err)
    return None


def bounds_as_millis(where: Expression | None) -> Expression | None:
    """Timestamp text compared with a window bound, as epoch milliseconds."""
    if where is None:
        return None

    def swap(node: Expression) -> Expression | None:
        if not isinstance(node, Comparison):
            return None
        sides = [node.left, node.right]
        if not any(isinstance(s, ColumnRef) and s.name in WINDOW_BOUNDS for s in sides):
            return None
        changed: list[Expression] = []
        for side in sides:
            millis = parse_partial_timestamp(side.value) \
                if isinstance(side, StringLiteral) else None
            changed.append(side if millis is None else LongLiteral(millis, span=side.span))
        return Comparison(node.op, changed[0], changed[1], span=node.span)

    return replace(where, swap)


class TablePull:
    """A pull query on a table, compiled once (filter, projection, the keys WHERE pins)
    and run as often as it is asked: a dashboard polling one lookup pays for the SQL
    once. Runs of one plan take turns (they share the operators' output list)."""

    def __init__(self, plan: TransientPlan, ctx: BuildContext, analysis: KeyAnalysis) -> None:
        self._rows: list[Row] = []
        self._lock = threading.Lock()
        projection = plan.projection
        push: Push = build_project(dc_replace(projection, is_table=False), ctx,
                                   collector(plan.columns, False, self._accept))
        where: Expression | None = None
        node = projection.input
        if isinstance(node, FilterNode):
            where = node.predicate
            push = build_filter(dc_replace(node, is_table=False), ctx, push)
        self._push = push
        self._keys = analysis.lookups(where)

    def _accept(self, row: Row) -> None:
        self._rows.append(row)

    def run(self, view: TableView) -> list[Row]:
        """The query over the view's current rows (looked up by key when WHERE pins
        it). Each current row is mapped once: stream semantics, no old rows."""
        with self._lock, view.lock:
            view.catch_up()
            return self._map(view)

    def run_now(self, view: TableView) -> list[Row] | None:
        """`run` if it cannot block: a key lookup on a view that is caught up and that
        nobody else is using; else None (then `run` it in a worker thread)."""
        if self._keys is None or not self._lock.acquire(blocking=False):
            return None
        try:
            if not view.lock.acquire(blocking=False):
                return None
            try:
                return self._map(view) if view.current() else None
            finally:
                view.lock.release()
        finally:
            self._lock.release()

    def _map(self, view: TableView) -> list[Row]:
        keys = self._keys
        rows = self._rows = []
        candidates = view.scan() if keys is None else (
            rec for key in keys for rec in view.lookup(key))
        for rec in list(candidates):
            self._push(rec)
        return rows


def star_schema(query: Query, source: DataSource, columns: tuple[OutputColumn, ...]
                ) -> str | None:
    """The header schema of `SELECT *` on a table with header columns, as ksqlDB prints
    it: keys, then the header columns with their `HEADER('k')` marks, then the values
    (the rows keep the source's column order). None when the plain text applies."""
    headers = {c.name: c for c in source.header_columns}
    if not headers or len(query.select) != 1 or not isinstance(query.select[0], AllColumns):
        return None
    keys = [f"`{c.name}` {c.type} KEY" for c in columns if c.is_key]
    values = [f"`{c.name}` {c.type}" for c in columns
              if not c.is_key and c.name not in headers]
    marked = [headers[c.name].render() for c in columns if c.name in headers]
    return ", ".join(keys + marked + values)
