"""FROM and JOIN: which sources a query reads, under which aliases, joined how.

Each `JOIN ... ON a = b` is normalised so that its right side references the newly
joined source and its left side an earlier one (ksqlDB's JoinInfo "flip"); the text as
written is kept for error messages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tote.sql.analyzer.query.rewrite import column_refs, text
from tote.sql.ast.expressions import (
    ColumnRef,
    Comparison,
    ComparisonOp,
    Expression,
    LogicalBinary,
)
from tote.sql.ast.queries import (
    AliasedRelation,
    Join,
    JoinedSource,
    JoinType,
    Relation,
    WithinExpression,
)
from tote.sql.errors import StatementError, located
from tote.sql.expressions.formatter import format_expression
from tote.sql.metastore import MetaStore
from tote.sql.sources import PSEUDO_COLUMNS, WINDOW_BOUNDS, DataSource, WindowType

_SYSTEM_COLUMNS = frozenset(PSEUDO_COLUMNS) | frozenset(WINDOW_BOUNDS)
JOIN_TYPE_TEXT = {JoinType.INNER: "[INNER]", JoinType.LEFT: "LEFT [OUTER]",
                  JoinType.RIGHT: "RIGHT [OUTER]", JoinType.OUTER: "[FULL] OUTER"}


@dataclass(frozen=True, slots=True)
class AliasedSource:
    alias: str
    source: DataSource


@dataclass(frozen=True, slots=True)
class JoinStep:
    """One join: `right` joined to everything before it on `left_expr = right_expr`."""

    right: AliasedSource
    type: JoinType
    left_expr: Expression
    right_expr: Expression
    left_alias: str
    written: Comparison
    within: WithinExpression | None


@dataclass(frozen=True)
class Relations:
    sources: tuple[AliasedSource, ...]
    joins: tuple[JoinStep, ...]

    @property
    def is_join(self) -> bool:
        return bool(self.joins)

    def by_alias(self, alias: str) -> AliasedSource | None:
        return next((s for s in self.sources if s.alias == alias), None)


def resolve(relation: Relation, metastore: MetaStore,
            qualify: Callable[[Expression, tuple[AliasedSource, ...]], Expression]
            ) -> Relations:
    """The sources of a FROM clause; `qualify` qualifies join criteria once every source
    (and so every column owner) is known."""
    if isinstance(relation, AliasedRelation):
        return Relations((_aliased(relation, metastore, ()),), ())
    assert isinstance(relation, Join)
    sources = [_aliased(relation.left, metastore, ())]
    for joined in relation.rights:
        sources.append(_aliased(joined.relation, metastore, tuple(sources)))
    everything = tuple(sources)
    joins = [_join_step(joined, right, everything[: i + 2],
                        qualify(joined.on, everything))
             for i, (joined, right) in enumerate(zip(relation.rights, sources[1:],
                                                     strict=True))]
    return Relations(everything, tuple(joins))


def _aliased(relation: AliasedRelation, metastore: MetaStore,
             known: tuple[AliasedSource, ...]) -> AliasedSource:
    span = relation.span
    source = metastore.require(relation.name, span.line or None, span.column or None)
    for other in known:
        if other.source.name == source.name:
            if len(known) > 1:
                raise StatementError(
                    "N-way joins do not support multiple occurrences of the same source. "
                    f"Source: '{source.name}'.")
            raise StatementError(
                f"Can not join '{source.name}' to '{other.source.name}': self joins are not "
                "yet supported.")
    return AliasedSource(relation.alias, source)


def _sources_of(expr: Expression, sources: tuple[AliasedSource, ...]) -> set[str]:
    found: set[str] = set()
    for ref in column_refs(expr):
        if ref.source is not None:
            found.add(ref.source)
            continue
        for src in sources:
            if src.source.column(ref.name) is not None or ref.name in (
                    "ROWTIME", "ROWPARTITION", "ROWOFFSET"):
                found.add(src.alias)
    return found


def _is_equality(expr: Expression) -> bool:
    return isinstance(expr, Comparison) and expr.op is ComparisonOp.EQUAL


def _check_columns(criteria: Expression, sources: tuple[AliasedSource, ...]) -> None:
    """Every column of a join criteria must exist in the source it names (or in one)."""
    for ref in column_refs(criteria):
        if ref.source is None:
            _check_unambiguous(ref, sources)
        if ref.name in _SYSTEM_COLUMNS:
            continue
        candidates = [s for s in sources if ref.source in (None, s.alias)]
        if ref.source is not None and not candidates:
            continue
        if not any(s.source.column(ref.name) is not None for s in candidates):
            span = ref.span
            raise located(f"JOIN ON column '{format_expression(ref)}' cannot be resolved.",
                          span.line or None, span.column or None)


def _has_column(src: AliasedSource, name: str) -> bool:
    """ksqlDB's DataSourceExtractor.hasColumn: pseudo columns are in every source, window
    bounds in every windowed one."""
    if name in PSEUDO_COLUMNS:
        return True
    if name in WINDOW_BOUNDS and src.source.window is not None:
        return True
    return src.source.column(name) is not None


def _check_unambiguous(ref: ColumnRef, sources: tuple[AliasedSource, ...]) -> None:
    """An unqualified column that more than one source has is rejected while ksqlDB
    prepares the statement (its AST sanitizer), hence the message's lead."""
    owners = sorted(f"{s.alias}.{ref.name}" for s in sources if _has_column(s, ref.name))
    if len(owners) < 2:
        return
    choices = ", ".join(owners[:-1]) + " or " + owners[-1]
    span = ref.span
    where = f"Line: {span.line}, Col: {span.column}: " if span.line else ""
    raise StatementError(
        f"Exception while preparing statement: {where}Column '{format_expression(ref)}' is "
        f"ambiguous. Could be {choices}.", line=span.line or None, column=span.column or None)


