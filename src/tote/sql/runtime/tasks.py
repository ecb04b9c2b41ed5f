"""Tasks: one per sub-topology and input partition, each with its processors, state
stores and read positions; a running query is its tasks plus its consumer group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tote.core.records import LogRecord, TopicPartition
from tote.log.base import Log
from tote.registry import Registry
from tote.sql.functions import FunctionRegistry
from tote.sql.planner.physical import PhysicalPlan, SubTopology
from tote.sql.runtime.context import BuildContext, Emit, Handover, Outlet
from tote.sql.runtime.failure import QueryFailed
from tote.sql.runtime.processing_log import ProcessingLog
from tote.sql.runtime.records import Decode, DirectRows, Entry, Hand, RowTaker
from tote.sql.runtime.state import KeyState
from tote.sql.runtime.topology import build_entries


@dataclass(eq=False)
class Task:
    query_id: str
    sub: SubTopology
    partition: int
    inputs: tuple[TopicPartition, ...]
    positions: dict[TopicPartition, int]
    rank: int = 0
    entries: dict[str, Entry] = field(default_factory=dict)
    states: list[KeyState] = field(default_factory=list)
    committed: dict[TopicPartition, int] = field(default_factory=dict)
    table_topics: frozenset[str] = frozenset()
    # Per repartition topic read: where a change handed over in memory goes (the
    # operator after the reader's entry; see `runtime._Outbox.hand_over`).
    routed: dict[str, Hand] = field(default_factory=dict)
    # Per topic its sink hands records along decoded, or its entry takes them so: the
    # decoding shape (`BuildContext.writes`, `.decoded`; see `runtime.Runtime._predicted`).
    writes: dict[str, object] = field(default_factory=dict)
    decoded: dict[str, object] = field(default_factory=dict)
    direct_rows: dict[str, DirectRows] = field(default_factory=dict)
    decoders: dict[str, tuple[object, Decode, RowTaker, Decode]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.query_id}/{self.sub.index}_{self.partition}"

    def process(self, record: LogRecord) -> None:
        """Run one input record through the task; it counts as consumed (a change handed
        over in memory skips this: see `routed`)."""
        entry = self.entries.get(record.topic)
        if entry is not None:
            entry(record)
        # (topic, partition) equals and hashes as the TopicPartition key it finds.
        tp: TopicPartition = record[:2]  # type: ignore[assignment]
        position = self.positions.get(tp)
        if position is None:
            self.positions[TopicPartition(record.topic, record.partition)] = record.offset + 1
        elif position <= record.offset:
            self.positions[tp] = record.offset + 1

    def entry_for(self, topic: str) -> Entry:
        """What takes this task's records of `topic`, WITHOUT moving its position: the
        runtime moves `positions` itself as it queues each record (one Python call less
        per record than a wrapper doing both; `process` is the wrapper)."""
        return self.entries.get(topic, _skip)

    def mark_committed(self) -> None:
        self.committed = dict(self.positions)

    def rollback(self) -> None:
        self.positions = dict(self.committed)
        for state in self.states:
            state.rollback()


@dataclass(eq=False)
class RunningQuery:
    query_id: str
    plan: PhysicalPlan
    tasks: list[Task]
    order: int
    bind: Bind | None = None
    reset: str = "earliest"
    # PAUSE: its tasks read nothing (positions and state kept) until RESUME.
    paused: bool = False
    # Stopped on a record it could not process (ERROR); its tasks read nothing more.
    failure: QueryFailed | None = None

    @property
    def group(self) -> str:
        return self.plan.app_id

    def input_topics(self) -> set[str]:
        return {i.topic for s in self.plan.subtopologies for i in s.inputs if not i.internal}


def _skip(record: LogRecord) -> None:
    """The entry of an input no operator reads (the record only moves the position)."""


# The runtime's side of a task, bound to it: where its records go, in live mode where a
# repartition change may go in memory instead, and its sink's way out
# (`BuildContext.emit`, `.handover`, `.outlets`).
Bind = Callable[[Task], tuple[Emit, Callable[[str], Handover] | None, Callable[[str], Outlet]]]


@dataclass
class TaskFactory:
    log: Log
    registry: Registry | None
    functions: FunctionRegistry
    processing_log: ProcessingLog
    single_partition: bool

    def create(self, plan: PhysicalPlan, order: int, bind: Bind, reset: str) -> RunningQuery:
        tasks: list[Task] = []
        counts: dict[str, int] = {}
        for sub in plan.subtopologies:
            topics = [i.topic for i in sub.inputs]
            partitions = max(self._partitions(t, counts) for t in topics)
            for partition in range(partitions):
                tps = tuple(TopicPartition(t, partition) for t in topics
                            if partition < self._partitions(t, counts))
                tasks.append(self._task(plan, sub, partition, tps=tps, bind=bind, reset=reset,
                                        counts=counts))
        return RunningQuery(plan.query_id, plan, tasks, order, bind, reset)

    def rebuild(self, query: RunningQuery, task: Task) -> Task:
        """A fresh copy of `task` from what the log holds now (committed offsets and
        state), for a task this engine takes over from another."""
        assert query.bind is not None
        return self._task(query.plan, task.sub, task.partition, tps=task.inputs,
                          bind=query.bind, reset=query.reset, counts={})

    def _partitions(self, topic: str, counts: dict[str, int]) -> int:
        if topic not in counts:
            counts[topic] = self.log.describe_topic(topic).spec.partitions
        return counts[topic]

    def _task(self, plan: PhysicalPlan, sub: SubTopology, partition: int, *,
              tps: tuple[TopicPartition, ...], bind: Bind, reset: str,
              counts: dict[str, int]) -> Task:
        committed = self.log.committed(plan.app_id, tps)
        positions: dict[TopicPartition, int] = {}
        for tp in tps:
            if tp in committed:
                positions[tp] = committed[tp]
            else:
                description = self.log.describe_topic(tp.topic)
                info = description.partitions[tp.partition]
                positions[tp] = info.end_offset if reset == "latest" else info.start_offset
        task = Task(plan.query_id, sub, partition, tps, positions,
                    table_topics=_table_topics(sub))
        task.committed = dict(positions)

        task_emit, handover, outlets = bind(task)
        ctx = BuildContext(self.log, self.registry, self.functions, plan, partition, task_emit,
                           self.processing_log, self.single_partition,
                           partition_counts=counts, handover=handover,
                           outlets=outlets)
        task.entries = build_entries(sub, ctx, routed=task.routed)
        task.states = ctx.states
        task.writes, task.decoded = ctx.writes, ctx.decoded
        task.direct_rows, task.decoders = ctx.direct_rows, ctx.decoders
        return task


def _table_topics(sub: SubTopology) -> frozenset[str]:
    """Input topics that feed a table (their updates go first, see `runtime._order`)."""
    from tote.sql.planner.logical import SourceNode, walk

    tables = {n.id for n in walk(sub.root) if isinstance(n, SourceNode) and n.is_table}
    return frozenset(i.topic for i in sub.inputs if i.node_id in tables)
