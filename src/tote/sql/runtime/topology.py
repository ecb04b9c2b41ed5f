"""Wiring one sub-topology of a query into processors for one partition (a task).

The walk starts at the sub-topology's root (the sink, or the writer of a repartition
topic) and goes down to where records enter: source topics and repartition topics read
back. Each logical node type has one builder; adding an operator means adding a node
type and a builder here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tote.core.errors import ToteError
from tote.core.records import LogRecord
from tote.sql.planner.foreign_key import RespondNode, SubscribeNode
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
from tote.sql.planner.physical import SubTopology, is_boundary
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.failure import OperatorError
from tote.sql.runtime.operators.aggregate import build_aggregate
from tote.sql.runtime.operators.fk_join import build_fk_join, build_fk_writer, build_result_reader
from tote.sql.runtime.operators.flat_map import build_flat_map
from tote.sql.runtime.operators.join import build_join, build_stream_table
from tote.sql.runtime.operators.repartition import build_reader, build_writer
from tote.sql.runtime.operators.sink import build_sink
from tote.sql.runtime.operators.source import build_source
from tote.sql.runtime.operators.stream_join import build_stream_join
from tote.sql.runtime.operators.transform import (
    Fuse,
    build_filter,
    build_project,
    build_rekey,
    project_fuse,
)
from tote.sql.runtime.operators.windowed import build_windowed_aggregate
from tote.sql.runtime.records import Entry, Hand, Push, Rec

_In = TypeVar("_In")


class _Wiring:
    def __init__(self, ctx: BuildContext) -> None:
        self.ctx = ctx
        self.entries: dict[str, list[Entry]] = {}
        self.routed: dict[str, Hand] = {}

    def add_entry(self, topic: str, entry: Entry) -> None:
        self.entries.setdefault(topic, []).append(entry)

    def wire(self, node: Node, push: Push, materialize: bool = True, old: bool = True) -> None:
        """Build `node`'s operator feeding `push`, then its inputs'. `old`: whether `push`
        reads a table change's previous row (Kafka Streams' "send old values"); where
        nothing downstream does, projections and aggregates skip computing it."""
        ctx = self.ctx
        if isinstance(node, SourceNode):
            self.add_entry(node.source.topic, build_source(node, ctx, push, materialize))
        elif is_boundary(node):
            assert isinstance(node, RekeyNode)
            topic = ctx.plan.repartition_topic(node)
            if isinstance(node, RespondNode):
                entry, handed = build_result_reader(node, ctx, push, keep_old=old)
                self.add_entry(topic, _headerless(ctx, entry))
                self.routed[topic] = _handed(ctx, handed)
            else:
                self.add_entry(topic, build_reader(node, ctx, push))
                self.routed[topic] = _handed(ctx, push)
            if len(self.entries[topic]) > 1:  # read twice: no hand-over, read it back
                self.routed.pop(topic, None)
        elif isinstance(node, FilterNode):
            self.wire(node.input, build_filter(node, ctx, push))
        elif isinstance(node, ProjectNode) and _folds(node.input):
            # The projection straight after a GROUP BY, a PARTITION BY or a stream-table
            # join is generated into that operator's function (its other records go
            # through the projection's own).
            project = build_project(node, ctx, push, keep_old=old)
            fuse = project_fuse(node, ctx, push, keep_old=old)
            before = node.input
            if isinstance(before, AggregateNode):
                self.wire(before.input, build_aggregate(before, ctx, project, emit_old=old,
                                                        fuse=fuse))
            elif isinstance(before, JoinNode):
                self.stream_table(before, project, fuse)
            else:
                assert isinstance(before, RekeyNode)
                self.wire(before.input, build_rekey(before, ctx, project, fuse=fuse), old=old)
        elif isinstance(node, ProjectNode):
            self.wire(node.input, build_project(node, ctx, push, keep_old=old), old=old)
        elif isinstance(node, FlatMapNode):
            self.wire(node.input, build_flat_map(node, ctx, push), old=False)
        elif isinstance(node, RekeyNode):
            self.wire(node.input, build_rekey(node, ctx, push), old=old)
        elif isinstance(node, AggregateNode) and node.window is None:
            self.wire(node.input, build_aggregate(node, ctx, push, emit_old=old))
        elif isinstance(node, AggregateNode):
            self.wire(node.input, build_windowed_aggregate(node, ctx, push))
        elif isinstance(node, JoinNode) and node.kind == "foreign-key":
            assert isinstance(node.left, SubscribeNode)
            subscriptions, handed, right = build_fk_join(node, ctx, push)
            topic = ctx.plan.repartition_topic(node.left)
            self.add_entry(topic, _headerless(ctx, subscriptions))
            self.routed[topic] = _handed(ctx, handed)
            if len(self.entries[topic]) > 1:  # read twice: no hand-over, read it back
                self.routed.pop(topic, None)
            self.wire(node.right, right, materialize=False)
        elif isinstance(node, JoinNode) and node.kind == "stream-table":
            self.stream_table(node, push)
        elif isinstance(node, JoinNode):
            joins = build_stream_join if node.kind == "stream-stream" else build_join
            left, right = joins(node, ctx, push)
            self.wire(node.left, left)
            self.wire(node.right, right)
        else:
            raise NotImplementedError(f"No operator for {type(node).__name__}")

    def stream_table(self, node: JoinNode, push: Push, fuse: Fuse | None = None) -> None:
        """Build a stream-table join feeding `push` (with `fuse`, generated into the
        join's stream side: see `build_stream_table`), then its inputs'."""
        left, right, store = build_stream_table(node, self.ctx, push, fuse)
        self.wire(node.left, left)
        if isinstance(node.right, SourceNode):
            # The table's changes only fill the join's table: no Rec for them.
            self.add_entry(node.right.source.topic,
                           build_source(node.right, self.ctx, right, False, store=store))
        else:
            self.wire(node.right, right, materialize=False)


def build_entries(sub: SubTopology, ctx: BuildContext, sink: Push | None = None,
                  routed: dict[str, Hand] | None = None) -> dict[str, Entry]:
    """Entry points (one per input topic) of the task running `sub` on `ctx.partition`.
    `sink` replaces the sink operator (transient queries collect rows instead);
    `routed` receives, per repartition topic read, where a change handed over in memory
    goes (see `runtime._Outbox.hand_over`)."""
    wiring = _Wiring(ctx)
    root = sub.root
    if isinstance(root, SinkNode):
        # The sink writes the new row only; a transient query's collector may want both.
        wiring.wire(root.input, sink if sink is not None else build_sink(root, ctx),
                    old=sink is not None)
    else:
        assert isinstance(root, RekeyNode)
        fk_side = isinstance(root, SubscribeNode | RespondNode)
        # A subscription writer remembers foreign keys itself: its left table's source
        # need not keep whole rows.
        wiring.wire(root.input, build_fk_writer(root, ctx) if fk_side else build_writer(root, ctx),
                    materialize=not isinstance(root, SubscribeNode))
    if routed is not None:
        routed.update(wiring.routed)
    out: dict[str, Entry] = {}
    for topic, entries in wiring.entries.items():
        if len(entries) == 1:
            out[topic] = entries[0]
        else:
            out[topic] = _fan_out(entries)
            ctx.decoded.pop(topic, None)  # (a record handed over decoded: one entry's)
            ctx.direct_rows.pop(topic, None)
            ctx.decoders.pop(topic, None)
    return out


def _folds(node: Node) -> bool:
    """Whether `node` generates the projection after it into its own function."""
    if isinstance(node, AggregateNode):
        return node.window is None
    if isinstance(node, JoinNode):
        return node.kind == "stream-table"
    return isinstance(node, RekeyNode) and not is_boundary(node) and bool(node.keys)


def _headerless(ctx: BuildContext, take: Callable[[_In], None]) -> Callable[[_In], None]:
    """`take` for what reaches it without the headers of a user's record (a change handed
    over in memory, a foreign-key join's internal records): what it causes has none."""
    current = ctx.current

    def taken(item: _In) -> None:
        current.headers = ()
        take(item)

    return taken


def _handed(ctx: BuildContext, take: Push) -> Hand:
    """Where a change handed over in memory goes (`Task.routed`): `take`, without the
    headers of a user's record (as `_headerless`). It is also the `Hand` a writer calls
    at once (`Runtime._hand`): it says True, and a failure is this task's, as `_drain`
    would tell."""
    current = ctx.current

    def taken(rec: Rec) -> bool:
        current.headers = ()
        try:
            take(rec)
        except (ToteError, OperatorError):
            raise
        except Exception as exc:
            raise OperatorError(taken, exc) from exc
        return True

    return taken


def _fan_out(entries: list[Entry]) -> Entry:
    def entry(record: LogRecord) -> None:
        for one in entries:
            one(record)

    return entry
