"""Rule callbacks for SELECT queries: projection, relations, joins, windows, clauses."""

from __future__ import annotations

from typing import Any

from tote.sql.ast import expressions as e
from tote.sql.ast import queries as q
from tote.sql.builder.base import (
    Clause,
    Name,
    clause,
    of_type,
    one,
    opt,
    prepare_error,
    span_of,
    whole_number,
)
from tote.sql.builder.expressions import time_unit
from tote.sql.lexer import Token

Children = list[Any]

_REFINEMENT = {"CHANGES": q.OutputRefinement.CHANGES, "FINAL": q.OutputRefinement.FINAL}


def _optional(c: Children, kind: str, index: int = -1) -> Clause | None:
    """A nullable clause rule: None when empty, else its `index`-th child tagged `kind`."""
    if not c:
        return None
    return Clause(kind, c[index], span_of(c))


class QueryRules:
    """Callbacks named after the query rules and aliases of grammar.lark."""

    def query(self, c: Children) -> q.Query:
        items = tuple(of_type(c, q.SelectItem))
        refinement = clause(c, "emit")
        if clause(c, "group_by") is not None and clause(c, "partition_by") is not None:
            # ksqlDB's Query node refuses the pair while its AST is built.
            raise prepare_error("Queries only support one of PARTITION BY and GROUP BY",
                                span_of(c))
        return q.Query(
            select=items,
            from_=one(c, q.Relation),
            window=clause(c, "window"),
            where=clause(c, "where"),
            group_by=clause(c, "group_by"),
            partition_by=clause(c, "partition_by"),
            having=clause(c, "having"),
            refinement=refinement,
            limit=clause(c, "limit"),
            is_pull=refinement is None,
            span=span_of(c),
        )

    # --- optional clauses ---------------------------------------------------------------

    def window_opt(self, c: Children) -> Clause | None:
        return _optional(c, "window")

    def where_opt(self, c: Children) -> Clause | None:
        return _optional(c, "where")

    def group_by_opt(self, c: Children) -> Clause | None:
        return _optional(c, "group_by")

    def partition_by_opt(self, c: Children) -> Clause | None:
        return _optional(c, "partition_by")

    def having_opt(self, c: Children) -> Clause | None:
        return _optional(c, "having")

    def emit_opt(self, c: Children) -> Clause | None:
        if not c:
            return None
        return Clause("emit", _REFINEMENT[c[1].type], span_of(c))

    def limit_opt(self, c: Children) -> Clause | None:
        if not c:
            return None
        limit: Clause = c[0]
        return limit

    def limit_clause(self, c: Children) -> Clause:
        return Clause("limit", whole_number(c[1], "LIMIT"), span_of(c))

    def grouping_list(self, c: Children) -> tuple[e.Expression, ...]:
        return tuple(of_type(c, e.Expression))

    def grouping_parens(self, c: Children) -> tuple[e.Expression, ...]:
        return tuple(of_type(c, e.Expression))

    # --- projection ---------------------------------------------------------------------

    def select_single(self, c: Children) -> q.SelectItem:
        alias = opt(c, Name)
        return q.SingleColumn(c[0], alias.text if alias else None, span=span_of(c))

    def select_struct_all(self, c: Children) -> q.SelectItem:
        return q.StructAll(c[0], span=span_of(c))

    def select_all(self, c: Children) -> q.SelectItem:
        prefix = opt(c, Name)
        return q.AllColumns(prefix.text if prefix else None, span=span_of(c))

    # --- relations and joins ------------------------------------------------------------

    def relation(self, c: Children) -> q.Relation:
        left: q.AliasedRelation = c[0]
        rights = tuple(of_type(c, q.JoinedSource))
        if not rights:
            return left
        return q.Join(left, rights, span=span_of(c))

    def aliased_relation(self, c: Children) -> q.AliasedRelation:
        names = of_type(c, Name)
        return q.AliasedRelation(names[0].text, names[-1].text, span=span_of(c))

    def inner_join(self, c: Children) -> q.JoinType:
        return q.JoinType.INNER

    def outer_join(self, c: Children) -> q.JoinType:
        return q.JoinType.OUTER

    def left_join(self, c: Children) -> q.JoinType:
        return q.JoinType.LEFT

    def right_join(self, c: Children) -> q.JoinType:
        return q.JoinType.RIGHT

    def joined_source(self, c: Children) -> q.JoinedSource:
        return q.JoinedSource(
            relation=one(c, q.AliasedRelation),
            type=one(c, q.JoinType),
            on=c[-1],
            within=opt(c, q.WithinExpression),
            span=span_of(c),
        )

    def within_expression(self, c: Children) -> q.WithinExpression:
        durations = of_type(c, q.Duration)
        return q.WithinExpression(
            before=durations[0],
            after=durations[-1],
            grace=clause(c, "grace"),
            span=span_of(c),
        )

    # --- windows ------------------------------------------------------------------------

    def tumbling_window(self, c: Children) -> q.Window:
        return q.TumblingWindow(
            one(c, q.Duration),
            retention=clause(c, "retention"),
            grace=clause(c, "grace"),
            span=span_of(c),
        )

    def hopping_window(self, c: Children) -> q.Window:
        size, advance = of_type(c, q.Duration)
        return q.HoppingWindow(
            size,
            advance,
            retention=clause(c, "retention"),
            grace=clause(c, "grace"),
            span=span_of(c),
        )

    def session_window(self, c: Children) -> q.Window:
        return q.SessionWindow(
            one(c, q.Duration),
            retention=clause(c, "retention"),
            grace=clause(c, "grace"),
            span=span_of(c),
        )

    def retention(self, c: Children) -> Clause:
        return Clause("retention", c[1], span_of(c))

    def grace_period(self, c: Children) -> Clause:
        return Clause("grace", c[2], span_of(c))

    def duration(self, c: Children) -> q.Duration:
        return q.Duration(whole_number(c[0], "window size"), time_unit(c[1]), span=span_of(c))

    def window_unit(self, c: Children) -> Token:
        token: Token = c[0]
        return token