def _join_step(joined: JoinedSource, right: AliasedSource,
               sources: tuple[AliasedSource, ...], criteria: Expression) -> JoinStep:
    _check_columns(criteria, sources)
    if not isinstance(criteria, Comparison):
        if isinstance(criteria, LogicalBinary) and _is_equality(criteria.left) \
                and _is_equality(criteria.right):
            raise StatementError(
                "Invalid join condition: joins on multiple conditions are not yet supported. "
                f"Got {text(criteria)}.")
        raise StatementError(f"Unsupported join expression: {text(criteria)}")
    if criteria.op is not ComparisonOp.EQUAL:
        raise StatementError("Only equality join criteria is supported.")
    left_sources = _sources_of(criteria.left, sources)
    right_sources = _sources_of(criteria.right, sources)
    for side, used in ((criteria.left, left_sources), (criteria.right, right_sources)):
        if len(used) != 1:
            raise StatementError(
                f"Invalid comparison expression '{text(side)}' in join '{text(criteria)}'. "
                "Each side of the join comparision must contain references from exactly one "
                "source.")
    left_alias, right_alias = next(iter(left_sources)), next(iter(right_sources))
    if left_alias == right_alias:
        raise StatementError(
            "Each side of the join must reference exactly one source and not the same source. "
            f"Left side references `{left_alias}` and right references `{right_alias}`")
    if right.alias not in (left_alias, right_alias):
        raise StatementError(
            f"A join criteria is expected to reference the source (`{right.alias}`) in the "
            f"FROM clause, instead the right source references `{right_alias}` and the left "
            f"source references `{left_alias}`")
    earlier = {s.alias: s for s in sources}
    _check_windowing(earlier[left_alias], earlier[right_alias])
    if right_alias == right.alias:
        return JoinStep(right, joined.type, criteria.left, criteria.right, left_alias,
                        criteria, joined.within)
    return JoinStep(right, joined.type, criteria.right, criteria.left, right_alias, criteria,
                    joined.within)


def _check_windowing(left: AliasedSource, right: AliasedSource) -> None:
    lw, rw = left.source.window, right.source.window
    if (lw is None) != (rw is None):
        lm = lw.type.value if lw else "not"
        rm = rw.type.value if rw else "not"
        raise StatementError(
            f"Can not join windowed source to non-windowed source.\n`{left.alias}` is {lm} "
            f"windowed\n`{right.alias}` is {rm} windowed")
    if lw is None or rw is None:
        return
    session = lw.type is WindowType.SESSION
    if session != (rw.type is WindowType.SESSION):
        raise StatementError(
            f"Incompatible windowed sources.\nLeft source: {lw.type.value}\nRight source: "
            f"{rw.type.value}\nSession windowed sources can only be joined to other session "
            "windowed sources, and may still not result in expected behaviour as session "
            "bounds must be an exact match for the join to work\nHopping and tumbling "
            "windowed sources can only be joined to other hopping and tumbling windowed "
            "sources")
