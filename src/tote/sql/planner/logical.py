"""The logical plan of a persistent query: a tree of frozen dataclasses, one per stage.

Every node has a stable `id` (ksqlDB's step names: `KsqlTopic`, `PartitionBy`,
`Aggregate`, `Join`, `L_Join`...), its output `schema`, and whether it produces a table.
Expressions are AST nodes resolved against the node's input schema (`Schema.scope`); the
runtime compiles them once. The physical plan (`planner.physical`) adds what the runtime
needs: internal topics, state stores, codecs.

Windowed aggregation is `AggregateNode.window` (with `emit_final` for EMIT FINAL);
stream-stream joins are `JoinNode` with `kind="stream-stream"` and `within` set. A new
stage is a new node class plus one builder in `runtime.operators`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tote.sql.ast.expressions import Expression, FunctionCall
from tote.sql.ast.queries import JoinType, Window, WithinExpression
from tote.sql.planner.schema import Schema
from tote.sql.sources import DataSource


@dataclass(frozen=True)
class Node:
    id: str
    schema: Schema
    is_table: bool

    @property
    def inputs(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True)
class SourceNode(Node):
    """Read a stream or table from its topic."""

    source: DataSource
    alias: str
    # `ksql.timestamp.throw.on.invalid` when the query was created: a TIMESTAMP column
    # that cannot be read stops the query instead of dropping the record.
    strict_time: bool = False


@dataclass(frozen=True)
class FilterNode(Node):
    input: Node
    predicate: Expression

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


@dataclass(frozen=True)
class RekeyNode(Node):
    """Change the key (PARTITION BY, or the key a join or GROUP BY needs).

    `keys` are evaluated on the input row; the output row is the input row plus the new
    key columns named in `appended`. A PARTITION BY of a stream writes the new key straight
    to the sink; a re-key that feeds a join or an aggregate goes through a repartition
    topic so that records meet their state on the right partition.
    """

    input: Node
    keys: tuple[Expression, ...]
    appended: tuple[bool, ...]
    repartition: bool
    # A join input re-keyed to meet this source: placed by its key format (placement.py).
    partner: SourceNode | None = None
    # The repartition topic is `<app id>-<id>-<topic_suffix>`.
    topic_suffix: ClassVar[str] = "repartition"

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


@dataclass(frozen=True, slots=True)
class AggregateCall:
    """One distinct aggregate call: `name(args)`, with literal init arguments split off."""

    call: FunctionCall
    column: str


@dataclass(frozen=True)
class AggregateNode(Node):
    """GROUP BY: the input is already keyed by the grouping expressions.

    The output row holds the key columns then one column per aggregate call (and the window
    bounds when windowed). From a table input, updates retract the old row (`undo`).
    `emit_final` (EMIT FINAL) emits each window once, when it closes, instead of every
    update.
    """

    input: Node
    aggregates: tuple[AggregateCall, ...]
    window: Window | None = None
    emit_final: bool = False
    # ksqlDB's record of the aggregation's input, which a CREATE OR REPLACE must keep
    # (`analyzer.query.aggregate_inputs`): the input columns the query names, and the
    # aggregate calls as its aggregation step holds them.
    input_columns: tuple[str, ...] = ()
    input_calls: tuple[FunctionCall, ...] = ()
    # The `ksql.functions.*` config when the query was created (COLLECT_LIST's limit...).
    settings: tuple[tuple[str, str], ...] = ()

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


@dataclass(frozen=True)
class JoinNode(Node):
    """A join of two keyed inputs on their (already equal) keys.

    `kind` is "stream-table", "table-table", "stream-stream" (the last needs `within`) or
    "foreign-key" (see `planner.foreign_key`).
    """

    left: Node
    right: Node
    type: JoinType
    kind: str
    within: WithinExpression | None = None
    synthetic_key: bool = False

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.left, self.right)


@dataclass(frozen=True)
class FlatMapNode(Node):
    """Table functions of the SELECT (EXPLODE...): each input row becomes as many rows as
    the longest call returns; the output row is the input row plus one column per call
    (shorter results padded with NULL). Streams only."""

    input: Node
    calls: tuple[FunctionCall, ...]

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


@dataclass(frozen=True)
class ProjectNode(Node):
    """The final projection: value columns computed from the input row; the key passes
    through (renamed by the schema)."""

    input: Node
    expressions: tuple[Expression, ...]
    # Positions of the input key columns making the output key (None: unchanged).
    key_order: tuple[int, ...] | None = None

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


@dataclass(frozen=True)
class SinkNode(Node):
    """Serialise into the sink's topic (registering AVRO / JSON_SR schemas)."""

    input: Node
    target: DataSource

    @property
    def inputs(self) -> tuple[Node, ...]:
        return (self.input,)


def walk(node: Node) -> list[Node]:
    """All nodes of the tree, inputs before the nodes reading them."""
    out: list[Node] = []
    for child in node.inputs:
        out.extend(walk(child))
    out.append(node)
    return out
