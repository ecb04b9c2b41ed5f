"""Which tasks take their in-step records by a direct call rather than from a lane.

`Runtime._drain` takes queued work lane by lane (by rank, a task's table inputs before
its stream inputs), which brings a record to quiescence in dependency order. Calling a
reader as its writer emits (depth first) skips the queue, and gives every task the same
records in the same order, and every partition the same records in the same order, when:

- no topic read here has more than one writer among the running tasks, so a partition's
  records keep their one writer's order, however early that writer ran;
- no cycle runs through the topics (an INSERT INTO loop), so no record a task writes can
  reach a reader of the record that caused it before that reader has taken it;
- a task called directly reads one partition, so nothing can overtake its input;
- a task still queued reads one topic per lane at most, so each lane fills in its one
  writer's order.

Each task's input, lane by lane, is then its writer's output in order (by induction from
the records read from the log), and a queued lane is complete when it is drained: every
writer to it ranks before its reader, and runs no later than in the queued order. Where
the conditions fail anywhere, every task is queued, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import cast

from tote.core.records import TopicPartition
from tote.sql.planner.logical import JoinNode, walk
from tote.sql.runtime.ranking import written_topic
from tote.sql.runtime.tasks import RunningQuery, Task

Turn = tuple[int, int]
"""When a record reaches a task within a step, in the order of the step: (0, rank) as
`run_records` hands a record read from the log to a reader called at once (in rank
order, before the lanes drain), (1, lane) as a queued task's lane drains."""


def direct_tasks(queries: Iterable[RunningQuery],
                 readers: Mapping[TopicPartition, Sequence[Task]]) -> frozenset[int]:
    """The ids of the tasks (among `readers`', those that run here) to call directly."""
    running = {id(t): t for tasks in readers.values() for t in tasks}
    writer: dict[str, Task] = {}
    writes: dict[int, str] = {}
    for query in queries:
        for task in query.tasks:
            if id(task) in running:
                topic = written_topic(query, task.sub)
                if topic in writer:
                    writer[topic] = _MANY
                else:
                    writer[topic] = task
                writes[id(task)] = topic
    read = {tp.topic for t in running.values() for tp in t.inputs}
    if any(writer.get(topic) is _MANY for topic in read) or _cyclic(running.values(), writes):
        return frozenset()
    ordered = sorted(running.values(), key=lambda t: t.rank)
    direct: set[int] = set()
    # Per topic a record read from the log may come from (one record per drain), when
    # each task's writes happen: what a reader of them decides by.
    causes: dict[str, dict[int, set[Turn]]] = {topic: {} for topic in read}
    for task in ordered:
        topics = {tp.topic for tp in task.inputs}
        if len(topics) == 1 or _tables_first(task, topics, writer, causes):
            direct.add(id(task))
        elif not _one_topic_per_lane(task):
            return frozenset()
        for source, caused in causes.items():
            turns: set[Turn] = set()
            for topic in topics - _quiet(task):
                turns |= _arrivals(task, topic, source, writer, caused,
                                    direct=id(task) in direct)
            caused[id(task)] = turns
    return frozenset(direct)


_MANY: Task = cast(Task, object())  # (a topic's writers: more than one)


def _arrivals(task: Task, topic: str, source: str, writer: Mapping[str, Task],
              caused: Mapping[int, set[Turn]], *, direct: bool) -> set[Turn]:
    """When `task` takes records of `topic` in a drain that starts with a record of
    `source` read from the log."""
    found = writer.get(topic)
    turns = set(caused.get(id(found), ())) if found is not None else set()
    if direct:
        if topic == source:
            turns.add((0, task.rank))
        return turns
    if topic == source or turns:
        turns = {(1, 2 * task.rank + (0 if topic in task.table_topics else 1))}
    return turns


def _tables_first(task: Task, topics: set[str], writer: Mapping[str, Task],
                  causes: Mapping[str, Mapping[int, set[Turn]]]) -> bool:
    """Whether `task` (a table and a stream input) can be called at once: in any drain,
    every table record it takes reaches it before any stream record does, as its lanes
    would give them to it."""
    tables = topics & task.table_topics
    if len(topics) != 2 or len(tables) != 1:
        return False
    (table,), (stream,) = tables, topics - tables
    for source, caused in causes.items():
        first = _arrivals(task, table, source, writer, caused, direct=True)
        then = _arrivals(task, stream, source, writer, caused, direct=True)
        if first and then and max(first) >= min(then):
            return False
    return True


def _quiet(task: Task) -> set[str]:
    """Input topics whose records never make `task` write (a stream-table join's table
    side only updates the table), so they cause nothing downstream."""
    quiet: set[str] = set()
    for node in walk(task.sub.root):
        if isinstance(node, JoinNode) and node.kind == "stream-table":
            under = {n.id for n in walk(node.right)}
            quiet.update(i.topic for i in task.sub.inputs if i.node_id in under)
    return quiet


def _one_topic_per_lane(task: Task) -> bool:
    tables = [tp for tp in task.inputs if tp.topic in task.table_topics]
    streams = [tp for tp in task.inputs if tp.topic not in task.table_topics]
    return len(tables) <= 1 and len(streams) <= 1

def _cyclic(tasks: Iterable[Task], writes: Mapping[int, str]) -> bool:
    """Whether some topic reaches itself: read by a task whose writes lead back to it."""
    leads: dict[str, set[str]] = {}
    for task in tasks:
        for tp in task.inputs:
            leads.setdefault(tp.topic, set()).add(writes[id(task)])
    done: set[str] = set()
    on_path: set[str] = set()

    def visit(topic: str) -> bool:
        if topic in on_path:
            return True
        if topic in done:
            return False
        on_path.add(topic)
        found = any(visit(nxt) for nxt in leads.get(topic, ()))
        on_path.discard(topic)
        done.add(topic)
        return found

    return any(visit(topic) for topic in list(leads))
