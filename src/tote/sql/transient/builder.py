"""A transient query's SELECT, analysed into a logical plan with a flat projection.

Persistent queries split their projection into the sink's key and value and insist that
every key column is selected. A transient (push or pull) query answers with the selected
columns in SELECT order, keys or not, so this builder reuses the persistent analysis
(`QueryBuilder`) and replaces only the last step. `*` on a windowed source also selects
the window bounds, right after the key columns, as ksqlDB does for transient queries.
An aggregate without GROUP BY is grouped by a constant, so the whole stream is one group.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace as dc_replace

from tote.core.errors import SqlError
from tote.core.types import SqlType
from tote.sql.analyzer.context import AnalysisContext
from tote.sql.analyzer.query.build import BuiltQuery, QueryBuilder
from tote.sql.analyzer.query.keys import KeyOrigin
from tote.sql.analyzer.query.relations import Relations
from tote.sql.analyzer.query.select import SelectExpr
from tote.sql.ast.expressions import ColumnRef, IntegerLiteral
from tote.sql.ast.queries import Query
from tote.sql.errors import StatementError, as_statement_error
from tote.sql.planner.logical import Node, ProjectNode
from tote.sql.planner.schema import Col, Schema
from tote.sql.sources import PSEUDO_COLUMNS, WINDOW_BOUNDS

_BOUNDS = tuple(WINDOW_BOUNDS)


@dataclass(frozen=True, slots=True)
class OutputColumn:
    """One column of a transient query's answer.

    `key_index` is the position of the record key column it selects (plain references
    only), `bound` 0/1 for WINDOWSTART/WINDOWEND: what a table deletion (which has no
    value row) still knows, and what pull-query headers mark as `KEY`.
    """

    name: str
    type: SqlType
    key_index: int | None = None
    bound: int | None = None

    @property
    def is_key(self) -> bool:
        return self.key_index is not None or self.bound is not None


@dataclass(frozen=True)
class TransientPlan:
    built: BuiltQuery
    columns: tuple[OutputColumn, ...]

    @property
    def projection(self) -> ProjectNode:
        return self.built.projection

    @property
    def relations(self) -> Relations:
        return self.built.relations

    @property
    def is_table(self) -> bool:
        return self.built.projection.is_table


class TransientBuilder(QueryBuilder):
    persistent = False

    def __init__(self, query: Query, ctx: AnalysisContext) -> None:
        super().__init__(query, "TRANSIENT", ctx)
        self.columns: tuple[OutputColumn, ...] = ()

    def build(self) -> BuiltQuery:
        q = self.query
        if q.group_by is None and self._has_aggregates(q.select):
            self.query = dc_replace(q, group_by=(IntegerLiteral(1),))
        return super().build()

    def _project(self, node: Node, selects: list[SelectExpr], origin: KeyOrigin,
                 new_planner: bool) -> ProjectNode:
        del origin, new_planner
        schema = node.schema
        scope = schema.scope("SELECT")
        groups = schema.key_groups()
        columns: list[OutputColumn] = []
        seen: set[str] = set()
        for item in selects:
            sql_type = self.type_of(item.expression, schema, "SELECT")
            if item.alias in seen:
                raise StatementError(
                    f"Duplicate value columns found in schema: `{item.alias}` {sql_type}")
            seen.add(item.alias)
            key_index: int | None = None
            bound: int | None = None
            expr = item.expression
            if isinstance(expr, ColumnRef):
                try:
                    slot = scope.resolve(expr).slot
                except SqlError as err:
                    raise as_statement_error(err) from None
                key_index = next((i for i, g in enumerate(groups) if slot in g), None)
                if expr.name in _BOUNDS:
                    bound = _BOUNDS.index(expr.name)
            columns.append(OutputColumn(item.alias, sql_type, key_index, bound))
        self.columns = tuple(columns)
        result = Schema(schema.key, tuple(Col(c.name, c.type) for c in columns))
        return ProjectNode("Project", result, node.is_table, node,
                           tuple(item.expression for item in selects))

    def _star(self, source: str | None, node: Node, relations: Relations
              ) -> list[SelectExpr]:
        if relations.is_join:
            return super()._star(source, node, relations)
        if source is not None and relations.sources[0].alias != source:
            raise StatementError(f"Source `{source}` does not exist.")
        schema = node.schema
        key_names = [k.name for k in schema.key]
        out = [SelectExpr(k.name, ColumnRef(k.name), True) for k in schema.key]
        if relations.sources[0].source.window is not None:
            out += [SelectExpr(b, ColumnRef(b), True) for b in _BOUNDS
                    if schema.find(b) is not None]
        for col in schema.value:
            if col.name in key_names or col.name in PSEUDO_COLUMNS or col.name in _BOUNDS:
                continue
            out.append(SelectExpr(col.name, ColumnRef(col.name), True))
        return out


def build_transient(query: Query, ctx: AnalysisContext) -> TransientPlan:
    builder = TransientBuilder(query, ctx)
    try:
        built = builder.build()
    except SqlError as err:
        raise as_statement_error(err) from None
    return TransientPlan(built, builder.columns)


def schema_text(columns: tuple[OutputColumn, ...], mark_keys: bool) -> str:
    """ksqlDB's header schema: "`ID` STRING KEY, `COUNT` BIGINT"."""
    return ", ".join(f"`{c.name}` {c.type}{' KEY' if mark_keys and c.is_key else ''}"
                     for c in columns)
