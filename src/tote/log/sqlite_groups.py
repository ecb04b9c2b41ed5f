"""Consumer groups of the SQLite log, coordinated through the file by every process.

The `members` table is the group: each member refreshes its heartbeat from `poll` (at
most every quarter session timeout, to keep writes rare, so a member's recorded liveness
can lag by that much), and any member's poll removes members silent for longer than
their session timeout. Every membership change
bumps the group's generation; members notice it at their next poll and recompute the
range assignment from the members table, which is the same on every process because it
is sorted by member id. A commit checks the committer's generation inside the write
transaction, so a member that was rebalanced away is fenced instead of overwriting the
new owner's offsets. Liveness uses the injected clock's `now_ms`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

from tote.core.clock import SYSTEM_CLOCK
from tote.core.errors import (
    Conflict,
    Fenced,
    GroupNotFound,
    OffsetOutOfRange,
    PartitionNotFound,
    TopicNotFound,
    ToteError,
)
from tote.core.records import LogRecord, TopicPartition
from tote.log.assignor import range_assign
from tote.log.base import GroupConsumer
from tote.log.record_run import RecordRun
from tote.log.sqlite_lock import write_txn

if TYPE_CHECKING:
    from tote.log.sqlite import SqliteLog

_BUMP = (
    "INSERT INTO groups VALUES (?, 1) "
    "ON CONFLICT (name) DO UPDATE SET generation = generation + 1"
)
_GENERATION = "SELECT generation FROM groups WHERE name = ?"
# What a read gives: a list of LogRecords (`read`) or a RecordRun (`read_run`).
_Batch = TypeVar("_Batch", bound=Sequence[LogRecord])


class GroupTables:
    """SQL over the `groups`, `members` and `offsets` tables; write methods need a write txn."""

    def __init__(self, log: SqliteLog) -> None:
        self._log = log

    def generation(self, conn: sqlite3.Connection, group: str) -> int:
        row = conn.execute(_GENERATION, (group,)).fetchone()
        return int(row[0]) if row else 0

    def changed(self, conn: sqlite3.Connection, group: str, generation: int) -> bool:
        """Whether the group moved past `generation` or has a member due for expiry (a read)."""
        current, expired = conn.execute(
            "SELECT (SELECT generation FROM groups WHERE name = ?1), EXISTS (SELECT 1 FROM "
            "members WHERE grp = ?1 AND heartbeat_ms + session_timeout_ms < ?2)",
            (group, self._log.clock.now_ms()),
        ).fetchone()
        return bool(expired) or (current or 0) != generation

    def expire(self, conn: sqlite3.Connection, group: str) -> None:
        """Remove members silent for longer than their session timeout (bumps the generation)."""
        now = self._log.clock.now_ms()
        gone = conn.execute(
            "DELETE FROM members WHERE grp = ? AND heartbeat_ms + session_timeout_ms < ?",
            (group, now),
        ).rowcount
        if gone:
            conn.execute(_BUMP, (group,))

    def committed(
        self, conn: sqlite3.Connection, group: str, tps: Iterable[TopicPartition]
    ) -> dict[TopicPartition, int]:
        rows = conn.execute(
            "SELECT topic, partition, offset FROM offsets WHERE grp = ?", (group,)
        ).fetchall()
        stored = {TopicPartition(topic, partition): offset for topic, partition, offset in rows}
        return {tp: stored[tp] for tp in tps if tp in stored}

    def write_offsets(
        self, conn: sqlite3.Connection, group: str, offsets: Mapping[TopicPartition, int]
    ) -> None:
        conn.executemany(
            "INSERT INTO offsets VALUES (?, ?, ?, ?) "
            "ON CONFLICT (grp, topic, partition) DO UPDATE SET offset = excluded.offset",
            [(group, tp.topic, tp.partition, int(offset)) for tp, offset in offsets.items()],
        )

    def list(self, conn: sqlite3.Connection) -> list[str]:
        rows = conn.execute(
            "SELECT grp FROM offsets UNION "
            "SELECT grp FROM members WHERE heartbeat_ms + session_timeout_ms >= ? ORDER BY 1",
            (self._log.clock.now_ms(),),
        ).fetchall()
        return [name for (name,) in rows]

    def delete(self, conn: sqlite3.Connection, group: str) -> None:
        self.expire(conn, group)
        members = conn.execute("SELECT count(*) FROM members WHERE grp = ?", (group,)).fetchone()
        if members[0]:
            raise Conflict(f"Consumer group '{group}' is not empty: it has active members.")
        if not conn.execute("DELETE FROM offsets WHERE grp = ?", (group,)).rowcount:
            raise GroupNotFound(group)

    def topic_deleted(self, conn: sqlite3.Connection, topic: str) -> None:
        """Forget offsets of a deleted topic and rebalance groups subscribed to it."""
        conn.execute("DELETE FROM offsets WHERE topic = ?", (topic,))
        rows = conn.execute("SELECT DISTINCT grp, topics FROM members").fetchall()
        for group in sorted({grp for grp, topics in rows if topic in json.loads(topics)}):
            conn.execute(_BUMP, (group,))

    def assignment(
        self, conn: sqlite3.Connection, group: str, member_id: str
    ) -> frozenset[TopicPartition]:
        return self.assignments(conn, group).get(member_id, frozenset())

    def live_members(
        self, conn: sqlite3.Connection, group: str
    ) -> dict[str, frozenset[TopicPartition]]:
        """Each member not yet due for expiry, with what it holds, by member id."""
        live = sorted(member for (member,) in conn.execute(
            "SELECT member_id FROM members WHERE grp = ? AND "
            "heartbeat_ms + session_timeout_ms >= ?", (group, self._log.clock.now_ms())))
        assigned = self.assignments(conn, group)
        return {member: assigned.get(member, frozenset()) for member in live}

    def assignments(
        self, conn: sqlite3.Connection, group: str
    ) -> dict[str, frozenset[TopicPartition]]:
        rows = conn.execute(
            "SELECT member_id, topics FROM members WHERE grp = ?", (group,)
        ).fetchall()
        subscriptions = {member: tuple(json.loads(topics)) for member, topics in rows}
        counts: dict[str, int] = {}
        for topic in {t for topics in subscriptions.values() for t in topics}:
            count = self._log.partition_count(topic)
            if count is not None:
                counts[topic] = count
        return range_assign(subscriptions, counts)


class SqliteGroupConsumer(GroupConsumer):
    """A group member of a SqliteLog. Rebalances are applied at the next poll, as in Kafka."""

    def __init__(
        self,
        log: SqliteLog,
        group: str,
        topics: Sequence[str],
        *,
        member_id: str | None,
        session_timeout_ms: int,
        auto_offset_reset: str,
    ) -> None:
        self._log = log
        self.group = group
        self.member_id = member_id or f"{group}-{uuid.uuid4()}"
        self.topics = tuple(topics)
        self.session_timeout_ms = session_timeout_ms
        self._instance = uuid.uuid4().hex
        self._reset = auto_offset_reset
        self._heartbeat_every_ms = max(session_timeout_ms // 4, 1)
        self._last_heartbeat_ms: int | None = None
        self._generation = -1
        self._assigned: frozenset[TopicPartition] = frozenset()
        self._positions: dict[TopicPartition, int] = {}
        self._lock = threading.RLock()
        self.closed = False
        self._joined = False
        self._left = False
        self._turn = 0

    def belongs_to(self, log: SqliteLog) -> bool:
        return self._log is log

    # -- membership -----------------------------------------------------------------------

    def _heartbeat_due(self) -> bool:
        last = self._last_heartbeat_ms
        return last is None or self._log.clock.now_ms() - last >= self._heartbeat_every_ms

    def _sync(self, conn: sqlite3.Connection) -> None:
        """Heartbeat when due, rejoin after expiry, and pick up a new assignment."""
        if self.closed:
            raise ToteError(f"Consumer '{self.member_id}' of group '{self.group}' is closed.")
        tables = self._log.groups
        if not self._heartbeat_due() and not tables.changed(conn, self.group, self._generation):
            return
        now = self._log.clock.now_ms()
        with write_txn(conn):
            tables.expire(conn, self.group)
            row = conn.execute(
                "SELECT instance FROM members WHERE grp = ? AND member_id = ?",
                (self.group, self.member_id),
            ).fetchone()
            if row is None or (row[0] != self._instance and not self._joined):
                # Join; a new consumer reusing a member id takes it over (static membership).
                conn.execute(
                    "INSERT OR REPLACE INTO members VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        self.group,
                        self.member_id,
                        self._instance,
                        json.dumps(self.topics),
                        self.session_timeout_ms,
                        now,
                    ),
                )
                conn.execute(_BUMP, (self.group,))
            elif row[0] != self._instance:
                raise Fenced(
                    f"Member '{self.member_id}' of group '{self.group}' was fenced by a newer "
                    "consumer with the same member id."
                )
            else:
                conn.execute(
                    "UPDATE members SET heartbeat_ms = ? WHERE grp = ? AND member_id = ?",
                    (now, self.group, self.member_id),
                )
            generation = tables.generation(conn, self.group)
            if generation != self._generation:
                self._rebalance(conn, generation)
        self._joined = True
        self._last_heartbeat_ms = now

    def _rebalance(self, conn: sqlite3.Connection, generation: int) -> None:
        tables = self._log.groups
        assigned = tables.assignment(conn, self.group, self.member_id)
        fresh = assigned - self._assigned
        committed = tables.committed(conn, self.group, fresh)
        positions = {tp: pos for tp, pos in self._positions.items() if tp in assigned}
        for tp in fresh:
            positions[tp] = committed[tp] if tp in committed else self._reset_position(tp)
        self._positions = positions
        self._assigned = assigned
        self._generation = generation

    def _reset_position(self, tp: TopicPartition) -> int:
        bounds = self._log.bounds(tp)
        if bounds is None:
            return 0
        return bounds[0] if self._reset == "earliest" else bounds[1]

    def check_current(self, conn: sqlite3.Connection) -> None:
        """Inside a write txn: raise Fenced unless this member is in the current generation."""
        tables = self._log.groups
        tables.expire(conn, self.group)
        row = conn.execute(
            "SELECT instance FROM members WHERE grp = ? AND member_id = ?",
            (self.group, self.member_id),
        ).fetchone()
        generation = tables.generation(conn, self.group)
        if self.closed or row is None or row[0] != self._instance or generation != self._generation:
            raise Fenced(
                f"Commit cannot be completed since the group '{self.group}' has already "
                f"rebalanced and assigned the partitions to another member (member "
                f"'{self.member_id}' is not in generation {generation})."
            )

    # -- fetching -------------------------------------------------------------------------

    def _fetch(self, max_records: int, read: Callable[[TopicPartition, int, int], _Batch]
               ) -> list[_Batch]:
        """What `read` gives past the positions (non-empty batches), taking partitions in
        turn so none starves."""
        tps = sorted(self._assigned)
        out: list[_Batch] = []
        count = 0
        self._turn += 1
        for i in range(len(tps)):
            if count >= max_records:
                break
            tp = tps[(self._turn + i) % len(tps)]
            position = self._positions[tp]
            try:
                try:
                    batch = read(tp, position, max_records - count)
                except OffsetOutOfRange:
                    position = self._reset_position(tp)
                    batch = read(tp, position, max_records - count)
            except (TopicNotFound, PartitionNotFound):
                continue
            if batch:
                position = batch[-1].offset + 1
                out.append(batch)
                count += len(batch)
            else:
                bounds = self._log.bounds(tp)
                if bounds is not None:
                    position = max(position, bounds[0])
            self._positions[tp] = position
        return out

    def _should_wake(self, conn: sqlite3.Connection) -> bool:
        if self.closed or self._heartbeat_due():
            return True
        if self._log.groups.generation(conn, self.group) != self._generation:
            return True
        return self._log.available(self._positions)

    def poll(self, timeout: float = 1.0, max_records: int = 1000) -> list[LogRecord]:
        batches = self._poll(timeout, max_records, self._log.read)
        if len(batches) == 1:
            return batches[0]
        records: list[LogRecord] = []
        for batch in batches:
            records.extend(batch)
        return records

    def poll_runs(self, timeout: float = 1.0, max_records: int = 1000) -> list[RecordRun]:
        return self._poll(timeout, max_records, self._log.read_run)

    def _poll(self, timeout: float, max_records: int,
              read: Callable[[TopicPartition, int, int], _Batch]) -> list[_Batch]:
        with self._lock:
            conn = self._log.conn()
            self._sync(conn)
            batches = self._fetch(max_records, read)
            if batches or timeout <= 0 or max_records <= 0:
                return batches
            deadline = SYSTEM_CLOCK.monotonic() + timeout
            while True:
                seq = self._log.change_seq
                while not self._should_wake(conn):
                    remaining = deadline - SYSTEM_CLOCK.monotonic()
                    if remaining <= 0:
                        return []
                    heartbeat_s = self._heartbeat_every_ms / 1000
                    seq = self._log.wait_change(
                        seq, min(remaining, heartbeat_s), self._assigned, self.group
                    )
                if self.closed:
                    return []
                self._sync(conn)
                batches = self._fetch(max_records, read)
                if batches or SYSTEM_CLOCK.monotonic() >= deadline:
                    return batches

    # -- positions and commits ------------------------------------------------------------

    def assignment(self) -> frozenset[TopicPartition]:
        with self._lock:
            return self._assigned

    def _check_assigned(self, tp: TopicPartition) -> None:
        if tp not in self._assigned:
            raise Conflict(f"No current assignment for partition {tp.topic}-{tp.partition}.")

    def position(self, tp: TopicPartition) -> int:
        with self._lock:
            self._check_assigned(tp)
            return self._positions[tp]

    def seek(self, tp: TopicPartition, offset: int) -> None:
        with self._lock:
            self._check_assigned(tp)
            self._positions[tp] = offset

    def commit(self, offsets: Mapping[TopicPartition, int] | None = None) -> None:
        with self._lock:
            chosen = dict(self._positions) if offsets is None else dict(offsets)
            self._log.check_offsets(chosen)
            conn = self._log.conn()
            now = self._log.clock.now_ms()
            with write_txn(conn):
                self.check_current(conn)
                conn.execute(
                    "UPDATE members SET heartbeat_ms = ? WHERE grp = ? AND member_id = ?",
                    (now, self.group, self.member_id),
                )
                self._log.groups.write_offsets(conn, self.group, chosen)
            self._last_heartbeat_ms = now

    def close(self) -> None:
        self.closed = True
        self._log.notify()
        with self._lock:
            if self._left:
                return
            self._left = True
            conn = self._log.conn()
            with write_txn(conn):
                left = conn.execute(
                    "DELETE FROM members WHERE grp = ? AND member_id = ? AND instance = ?",
                    (self.group, self.member_id, self._instance),
                ).rowcount
                if left:
                    conn.execute(_BUMP, (self.group,))
