"""A persistent query's SELECT, analysed into a logical plan ending in the projection.

Stages, in ksqlDB's order: read (and join) the sources, WHERE, PARTITION BY, GROUP BY
(+ HAVING), then the final projection. Column references are first qualified with their
source alias so that equal expressions compare equal wherever they were written.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tote.core.errors import SqlError
from tote.core.types import SqlType
from tote.sql.analyzer.context import AnalysisContext
from tote.sql.analyzer.query import joins as join_planning
from tote.sql.analyzer.query.aggregation import aggregate
from tote.sql.analyzer.query.filters import check_filter
from tote.sql.analyzer.query.keys import KeyOrigin
from tote.sql.analyzer.query.magic_time import strict_times, times_as_millis
from tote.sql.analyzer.query.projection import project
from tote.sql.analyzer.query.relations import AliasedSource, Relations, resolve
from tote.sql.analyzer.query.rewrite import qualify, replace, unqualify
from tote.sql.analyzer.query.rewrite import text as _text
from tote.sql.analyzer.query.select import (
    AliasGenerator,
    SelectExpr,
    expand_struct_all,
    name_items,
)
from tote.sql.analyzer.query.table_functions import flat_map, table_calls
from tote.sql.analyzer.query.windowing import check_where, check_window_clause, emits_final
from tote.sql.ast.expressions import ColumnRef, Expression, FunctionCall, NullLiteral
from tote.sql.ast.nodes import walk
from tote.sql.ast.queries import AllColumns, Query, SelectItem, SingleColumn, StructAll
from tote.sql.config import FUNCTIONS_PREFIX, NEW_QUERY_PLANNER, TIMESTAMP_THROW_ON_INVALID
from tote.sql.errors import StatementError, as_statement_error
from tote.sql.expressions import type_of as expression_type
from tote.sql.planner.logical import FilterNode, Node, ProjectNode, RekeyNode, SourceNode
from tote.sql.planner.schema import Col, Schema, source_schema
from tote.sql.sources import PSEUDO_COLUMNS, WINDOW_BOUNDS


@dataclass(frozen=True)
class BuiltQuery:
    projection: ProjectNode
    relations: Relations
    origin: KeyOrigin
    partition_by_null: bool = False


class QueryBuilder:
    # Transient queries (tote.sql.transient) may select reserved names such as ROWTIME.
    persistent = True

    def __init__(self, query: Query, sink: str, ctx: AnalysisContext) -> None:
        self.query = query
        self.sink = sink
        self.ctx = ctx
        self.functions = ctx.functions

    # -- helpers -----------------------------------------------------------------------------

    def type_of(self, expr: Expression, schema: Schema, clause: str = "") -> SqlType:
        try:
            return expression_type(expr, schema.scope(clause), self.functions)
        except SqlError as err:
            if clause == "SELECT" and err.message.startswith("Cast of"):
                err = StatementError(f"Invalid Select: {err.message}", line=err.line,
                                     column=err.column)
            raise as_statement_error(err) from None

    def _owners(self, sources: Sequence[AliasedSource]) -> dict[str, list[str]]:
        owners: dict[str, list[str]] = {}
        for src in sources:
            for col in src.source.columns:
                owners.setdefault(col.name, []).append(src.alias)
        leftmost = sources[0].alias
        for name in list(PSEUDO_COLUMNS) + list(WINDOW_BOUNDS):
            owners.setdefault(name, [leftmost])
        return owners

    def _qualify(self, expr: Expression, sources: Sequence[AliasedSource]) -> Expression:
        return qualify(expr, self._owners(sources))

    def _show(self, expr: Expression) -> Expression:
        """How messages print an expression: unqualified unless the query is a join."""
        return expr if self.relations.is_join else unqualify(expr)

    # -- the pipeline ------------------------------------------------------------------------

    def build(self) -> BuiltQuery:
        q = self.query
        self.relations = relations = resolve(q.from_, self.ctx.metastore, self._qualify)
        owners = self._owners(relations.sources)
        join = relations.is_join

        alias = relations.sources[0].alias

        def norm(expr: Expression) -> Expression:
            """Joins qualify every column; single-source queries drop qualifiers of known
            columns, as ksqlDB does, so messages print `B`, not `INPUT.B`."""
            if join:
                return qualify(expr, owners)
            return unqualify_known(expr, alias, set(owners))

        def qual(expr: Expression | None) -> Expression | None:
            return None if expr is None else norm(expr)

        items = [self._qualify_item(i, norm) for i in q.select]
        where = qual(q.where)
        if where is not None:
            where = times_as_millis(where)
        group_by = [norm(g) for g in q.group_by] if q.group_by is not None else None
        partition_by = [norm(p) for p in q.partition_by] \
            if q.partition_by is not None else None
        self.partition_text = [qualify(p, owners) for p in q.partition_by] \
            if q.partition_by is not None else []
        having = qual(q.having)

        column_names = [c.name for s in relations.sources for c in s.source.columns]
        generator = AliasGenerator(column_names)
        clashing = set()
        if relations.is_join:
            with_pseudo = column_names + [n for _ in relations.sources
                                          for n in PSEUDO_COLUMNS]
            clashing = {n for n in with_pseudo if with_pseudo.count(n) > 1}
        items = name_items(items, generator, clashing, persistent=self.persistent)

        self._check_kafka_format(group_by is not None or self._has_aggregates(items))
        node, origin = self._from(relations, items)
        if self.ctx.config.flag(TIMESTAMP_THROW_ON_INVALID):
            node = strict_times(node)
        if where is not None:
            check_where(q, where, node.schema)
            check_filter(where, node.schema.scope("WHERE"), self.functions, "WHERE", join=join)
            node = FilterNode("WhereFilter", node.schema, node.is_table, node, where)
        partition_null = False
        if partition_by is not None:
            node, origin, partition_null = self._partition(node, partition_by, generator)
        selects = self._expand(items, node, relations, origin)
        calls = table_calls([s.expression for s in selects], self.functions)
        if calls:
            node, selects = flat_map(node, selects, calls, functions=self.functions,
                                     type_of=self.type_of, grouped=group_by is not None)
        if group_by is None and self._has_aggregates(items):
            self._check_ungrouped(selects)
            raise StatementError(self._aggregate_without_group_by(items))
        if group_by is not None:
            source = relations.sources[0]
            default_arg = ColumnRef("ROWTIME", source.alias if join else None)
            result = aggregate(node, group_by, selects, having, q.window,
                               functions=self.functions, type_of=self.type_of,
                               generator=AliasGenerator(column_names),
                               default_arg=default_arg, show=self._show,
                               table_source=node.is_table,
                               written=[qualify(g, owners) for g in q.group_by or ()],
                               value_format=source.source.value_format.name, join=join,
                               emit_final=emits_final(q), where=where,
                               function_settings=self.ctx.config.with_prefix(FUNCTIONS_PREFIX))
            node, selects, origin = result.node, list(result.selects), result.origin
        elif having is not None:
            raise StatementError("HAVING requires a GROUP BY clause.")
        check_window_clause(q)
        new_planner = self.ctx.config.flag(NEW_QUERY_PLANNER)
        projection = self._project(node, selects, origin, new_planner)
        return BuiltQuery(projection, relations, origin, partition_null)

    def _project(self, node: Node, selects: list[SelectExpr], origin: KeyOrigin,
                 new_planner: bool) -> ProjectNode:
        """The final projection (a hook: transient queries project differently)."""
        return project(node, selects, origin, self.sink, type_of=self.type_of,
                       new_planner=new_planner)

    def _qualify_item(self, item: SelectItem, norm: Callable[[Expression], Expression]
                      ) -> SelectItem:
        if isinstance(item, SingleColumn):
            return SingleColumn(norm(item.expression), item.alias, span=item.span)
        if isinstance(item, StructAll):
            return StructAll(norm(item.base), span=item.span)
        return item

    def _has_aggregates(self, items: Sequence[SelectItem]) -> bool:
        for item in items:
            if isinstance(item, SingleColumn):
                for node in walk(item.expression):
                    if isinstance(node, FunctionCall) and self.functions.is_aggregate(node.name):
                        return True
        return False

    def _check_ungrouped(self, selects: Sequence[SelectExpr]) -> None:
        """Aggregates without GROUP BY: ksqlDB groups by a dummy key first, so columns
        outside aggregates fail as "not part of GROUP BY"."""
        from tote.sql.analyzer.query.aggregation import _Analyzer

        analyzer = _Analyzer(self.functions, [], False)
        loose = [s.expression for s in selects if analyzer.select(s.expression)]
        if loose:
            raise StatementError(
                "Non-aggregate SELECT expression(s) not part of GROUP BY: "
                + ", ".join(_text(self._show(e)) for e in loose)
                + "\nEither add the column(s) to the GROUP BY or remove them from the SELECT.")

    def _aggregate_without_group_by(self, items: Sequence[SelectItem]) -> str:
        calls = []
        for item in items:
            if isinstance(item, SingleColumn):
                for node in walk(item.expression):
                    if isinstance(node, FunctionCall) and self.functions.is_aggregate(node.name):
                        shown = node if node.args else FunctionCall(
                            node.name, (ColumnRef("ROWTIME"),))
                        calls.append(_call_text(shown))
        return ("CREATE TABLE AS SELECT statement does not support aggregate function "
                f"[{', '.join(calls)}] without a GROUP BY clause.")

    def _check_kafka_format(self, grouped: bool) -> None:
        kafka = [s.alias for s in self.relations.sources
                 if s.source.value_format.name == "KAFKA"]
        if not kafka:
            return
        details = ("\nSee https://github.com/confluentinc/ksql/issues/3060 for more info.")
        if self.relations.is_join:
            raise StatementError(f"Source(s) {', '.join(kafka)} are using the 'KAFKA' value "
                                 f"format. This format does not yet support JOIN.{details}")
        if grouped:
            raise StatementError(f"Source(s) {', '.join(kafka)} are using the 'KAFKA' value "
                                 f"format. This format does not yet support GROUP BY.{details}")

    def _from(self, relations: Relations, items: Sequence[SelectItem]
              ) -> tuple[Node, KeyOrigin]:
        if not relations.is_join:
            src = relations.sources[0]
            schema = source_schema(src.source, src.alias)
            node = SourceNode("KsqlTopic", schema, src.source.is_table, src.source, src.alias)
            keys = tuple(ColumnRef(c.name) for c in src.source.key_columns)
            kind = "source" if keys else "none"
            return node, KeyOrigin(kind, keys)
        singles = {i.expression for i in items if isinstance(i, SingleColumn)}
        stars = [i for i in items if isinstance(i, AllColumns)]

        def contains(expr: Expression) -> bool:
            if any(s.source is None for s in stars):
                return True
            if isinstance(expr, ColumnRef) and any(s.source == expr.source for s in stars):
                return True
            return expr in singles

        def partitions(src: AliasedSource) -> int:
            spec = self.ctx.topic(src.source.topic)
            return spec.partitions if spec is not None else 1

        tree = join_planning.build_joins(relations, contains, self.type_of, partitions)
        self.join_tree = tree
        if tree.foreign_key:
            return tree.node, KeyOrigin("foreign-key", tree.original_viable,
                                        names=(tree.leftmost.alias,))
        if tree.synthetic:
            return tree.node, KeyOrigin("join", (ColumnRef(tree.synthetic_name),), False,
                                        True)
        return tree.node, KeyOrigin("join", tree.original_viable, False)

    def _partition(self, node: Node, exprs: Sequence[Expression], generator: AliasGenerator
                   ) -> tuple[Node, KeyOrigin, bool]:
        if not exprs:
            raise StatementError("PARTITION BY requires at least one expression")
        nulls = [e for e in exprs if isinstance(e, NullLiteral)]
        if nulls:
            if len(exprs) > 1:
                raise StatementError("Cannot PARTITION BY multiple columns including NULL")
            schema = Schema((), node.schema.value)
            rekey = RekeyNode("PartitionBy", schema, node.is_table, node, (), (), False)
            return rekey, KeyOrigin("none"), True
        if node.is_table:
            raise StatementError("Invalid use of PARTITION BY: a table cannot be repartitioned.")
        values = list(node.schema.value)
        keys: list[Col] = []
        groups: list[tuple[int, ...]] = []
        appended: list[bool] = []
        scope = node.schema.scope("PARTITION BY")
        alias_gen = AliasGenerator([c.name for c in node.schema.value])
        for expr in exprs:
            if isinstance(expr, ColumnRef):
                try:
                    slot = scope.resolve(expr).slot
                except SqlError as err:
                    message = err.message.rstrip(".")
                    raise StatementError(
                        f"{message}. '{expr.name}' must be a column in the source schema since "
                        "PARTITION BY is applied on the input.") from None
                keys.append(values[slot])
                groups.append((slot,))
                appended.append(False)
            else:
                kind = self.type_of(expr, node.schema, "PARTITION BY")
                col = Col(alias_gen.for_expression(expr), kind, None)
                values.append(col)
                keys.append(col)
                groups.append((len(values) - 1,))
                appended.append(True)
        del generator
        schema = Schema(tuple(keys), tuple(values), tuple(groups))
        rekey = RekeyNode("PartitionBy", schema, False, node, tuple(exprs), tuple(appended),
                          False)
        return rekey, KeyOrigin("partition", tuple(self.partition_text)), False

    def _expand(self, items: Sequence[SelectItem], node: Node, relations: Relations,
                origin: KeyOrigin) -> list[SelectExpr]:
        """Expand `*`, `alias.*` and `struct->*`; rewrite references to PARTITION BY
        expressions into the new key columns."""
        out: list[SelectExpr] = []
        for item in items:
            if isinstance(item, AllColumns):
                out.extend(self._star(item.source, node, relations))
            elif isinstance(item, StructAll):
                base_type = self.type_of(item.base, node.schema, "SELECT")
                out.extend(expand_struct_all(item, base_type))
            else:
                assert isinstance(item, SingleColumn) and item.alias is not None
                out.append(SelectExpr(item.alias, item.expression))
        if isinstance(node, RekeyNode) and node.id == "PartitionBy":
            out = [SelectExpr(s.alias, _rewrite_partition(s.expression, node), s.from_star)
                   for s in out]
        return out

    def _synthetic_key(self) -> str | None:
        tree = self.join_tree
        return tree.synthetic_name if tree.synthetic else None

    def _star(self, source: str | None, node: Node, relations: Relations
              ) -> list[SelectExpr]:
        if relations.is_join and isinstance(node, RekeyNode) and node.id == "PartitionBy":
            return [SelectExpr(alias, ref, True) for alias, ref in
                    join_planning.partitioned_star_columns(node, source)]
        if relations.is_join:
            return [SelectExpr(alias, ref, True) for alias, ref in join_planning.star_columns(
                relations, self._synthetic_key(), source)]
        if source is not None and relations.sources[0].alias != source:
            raise StatementError(f"Source `{source}` does not exist.")
        schema = node.schema
        key_names = [k.name for k in schema.key]
        out = [SelectExpr(k.name, ColumnRef(k.name), True) for k in schema.key]
        for col in schema.value:
            if col.name in key_names or col.name in PSEUDO_COLUMNS or col.name in WINDOW_BOUNDS:
                continue
            out.append(SelectExpr(col.name, ColumnRef(col.name), True))
        return out


def unqualify_known(expr: Expression, alias: str, known: set[str]) -> Expression:
    def swap(candidate: Expression) -> Expression | None:
        if isinstance(candidate, ColumnRef) and candidate.source == alias \
                and candidate.name in known:
            return ColumnRef(candidate.name, span=candidate.span)
        return None

    return replace(expr, swap)


def _rewrite_partition(expr: Expression, node: RekeyNode) -> Expression:
    def swap(candidate: Expression) -> Expression | None:
        for key_expr, appended, col in zip(node.keys, node.appended, node.schema.key,
                                           strict=True):
            if appended and candidate == key_expr:
                return ColumnRef(col.name, span=candidate.span)
        return None

    return replace(expr, swap)


def _call_text(call: FunctionCall) -> str:
    return _text(unqualify(call))
