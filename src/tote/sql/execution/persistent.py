"""Starting, replacing and terminating persistent queries.

A query's id is ksqlDB's: `CSAS_<SINK>_<n>`, `CTAS_<SINK>_<n>`, `INSERTQUERY_<n>`, where
`n` is the command's sequence number in the command topic plus one (or a per-engine
counter without one). Its repartition topics are created with the partition count of
its source topics; its tasks start from the committed offsets of its consumer group
(the reset policy applies only to a brand-new query, whose starting offsets are
committed at once so a restart never skips records).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass

from tote.core.errors import GroupNotFound, TopicNotFound, ToteError
from tote.log.base import Log
from tote.sql.analyzer.queries import QueryPlan
from tote.sql.metastore import MetaStore, QueryRecord
from tote.sql.planner import physical
from tote.sql.planner.physical import PhysicalPlan
from tote.sql.runtime.runtime import Runtime
from tote.sql.runtime.tasks import RunningQuery


@dataclass(frozen=True)
class StartedQuery:
    """A started query and what starting it created, so that `undo_start` can remove
    exactly that (a CREATE OR REPLACE shares its internal topics and consumer group with
    the query it replaces)."""

    query_id: str
    plan: PhysicalPlan
    created_topics: tuple[str, ...] = ()
    created_group: str | None = None


def query_id(plan: QueryPlan, number: int) -> str:
    if plan.kind == "INSERTQUERY":
        return f"INSERTQUERY_{number}"
    return f"{plan.kind}_{plan.sink.name.upper()}_{number}"


def create_internal_topics(log: Log, plan: PhysicalPlan, source_topics: list[str]
                           ) -> tuple[str, ...]:
    """Create the plan's internal topics; those that did not exist yet."""
    partitions = 1
    for topic in source_topics:
        try:
            partitions = max(partitions, log.describe_topic(topic).spec.partitions)
        except TopicNotFound:
            continue
    created = tuple(t for t in plan.internal_topics if not log.topic_exists(t))
    for topic in plan.internal_topics:
        log.ensure_topic(topic, partitions, 1, {"cleanup.policy": "delete"})
    return created


def start_query(runtime: Runtime, log: Log, metastore: MetaStore, plan: QueryPlan, *,
                qid: str, service_id: str, reset: str, sql: str) -> StartedQuery:
    """Register the query in the catalogue and start its tasks."""
    phys = physical.plan(qid, service_id, plan.root)
    source_topics = [s.source.topic for s in plan.built.relations.sources]
    created = create_internal_topics(log, phys, source_topics)
    new_group = None
    try:
        running = runtime.add(phys, reset=reset)
        if not runtime.harness:
            inputs = [tp for task in running.tasks for tp in task.positions]
            new_group = None if log.committed(running.group, inputs) else running.group
            runtime.commit_start(running)
    except Exception:
        runtime.remove(qid)
        # Only the topics made here: a failed CREATE OR REPLACE keeps the replaced
        # query's state (same query id, same internal topic names).
        _delete_topics(log, created)
        raise
    record = QueryRecord(qid, sql, plan.sink.name, plan.sources, plan.sink.topic,
                         creates_sink=plan.create_sink, plan=plan.root)
    metastore.add_query(record)
    return StartedQuery(qid, phys, created, new_group)


def undo_start(runtime: Runtime, log: Log, started: StartedQuery) -> None:
    """Stop a query whose statement then failed, removing only what `start_query` created:
    the internal topics and consumer offsets of a query it replaced stay as they were."""
    runtime.remove(started.query_id)
    _delete_topics(log, started.created_topics)
    if started.created_group is not None:
        with contextlib.suppress(GroupNotFound):
            log.delete_group(started.created_group)


def _delete_topics(log: Log, topics: tuple[str, ...]) -> None:
    for topic in topics:
        with contextlib.suppress(TopicNotFound):
            log.delete_topic(topic)


def stop_query(runtime: Runtime, log: Log, metastore: MetaStore, qid: str,
               cleanup: bool = True) -> QueryRecord:
    """Stop a query's tasks and forget it; `cleanup` also removes its internal topics and
    consumer offsets (TERMINATE), as ksqlDB does."""
    record = metastore.remove_query(qid)
    running = runtime.queries.get(qid)
    runtime.remove(qid)
    if cleanup and running is not None:
        _delete_state(log, running)
    return record


def terminate_queries(runtime: Runtime, log: Log, metastore: MetaStore,
                      qids: Sequence[str]) -> tuple[str, ...]:
    """TERMINATE once its command is recorded, which commits it: the queries leave the
    catalogue first (which cannot fail), then their tasks stop and their internal topics
    and consumer offsets go. A failure there cannot undo the recorded command, so it is
    returned as a warning (the replay at the next start terminates them again, cleaning
    up then)."""
    running = [runtime.queries.get(qid) for qid in qids]
    for qid in qids:
        metastore.remove_query(qid)
    warnings = []
    for qid, query in zip(qids, running, strict=True):
        try:
            runtime.remove(qid)
            if query is not None:
                _delete_state(log, query)
        except ToteError as exc:
            warnings.append(f"Query {qid} was terminated, but removing its internal topics "
                            f"and consumer group failed: {exc.message}")
    return tuple(warnings)


def _delete_state(log: Log, running: RunningQuery) -> None:
    _delete_topics(log, running.plan.internal_topics)
    with contextlib.suppress(GroupNotFound):
        log.delete_group(running.group)
