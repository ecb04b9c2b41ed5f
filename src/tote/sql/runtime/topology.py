"""Wiring one sub-topology of a query into processors for one partition (a task).

The walk starts at the sub-topology's root (the sink, or the writer of a repartition
topic) and goes down to where records enter: source topics and repartition topics read
back. Each logical node type has one builder; adding an operator means adding a node
type and a builder here.
"""

from __future__ import annotations

from tote.core.records import LogRecord
from tote.sql.planner.foreign_key import RespondNode, SubscribeNode
from tote.sql.planner.logical import (
    AggregateNode,
    FilterNode,
    JoinNode,
    Node,
    ProjectNode,
    RekeyNode,
    SinkNode,
    SourceNode,
)
from tote.sql.planner.physical import SubTopology, is_boundary
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.operators.aggregate import build_aggregate
from tote.sql.runtime.operators.fk_join import build_fk_join, build_fk_writer, build_result_reader
from tote.sql.runtime.operators.join import build_join
from tote.sql.runtime.operators.repartition import build_reader, build_writer
from tote.sql.runtime.operators.sink import build_sink
from tote.sql.runtime.operators.source import build_source
from tote.sql.runtime.operators.stream_join import build_stream_join
from tote.sql.runtime.operators.transform import build_filter, build_project, build_rekey
from tote.sql.runtime.operators.windowed import build_windowed_aggregate
from tote.sql.runtime.records import Entry, Push


class _Wiring:
    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.entries: dict[str, list[Entry]] = {}

    def add_entry(self, topic: str, entry: Entry) -> None:
        self.entries.setdefault(topic, []).append(entry)

    def wire(self, node: Node, push: Push, materialize: bool = True) -> None:
        ctx = self.ctx
        if isinstance(node, SourceNode):
            self.add_entry(node.source.topic, build_source(node, ctx, push, materialize))
        elif is_boundary(node):
            assert isinstance(node, RekeyNode)
            reader = build_result_reader(node, ctx, push) if isinstance(node, RespondNode) \
                else build_reader(node, push)
            self.add_entry(ctx.plan.repartition_topic(node), reader)
        elif isinstance(node, FilterNode):
            self.wire(node.input, build_filter(node, ctx, push))
        elif isinstance(node, ProjectNode):
            self.wire(node.input, build_project(node, ctx, push))
        elif isinstance(node, RekeyNode):
            self.wire(node.input, build_rekey(node, ctx, push))
        elif isinstance(node, AggregateNode):
            build = build_aggregate if node.window is None else build_windowed_aggregate
            self.wire(node.input, build(node, ctx, push))
        elif isinstance(node, JoinNode) and node.kind == "foreign-key":
            assert isinstance(node.left, SubscribeNode)
            subscriptions, right = build_fk_join(node, ctx, push)
            self.add_entry(ctx.plan.repartition_topic(node.left), subscriptions)
            self.wire(node.right, right)
        elif isinstance(node, JoinNode):
            joins = build_stream_join if node.kind == "stream-stream" else build_join
            left, right = joins(node, ctx, push)
            self.wire(node.left, left)
            self.wire(node.right, right, materialize=node.kind != "stream-table")
        else:
            raise NotImplementedError(f"No operator for {type(node).__name__}")


def build_entries(sub: SubTopology, ctx: BuildContext,
                  sink: Push | None = None) -> dict[str, Entry]:
    """Entry points (one per input topic) of the task running `sub` on `ctx.partition`.
    `sink` replaces the sink operator (transient queries collect rows instead)."""
    wiring = _Wiring(ctx)
    root = sub.root
    if isinstance(root, SinkNode):
        wiring.wire(root.input, sink if sink is not None else build_sink(root, ctx))
    else:
        assert isinstance(root, RekeyNode)
        fk_side = isinstance(root, SubscribeNode | RespondNode)
        wiring.wire(root.input, build_fk_writer(root, ctx) if fk_side else build_writer(root, ctx))
    out: dict[str, Entry] = {}
    for topic, entries in wiring.entries.items():
        if len(entries) == 1:
            out[topic] = entries[0]
        else:
            out[topic] = _fan_out(entries)
    return out


def _fan_out(entries: list[Entry]) -> Entry:
    def entry(record: LogRecord) -> None:
        for one in entries:
            one(record)

    return entry
