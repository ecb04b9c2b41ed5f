"""SELECT queries: projection, sources and joins, windows, clauses."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from tote.sql.ast.expressions import Expression, TimeUnit
from tote.sql.ast.nodes import Node


@dataclass(frozen=True, slots=True)
class Duration(Node):
    """A window size or period such as `10 SECONDS`."""

    value: int
    unit: TimeUnit

    @property
    def millis(self) -> int:
        return self.value * self.unit.millis


# --- projection -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SelectItem(Node):
    """Base of the items of a SELECT list."""


@dataclass(frozen=True, slots=True)
class SingleColumn(SelectItem):
    """`expression [AS alias]`."""

    expression: Expression
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class AllColumns(SelectItem):
    """`*`, or `source.*` when `source` is set."""

    source: str | None = None


@dataclass(frozen=True, slots=True)
class StructAll(SelectItem):
    """`base->*`: every field of a struct."""

    base: Expression


# --- sources and joins ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Relation(Node):
    """Base of what a query reads from."""


@dataclass(frozen=True, slots=True)
class AliasedRelation(Relation):
    """A stream or table and the name the query refers to it by (its own name if no alias)."""

    name: str
    alias: str


class JoinType(Enum):
    INNER = "INNER"
    LEFT = "LEFT"
    RIGHT = "RIGHT"
    OUTER = "FULL"


@dataclass(frozen=True, slots=True)
class WithinExpression(Node):
    """A stream-stream join window: `WITHIN n unit` or `WITHIN (before, after)`, plus grace."""

    before: Duration
    after: Duration
    grace: Duration | None = None


@dataclass(frozen=True, slots=True)
class JoinedSource(Node):
    """One `[type] JOIN relation [WITHIN ...] ON criteria` step."""

    relation: AliasedRelation
    type: JoinType
    on: Expression
    within: WithinExpression | None = None


@dataclass(frozen=True, slots=True)
class Join(Relation):
    """A left source joined with one or more right sources, in order."""

    left: AliasedRelation
    rights: tuple[JoinedSource, ...]


# --- windows ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Window(Node):
    """Base of WINDOW clauses; all have an optional retention and grace period."""


@dataclass(frozen=True, slots=True)
class TumblingWindow(Window):
    size: Duration
    retention: Duration | None = None
    grace: Duration | None = None


@dataclass(frozen=True, slots=True)
class HoppingWindow(Window):
    size: Duration
    advance: Duration
    retention: Duration | None = None
    grace: Duration | None = None


@dataclass(frozen=True, slots=True)
class SessionWindow(Window):
    gap: Duration
    retention: Duration | None = None
    grace: Duration | None = None


# --- query ------------------------------------------------------------------------------


class OutputRefinement(Enum):
    CHANGES = "CHANGES"
    FINAL = "FINAL"


@dataclass(frozen=True, slots=True)
class Query(Node):
    """A SELECT.

    `is_pull` follows ksqlDB: a query is a pull query when it is a statement of its own
    without EMIT. Queries inside CREATE ... AS SELECT and INSERT INTO are never pull
    queries and default to `EMIT CHANGES`. `group_by`/`partition_by` are None when absent.
    """

    select: tuple[SelectItem, ...]
    from_: Relation
    window: Window | None = None
    where: Expression | None = None
    group_by: tuple[Expression, ...] | None = None
    partition_by: tuple[Expression, ...] | None = None
    having: Expression | None = None
    refinement: OutputRefinement | None = None
    limit: int | None = None
    is_pull: bool = False
