"""Consumer groups of the memory log: membership, range assignment, generations, offsets.

The coordinator is plain data guarded by the log's one lock (callers hold it). Liveness is
measured on the injected clock, so a test with a `ManualClock` expires a member by moving
time, exactly like a real member that stopped polling for longer than its session timeout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tote.core.clock import Clock
from tote.core.errors import Conflict, Fenced, GroupNotFound, ToteError
from tote.core.records import LogRecord, TopicPartition
from tote.log.assignor import range_assign
from tote.log.base import GroupConsumer

if TYPE_CHECKING:
    from tote.log.memory import MemoryLog


@dataclass
class _Member:
    consumer: MemoryGroupConsumer
    topics: tuple[str, ...]
    session_timeout_ms: int
    last_seen: float


@dataclass
class _Group:
    generation: int = 0
    members: dict[str, _Member] = field(default_factory=dict)
    assignment: dict[str, frozenset[TopicPartition]] = field(default_factory=dict)
    offsets: dict[TopicPartition, int] = field(default_factory=dict)


class GroupCoordinator:
    """What a Kafka group coordinator keeps, for one process. Callers hold the log's lock."""

    def __init__(self, clock: Clock, partitions_of: Callable[[str], int | None]) -> None:
        self._clock = clock
        self._partitions_of = partitions_of
        self._groups: dict[str, _Group] = {}

    def join(self, group: str, member_id: str, consumer: MemoryGroupConsumer) -> None:
        """Add (or replace: static membership fences the older holder) a member; rebalance."""
        state = self._groups.setdefault(group, _Group())
        state.members[member_id] = _Member(
            consumer, consumer.topics, consumer.session_timeout_ms, self._clock.monotonic()
        )
        self._rebalance(state)

    def leave(self, group: str, member_id: str, consumer: MemoryGroupConsumer) -> None:
        state = self._groups.get(group)
        if state is None or self.holder(group, member_id) is not consumer:
            return
        del state.members[member_id]
        self._rebalance(state)

    def holder(self, group: str, member_id: str) -> MemoryGroupConsumer | None:
        """The consumer currently registered under `member_id`, if it is still a member."""
        state = self._groups.get(group)
        member = state.members.get(member_id) if state else None
        return member.consumer if member else None

    def heartbeat(self, group: str, member_id: str) -> None:
        self._groups[group].members[member_id].last_seen = self._clock.monotonic()

    def generation(self, group: str) -> int:
        state = self._groups.get(group)
        return state.generation if state else 0

    def assignment(self, group: str, member_id: str) -> frozenset[TopicPartition]:
        state = self._groups.get(group)
        return state.assignment.get(member_id, frozenset()) if state else frozenset()

    def expire(self) -> None:
        """Drop members silent for longer than their session timeout, rebalancing their groups."""
        now = self._clock.monotonic()
        for state in self._groups.values():
            dead = [
                member_id
                for member_id, member in state.members.items()
                if (now - member.last_seen) * 1000 > member.session_timeout_ms
            ]
            for member_id in dead:
                del state.members[member_id]
            if dead:
                self._rebalance(state)

    def topic_deleted(self, topic: str) -> None:
        """Forget offsets of a deleted topic and take its partitions away from members."""
        for state in self._groups.values():
            for tp in [tp for tp in state.offsets if tp.topic == topic]:
                del state.offsets[tp]
            if any(topic in member.topics for member in state.members.values()):
                self._rebalance(state)

    def committed(self, group: str, tps: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        state = self._groups.get(group)
        if state is None:
            return {}
        return {tp: state.offsets[tp] for tp in tps if tp in state.offsets}

    def commit(self, group: str, offsets: Mapping[TopicPartition, int]) -> None:
        self._groups.setdefault(group, _Group()).offsets.update(offsets)

    def members(self, group: str) -> dict[str, frozenset[TopicPartition]]:
        """Each live member's assignment, by member id (sorted)."""
        self.expire()
        state = self._groups.get(group)
        if state is None:
            return {}
        return {m: state.assignment.get(m, frozenset()) for m in sorted(state.members)}

    def live_groups(self) -> list[str]:
        self.expire()
        return sorted(name for name, st in self._groups.items() if st.offsets or st.members)

    def delete(self, group: str) -> None:
        self.expire()
        state = self._groups.get(group)
        if state is None or not (state.offsets or state.members):
            raise GroupNotFound(group)
        if state.members:
            raise Conflict(f"Consumer group '{group}' is not empty: it has active members.")
        del self._groups[group]

    def _rebalance(self, state: _Group) -> None:
        state.generation += 1
        subscriptions = {member_id: m.topics for member_id, m in state.members.items()}
        counts: dict[str, int] = {}
        for topics in subscriptions.values():
            for topic in topics:
                count = self._partitions_of(topic)
                if count is not None:
                    counts[topic] = count
        state.assignment = range_assign(subscriptions, counts)


class MemoryGroupConsumer(GroupConsumer):
    """A group member of a MemoryLog. Rebalances are applied at the next poll, as in Kafka."""

    def __init__(
        self,
        log: MemoryLog,
        group: str,
        topics: Sequence[str],
        *,
        member_id: str,
        session_timeout_ms: int,
        auto_offset_reset: str,
    ) -> None:
        self._log = log
        self.group = group
        self.member_id = member_id
        self.topics = tuple(topics)
        self.session_timeout_ms = session_timeout_ms
        self._reset = auto_offset_reset
        self._generation = -1
        self._assigned: frozenset[TopicPartition] = frozenset()
        self._positions: dict[TopicPartition, int] = {}
        self._closed = False
        self._turn = 0

    @property
    def closed(self) -> bool:
        return self._closed

    # The private methods below run under the log's lock.

    def _coordinator(self) -> GroupCoordinator:
        return self._log.groups

    def _sync(self) -> None:
        """Heartbeat, rejoin after expiry, and pick up a new assignment."""
        if self._closed:
            raise ToteError(f"Consumer '{self.member_id}' of group '{self.group}' is closed.")
        coordinator = self._coordinator()
        coordinator.expire()
        holder = coordinator.holder(self.group, self.member_id)
        if holder is None:
            coordinator.join(self.group, self.member_id, self)
        elif holder is not self:
            raise Fenced(
                f"Member '{self.member_id}' of group '{self.group}' was fenced by a newer "
                "consumer with the same member id."
            )
        coordinator.heartbeat(self.group, self.member_id)
        generation = coordinator.generation(self.group)
        if generation == self._generation:
            return
        assigned = coordinator.assignment(self.group, self.member_id)
        committed = coordinator.committed(self.group, assigned)
        positions: dict[TopicPartition, int] = {}
        for tp in assigned:
            if tp in self._positions:
                # Kept across the rebalance; another owner may have moved it on meanwhile.
                positions[tp] = max(self._positions[tp], committed.get(tp, 0))
            else:
                positions[tp] = committed[tp] if tp in committed else self._reset_position(tp)
        self._positions = positions
        self._assigned = assigned
        self._generation = generation

    def _reset_position(self, tp: TopicPartition) -> int:
        bounds = self._log.bounds(tp)
        if bounds is None:
            return 0
        return bounds[0] if self._reset == "earliest" else bounds[1]

    def _fetch(self, max_records: int) -> list[LogRecord]:
        """Records past the positions, taking partitions in turn so none starves."""
        tps = sorted(self._assigned)
        out: list[LogRecord] = []
        self._turn += 1
        for i in range(len(tps)):
            if len(out) >= max_records:
                break
            tp = tps[(self._turn + i) % len(tps)]
            bounds = self._log.bounds(tp)
            if bounds is None:
                continue
            start, end = bounds
            position = self._positions[tp]
            if position > end:
                position = self._reset_position(tp)
            position = max(position, start)
            batch = self._log.read(tp, position, max_records - len(out))
            if batch:
                position = batch[-1].offset + 1
                out.extend(batch)
            self._positions[tp] = position
        return out

    def _woken(self, want_data: bool) -> bool:
        if self._closed or self._coordinator().generation(self.group) != self._generation:
            return True
        return want_data and self._log.available(self._positions)

    def poll(self, timeout: float = 1.0, max_records: int = 1000) -> list[LogRecord]:
        with self._log.lock:
            self._sync()
            records = self._fetch(max_records)
            if records or timeout <= 0:
                return records
            self._log.changed.wait_for(lambda: self._woken(max_records > 0), timeout)
            if self._closed:
                return []
            self._sync()
            return self._fetch(max_records)

    def assignment(self) -> frozenset[TopicPartition]:
        with self._log.lock:
            return self._assigned

    def _check_assigned(self, tp: TopicPartition) -> None:
        if tp not in self._assigned:
            raise Conflict(f"No current assignment for partition {tp.topic}-{tp.partition}.")

    def position(self, tp: TopicPartition) -> int:
        with self._log.lock:
            self._check_assigned(tp)
            return self._positions[tp]

    def seek(self, tp: TopicPartition, offset: int) -> None:
        with self._log.lock:
            self._check_assigned(tp)
            self._positions[tp] = offset

    def check_current(self) -> None:
        """Raise Fenced unless this member belongs to the group's current generation."""
        coordinator = self._coordinator()
        coordinator.expire()
        if (
            self._closed
            or coordinator.holder(self.group, self.member_id) is not self
            or coordinator.generation(self.group) != self._generation
        ):
            raise Fenced(
                f"Commit cannot be completed since the group '{self.group}' has already "
                f"rebalanced and assigned the partitions to another member (member "
                f"'{self.member_id}' is not in generation {coordinator.generation(self.group)})."
            )

    def commit(self, offsets: Mapping[TopicPartition, int] | None = None) -> None:
        with self._log.lock:
            self.check_current()
            coordinator = self._coordinator()
            coordinator.heartbeat(self.group, self.member_id)
            chosen = dict(self._positions) if offsets is None else dict(offsets)
            self._log.commit_offsets(self.group, chosen)

    def close(self) -> None:
        with self._log.lock:
            if self._closed:
                return
            self._closed = True
            self._coordinator().leave(self.group, self.member_id, self)
            self._log.changed.notify_all()
