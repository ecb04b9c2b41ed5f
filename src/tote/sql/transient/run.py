"""Running a transient query's plan over its source topics, without writing anything.

The same operators as persistent queries (`tote.sql.runtime`), built for one task that
reads every partition: its state lives in memory only, its repartition records go
straight to the operators reading them (no internal topics are created), and the rows
reaching the end of the plan are handed to a callback instead of a sink topic. The
reader follows the topics from `auto.offset.reset` (earliest or latest), merging
partitions by record timestamp as a Kafka Streams task does.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

from tote.core.errors import TopicNotFound
from tote.core.records import LogRecord, Record, TimestampType, TopicPartition
from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.log.wake import Wake
from tote.registry import Registry
from tote.sql.functions import FunctionRegistry
from tote.sql.planner import physical
from tote.sql.planner.logical import SinkNode
from tote.sql.planner.physical import PhysicalPlan
from tote.sql.runtime.context import BuildContext
from tote.sql.runtime.processing_log import ProcessingLog
from tote.sql.runtime.records import Entry, Push
from tote.sql.runtime.topology import build_entries
from tote.sql.transient.builder import TransientPlan

BATCH = 500


@dataclass
class MemoryContext(BuildContext):
    """Operators' state in a private in-memory store: nothing outlives the query."""

    scratch: MemoryLog = field(default_factory=MemoryLog)

    def state_log(self) -> Log:
        return self.scratch


def physical_plan(plan: TransientPlan, query_id: str, service_id: str) -> PhysicalPlan:
    """Cut the plan into sub-topologies. The sink node only marks the end of the plan:
    its target (the first source) is never written."""
    projection = plan.projection
    target = plan.relations.sources[0].source
    root = SinkNode("Sink", projection.schema, projection.is_table, projection, target)
    return physical.plan(query_id, service_id, root)


class TransientRun:
    """One transient query's operators and read positions; not thread-safe (one reader)."""

    def __init__(self, log: Log, registry: Registry | None, functions: FunctionRegistry,
                 processing_log: ProcessingLog, plan: PhysicalPlan, *, sink: Push,
                 reset: str, admit: Callable[[LogRecord], bool] | None = None) -> None:
        self.log = log
        # Records of the source topics that the plan sees (None: all of them).
        self._admit = admit
        self._offsets = itertools.count()
        ctx = MemoryContext(log, registry, functions, plan, 0, self._emit, processing_log,
                             single_partition=True)
        self._states = ctx.states
        entries: dict[str, list[Entry]] = {}
        internal = set(plan.internal_topics)
        for sub in plan.subtopologies:
            root_sink = sink if isinstance(sub.root, SinkNode) else None
            for topic, entry in build_entries(sub, ctx, root_sink).items():
                entries.setdefault(topic, []).append(entry)
        self._entries: dict[str, Callable[[LogRecord], None]] = {
            t: _fan_out(e) for t, e in entries.items()}
        self.topics = sorted(t for t in entries if t not in internal)
        self.positions: dict[TopicPartition, int] = {}
        for topic in self.topics:
            for info in log.describe_topic(topic).partitions:
                tp = TopicPartition(topic, info.partition)
                self.positions[tp] = info.end_offset if reset == "latest" \
                    else info.start_offset

    def end_offsets(self) -> dict[TopicPartition, int]:
        """Where each input partition ends now (what a stream pull query reads up to)."""
        out: dict[TopicPartition, int] = {}
        for topic in self.topics:
            try:
                for info in self.log.describe_topic(topic).partitions:
                    out[TopicPartition(topic, info.partition)] = info.end_offset
            except TopicNotFound:
                continue
        return out

    def _emit(self, topic: str, record: Record) -> None:
        """Repartition records go straight to the operators reading them."""
        entry = self._entries.get(topic)
        if entry is None:
            return
        stamp = record.timestamp if record.timestamp is not None else 0
        entry(LogRecord(topic, 0, next(self._offsets), record.key, record.value,
                        record.headers, stamp, TimestampType.CREATE_TIME))

    def step(self, limit_to: dict[TopicPartition, int] | None = None,
             stop: Callable[[], bool] | None = None) -> int:
        """Process the records available now (at most BATCH per partition); how many.

        `limit_to` bounds each partition (stream pull queries); `stop` is asked after
        every record (LIMIT reached, query closed).
        """
        batches: dict[TopicPartition, list[LogRecord]] = {}
        for tp, position in self.positions.items():
            end = limit_to.get(tp, 0) if limit_to is not None else None
            if end is not None and position >= end:
                continue
            try:
                records = self.log.read(tp, position, BATCH)
            except TopicNotFound:
                continue
            if end is not None:
                records = [r for r in records if r.offset < end]
            if records:
                batches[tp] = records
        count = 0
        for record in _merge(batches):
            entry = self._entries.get(record.topic)
            if entry is not None and (self._admit is None or self._admit(record)):
                entry(record)
            self.positions[TopicPartition(record.topic, record.partition)] = record.offset + 1
            for state in self._states:
                state.commit()
            count += 1
            if stop is not None and stop():
                break
        return count

    def wait(self, timeout: float, wake: Wake | None = None) -> None:
        """Block until a source partition has new records, `timeout` passes, or `wake`
        is set (a push query closed from another thread)."""
        if self.positions:
            if wake is None:
                self.log.wait(self.positions, timeout)
            else:
                self.log.wait_or_wake(self.positions, timeout, wake)


def _fan_out(entries: list[Entry]) -> Callable[[LogRecord], None]:
    if len(entries) == 1:
        return entries[0]

    def entry(record: LogRecord) -> None:
        for one in entries:
            one(record)

    return entry


def _merge(batches: dict[TopicPartition, list[LogRecord]]) -> list[LogRecord]:
    """Interleave partitions by timestamp, keeping each partition's order."""
    heads = [(records[0].timestamp, tp.topic, tp.partition, 0, tp)
             for tp, records in batches.items()]
    heapq.heapify(heads)
    out: list[LogRecord] = []
    while heads:
        _, topic, partition, index, tp = heapq.heappop(heads)
        records = batches[tp]
        out.append(records[index])
        if index + 1 < len(records):
            heapq.heappush(heads, (records[index + 1].timestamp, topic, partition,
                                   index + 1, tp))
    return out
