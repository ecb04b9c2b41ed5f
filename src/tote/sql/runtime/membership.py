"""Sharing persistent queries among engines on one log, through consumer groups.

Every engine joins each running query's consumer group (the query's app id, as in
ksqlDB) with one member subscribed to the query's input topics; the log's range
assignor splits the partitions among the live members, and a task runs on the engine
that owns its first input partition (co-partitioned inputs share the range). A member
that stops heartbeating (a killed server) drops out after its session timeout and its
tasks move to the others. A query's tasks are made before its member joins (which can take
seconds on Kafka); if another engine committed progress meanwhile, they are rebuilt from
the log before they run here.

Consumed offsets are committed through the member, so a commit by an engine that lost
a task in a rebalance it has not yet seen fails (Fenced) instead of doubling outputs;
the runtime then re-syncs and rebuilds its tasks from what was committed.
"""

from __future__ import annotations

import time

from tote.core.records import TopicPartition
from tote.log.base import GroupConsumer, Log
from tote.sql.runtime.tasks import RunningQuery, Task

SYNC_EVERY_S = 0.5
SESSION_TIMEOUT_MS = 10_000


class Membership:
    def __init__(self, log: Log, instance_id: str) -> None:
        self.log = log
        self.instance_id = instance_id
        self._members: dict[str, GroupConsumer] = {}
        self._owned: dict[str, frozenset[TopicPartition]] = {}
        self._next_sync = 0.0

    def join(self, query: RunningQuery) -> None:
        topics = sorted({tp.topic for task in query.tasks for tp in task.inputs})
        member = self.log.consumer(query.group, topics,
                                   member_id=f"{query.group}-{self.instance_id}",
                                   session_timeout_ms=SESSION_TIMEOUT_MS)
        self._members[query.query_id] = member
        owned = member.assignment()
        # If stale, nothing counts as owned until the next sync reports the assignment
        # as a change: the runtime then rebuilds those tasks from what is committed.
        self._owned[query.query_id] = frozenset() if self._moved_on(query, owned) else owned
        self._next_sync = 0.0  # the member polls before the query's first commit

    def _moved_on(self, query: RunningQuery, owned: frozenset[TopicPartition]) -> bool:
        """Whether another engine committed progress on `owned` partitions since the
        query's tasks were made (it ran them while this member waited for the group)."""
        started = {tp: task.committed.get(tp) for task in query.tasks
                   if task.inputs and task.inputs[0] in owned for tp in task.inputs}
        committed = self.log.committed(query.group, started)
        return any(started[tp] != offset for tp, offset in committed.items())

    def leave(self, query_id: str) -> None:
        member = self._members.pop(query_id, None)
        self._owned.pop(query_id, None)
        if member is not None:
            member.close()

    def close(self) -> None:
        for query_id in list(self._members):
            self.leave(query_id)

    def member(self, query_id: str) -> GroupConsumer:
        return self._members[query_id]

    def owns(self, task: Task) -> bool:
        owned = self._owned.get(task.query_id)
        return owned is not None and bool(task.inputs) and task.inputs[0] in owned

    def due(self) -> bool:
        return time.monotonic() >= self._next_sync

    def sync(self) -> bool:
        """Heartbeat every member and take part in rebalances; True if any query's
        assignment changed."""
        self._next_sync = time.monotonic() + SYNC_EVERY_S
        changed = False
        for query_id, member in self._members.items():
            member.poll(timeout=0, max_records=0)
            owned = member.assignment()
            if owned != self._owned.get(query_id):
                self._owned[query_id] = owned
                changed = True
        return changed
