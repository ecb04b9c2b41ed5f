"""A logical plan as ksqlDB's execution steps, with what each step's upgrade check compares.

ksqlDB decides whether CREATE OR REPLACE may swap a running query's plan by walking the
old and new trees of execution steps (`ExecutionStep.validateUpgrade`); tote's logical
plan has fewer nodes, so this module names the steps ksqlDB would have built for it:
StreamSource / TableSource, StreamFilter / TableFilter and StreamSelect / TableSelect
(the projection, and the "Prepare" selection in front of a grouping), StreamSelectKey
(PARTITION BY), StreamGroupBy / StreamGroupByKey and StreamAggregate, the join steps,
StreamFlatMap and the sinks. Each step carries, in ksqlDB's order, the properties its
check requires to be equal, as ksqlDB prints them. The steps' query contexts, which
ksqlDB compares too, are equal wherever two steps of one class meet, so they are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from tote.sql.analyzer.query.rewrite import unqualify
from tote.sql.analyzer.upgrade import render_features, render_format, render_timestamp
from tote.sql.ast.expressions import Expression
from tote.sql.expressions.formatter import format_expression
from tote.sql.planner.logical import (
    AggregateNode,
    FilterNode,
    FlatMapNode,
    JoinNode,
    Node,
    ProjectNode,
    RekeyNode,
    SinkNode,
    SourceNode,
)
from tote.sql.sources import DataSource, FormatInfo

_JOINS = {"stream-stream": "StreamStreamJoin", "stream-table": "StreamTableJoin",
          "table-table": "TableTableJoin", "foreign-key": "ForeignKeyTableTableJoin"}


class Role(Enum):
    """How a step takes part in ksqlDB's upgrade walk."""

    MATCH = "match"  # its properties must equal the other tree's step here
    SOURCE = "source"  # finds its counterpart below the other tree's passive steps
    PASSIVE = "passive"  # may be added or removed
    UNSUPPORTED = "unsupported"  # ksqlDB has no upgrade rule for it


@dataclass(frozen=True)
class Step:
    name: str  # the step's Java class, simple name
    role: Role
    matched: tuple[tuple[str, str], ...] = ()
    sources: tuple[Step, ...] = ()


def steps_of(node: Node) -> Step:
    if isinstance(node, SinkNode):
        target = node.target
        return Step("TableSink" if node.is_table else "StreamSink", Role.MATCH,
                    (("formats", _formats(target.key_format, target.value_format)),
                     ("topicName", target.topic),
                     ("timestampColumn", render_timestamp(target.timestamp))),
                    (steps_of(node.input),))
    if isinstance(node, SourceNode):
        return _source(node.source)
    if isinstance(node, FilterNode):
        return _passive("Filter", node)
    if isinstance(node, ProjectNode):
        return _passive("Select", node)
    if isinstance(node, RekeyNode):
        return _rekey(node)
    if isinstance(node, AggregateNode):
        return _aggregate(node)
    if isinstance(node, JoinNode):
        return Step(_JOINS[node.kind], Role.UNSUPPORTED, (),
                    (steps_of(node.left), steps_of(node.right)))
    if isinstance(node, FlatMapNode):
        return Step("StreamFlatMap", Role.UNSUPPORTED, (), (steps_of(node.input),))
    raise TypeError(f"no execution step for {type(node).__name__}")


def _passive(kind: str, node: FilterNode | ProjectNode) -> Step:
    prefix = "Table" if node.is_table else "Stream"
    return Step(prefix + kind, Role.PASSIVE, (), (steps_of(node.input),))


def _source(source: DataSource) -> Step:
    prefix = "Table" if source.is_table else "Stream"
    if source.window is not None:
        return Step(f"Windowed{prefix}Source", Role.UNSUPPORTED)
    formats = _formats(source.key_format, source.value_format)
    matched = [("topicName", source.topic), ("formats", formats),
               ("timestampColumn", render_timestamp(source.timestamp))]
    if source.is_table:
        matched.append(("stateStoreFormats", formats))
    return Step(prefix + "Source", Role.SOURCE, tuple(matched))


def _rekey(node: RekeyNode) -> Step:
    internal = ("internal formats", _internal_formats(node))
    if node.id == "Aggregate-GroupBy":
        if node.is_table:
            return Step("TableGroupBy", Role.UNSUPPORTED, (), (_prepare(node.input),))
        return Step("StreamGroupBy", Role.MATCH,
                    (("group by clause", _expressions(node.keys)), internal),
                    (_prepare(node.input),))
    keys = ("keyExpressions", _expressions(node.keys) if node.keys else "[null]")
    if node.is_table:
        return Step("TableSelectKey", Role.MATCH, (internal, keys), (steps_of(node.input),))
    return Step("StreamSelectKey", Role.MATCH, (keys,), (steps_of(node.input),))


def _aggregate(node: AggregateNode) -> Step:
    grouped = node.input
    if isinstance(grouped, RekeyNode) and grouped.id == "Aggregate-GroupBy":
        source = steps_of(grouped)
    else:  # grouped by the input's key
        source = Step("StreamGroupByKey", Role.MATCH,
                      (("internal formats", _internal_formats(grouped)),),
                      (_prepare(grouped),))
    if grouped.is_table:
        return Step("TableAggregate", Role.UNSUPPORTED, (), (source,))
    if node.window is not None:
        return Step("StreamWindowedAggregate", Role.UNSUPPORTED, (), (source,))
    columns = "[" + ", ".join(f"`{c}`" for c in node.input_columns) + "]"
    return Step("StreamAggregate", Role.MATCH,
                (("internal format", _internal_formats(grouped)),
                 ("columns not part of aggregate", columns),
                 ("aggregate functions", _expressions(node.input_calls))),
                (source,))


def _prepare(node: Node) -> Step:
    """The selection of the columns an aggregation needs, in front of its grouping."""
    return Step(("Table" if node.is_table else "Stream") + "Select", Role.PASSIVE, (),
                (steps_of(node),))


def _internal_formats(node: Node) -> str:
    """The formats of intermediate topics and stores: the leftmost input source's."""
    while not isinstance(node, SourceNode):
        node = node.inputs[0]
    return _formats(node.source.key_format, node.source.value_format)


def _formats(key: FormatInfo, value: FormatInfo) -> str:
    return (f"Formats{{keyFormat={render_format(key)}, valueFormat={render_format(value)}, "
            f"keyFeatures={render_features(key)}, valueFeatures={render_features(value)}}}")


def _expressions(exprs: Sequence[Expression]) -> str:
    return "[" + ", ".join(format_expression(unqualify(e)) for e in exprs) + "]"
