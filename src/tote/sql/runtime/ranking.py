"""Dependency order of sub-topologies across all running queries.

A sub-topology that reads a topic another one writes (a query's sink, or a repartition
topic) ranks after it. Processing work in rank order is what makes a record reach
quiescence: everything a record causes upstream is done before a downstream step (a
join, say) sees it. Cycles (INSERT INTO loops) are broken by creation order; records
going "backwards" are then read from the log in a later step.
"""

from __future__ import annotations

from collections.abc import Sequence

from tote.sql.planner.logical import RekeyNode, SinkNode
from tote.sql.planner.physical import SubTopology
from tote.sql.runtime.tasks import RunningQuery


def written_topic(query: RunningQuery, sub: SubTopology) -> str:
    """The one topic `sub` writes: its query's sink, or a repartition topic."""
    root = sub.root
    if isinstance(root, SinkNode):
        return root.target.topic
    assert isinstance(root, RekeyNode)
    return query.plan.repartition_topic(root)


def assign_ranks(queries: Sequence[RunningQuery]) -> None:
    """Set `task.rank` for every task of every query."""
    nodes = [(q, s) for q in sorted(queries, key=lambda q: q.order)
             for s in q.plan.subtopologies]
    writers: dict[str, list[int]] = {}
    for index, (query, sub) in enumerate(nodes):
        writers.setdefault(written_topic(query, sub), []).append(index)
    deps: list[set[int]] = []
    for index, (_, sub) in enumerate(nodes):
        found: set[int] = set()
        for inp in sub.inputs:
            found.update(w for w in writers.get(inp.topic, []) if w != index)
        deps.append(found)
    rank: dict[int, int] = {}
    remaining = list(range(len(nodes)))
    next_rank = 0
    while remaining:
        ready = [i for i in remaining if deps[i] <= set(rank)]
        if not ready:
            ready = [remaining[0]]
        for i in ready:
            rank[i] = next_rank
            next_rank += 1
            remaining.remove(i)
    for index, (query, sub) in enumerate(nodes):
        for task in query.tasks:
            if task.sub.index == sub.index:
                task.rank = rank[index]
