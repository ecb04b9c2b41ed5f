"""REST consumer instances: created in a group, read over HTTP, expired when idle (spec §3.4).

Each instance wraps a `Reader` (a group member after `subscribe`, or manually assigned
partitions after `assign`) plus kafka-rest's per-instance settings. Records the reader
returned but a response had no room for wait in the instance's buffer for the next read,
as in kafka-rest's consumer state. Offsets are tracked per record handed to the client,
so "commit everything fetched" never commits a record the client has not seen.

Instances live in this process (like kafka-rest, an instance is bound to the proxy node
that created it); group membership, partition assignment and committed offsets live in
the log and are shared with every other consumer of the group.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import Fenced, ToteError
from tote.core.records import TopicPartition
from tote.log.base import Log
from tote.proxy import bodies
from tote.proxy.errors import (
    ConsumerAlreadyExists,
    ConsumerFormatMismatch,
    ConsumerInstanceNotFound,
    IllegalConsumerState,
)
from tote.proxy.formats import EmbeddedFormat
from tote.proxy.instance import (
    CommittedOffset,
    ConsumerInstance,
    ConsumerSettings,
    RecordRenderer,
    build_instance,
    fetch,
)
from tote.proxy.readers import (
    AssignedReader,
    GroupReader,
    no_assignment,
    partition_bounds,
)

log = logging.getLogger(__name__)


class ConsumerManager:
    """All consumer instances of one proxy, and the thread that expires idle ones."""

    def __init__(
        self,
        log_: Log,
        render: RecordRenderer,
        settings: ConsumerSettings | None = None,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._log = log_
        self._render = render
        self.settings = settings or ConsumerSettings()
        self._clock = clock
        self._instances: dict[tuple[str, str], ConsumerInstance] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start expiring idle instances in the background."""
        if self._reaper is None:
            self._reaper = threading.Thread(
                target=self._reap, name="rest-consumer-expiry", daemon=True
            )
            self._reaper.start()

    def _reap(self) -> None:
        interval = min(1.0, self.settings.instance_timeout_ms / 4000)
        while not self._stop.wait(interval):
            self.expire_idle()

    def close(self) -> None:
        """Stop the expiry thread and close every instance (members leave their groups)."""
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join(10)
        with self._lock:
            instances = list(self._instances.values())
            self._instances.clear()
        for instance in instances:
            self._close_instance(instance)

    def expire_idle(self) -> list[tuple[str, str]]:
        """Close instances unused for longer than the instance timeout; return their ids."""
        now = self._clock.monotonic()
        limit = self.settings.instance_timeout_ms / 1000
        expired = []
        with self._lock:
            for key, instance in list(self._instances.items()):
                if now - instance.last_used < limit:
                    continue
                if not instance.lock.acquire(blocking=False):
                    continue  # in use right now, so not idle
                try:
                    del self._instances[key]
                    expired.append(instance)
                finally:
                    instance.lock.release()
        for instance in expired:
            log.info("Consumer instance %s of group %s expired", instance.name, instance.group)
            self._close_instance(instance)
        return [(i.group, i.name) for i in expired]

    def _close_instance(self, instance: ConsumerInstance) -> None:
        with instance.lock:
            instance.closed = True
            if instance.reader is not None:
                instance.reader.close()
                instance.reader = None

    # -- instances ----------------------------------------------------------------------

    def create(self, group: str, config: bodies.ConsumerConfig) -> ConsumerInstance:
        instance = build_instance(group, config, self.settings, self._clock.monotonic())
        name = instance.name
        with self._lock:
            if (group, name) in self._instances:
                raise ConsumerAlreadyExists()
            self._instances[(group, name)] = instance
        return instance

    def get(self, group: str, name: str) -> ConsumerInstance:
        """The instance, with its idle timer reset; 40403 if it does not exist (or expired)."""
        with self._lock:
            instance = self._instances.get((group, name))
            if instance is None:
                raise ConsumerInstanceNotFound()
            instance.last_used = self._clock.monotonic()
            return instance

    def instances(self) -> list[tuple[str, str]]:
        with self._lock:
            return sorted(self._instances)

    def delete(self, group: str, name: str) -> None:
        with self._lock:
            instance = self._instances.pop((group, name), None)
        if instance is None:
            raise ConsumerInstanceNotFound()
        self._close_instance(instance)

    @contextmanager
    def _using(self, group: str, name: str) -> Iterator[ConsumerInstance]:
        """The instance, locked for one operation; its idle timer restarts when it ends."""
        instance = self.get(group, name)
        with instance.lock:
            if instance.closed:
                raise ConsumerInstanceNotFound()
            try:
                yield instance
            finally:
                instance.last_used = self._clock.monotonic()

    # -- subscription and assignment ----------------------------------------------------

    def subscribe(self, group: str, name: str, sub: bodies.Subscription) -> None:
        with self._using(group, name) as instance:
            if isinstance(instance.reader, AssignedReader):
                raise IllegalConsumerState(
                    "Subscription to topics, partitions and pattern are mutually exclusive"
                )
            if instance.reader is not None:
                instance.reader.close()  # a new subscription replaces the old one
            reader = GroupReader(
                self._log,
                group,
                topics=sub.topics,
                pattern=sub.topic_pattern,
                member_id=f"{name}-{uuid.uuid4().hex[:12]}",
                session_timeout_ms=self.settings.session_timeout_ms,
                auto_offset_reset=instance.auto_offset_reset,
            )
            reader.refresh()
            instance.reader = reader
            instance.buffer.clear()

    def subscription(self, group: str, name: str) -> list[str]:
        with self._using(group, name) as instance:
            if isinstance(instance.reader, GroupReader):
                return list(instance.reader.subscription())
            return []

    def unsubscribe(self, group: str, name: str) -> None:
        with self._using(group, name) as instance:
            if instance.reader is not None:
                instance.reader.close()
                instance.reader = None
            instance.buffer.clear()

    def assign(self, group: str, name: str, tps: Sequence[TopicPartition]) -> None:
        with self._using(group, name) as instance:
            if isinstance(instance.reader, GroupReader):
                raise IllegalConsumerState(
                    "Subscription to topics, partitions and pattern are mutually exclusive"
                )
            reader = AssignedReader(self._log, group, tps, instance.auto_offset_reset)
            if instance.reader is not None:
                instance.reader.close()
            instance.reader = reader if tps else None
            instance.buffer.clear()

    def assignment(self, group: str, name: str) -> list[TopicPartition]:
        with self._using(group, name) as instance:
            if instance.reader is None:
                return []
            return sorted(instance.reader.assignment())

    # -- reading ------------------------------------------------------------------------

    def read(
        self,
        group: str,
        name: str,
        accept: EmbeddedFormat | None,
        timeout_ms: int = -1,
        max_bytes: int = -1,
    ) -> list[dict[str, Any]]:
        """Records for the client, rendered in the instance's format.

        Like kafka-rest: wait up to min(timeout, consumer.request.timeout.ms), returning
        early once more than `fetch.min.bytes` were gathered (never, by default) or the
        next record would reach `max_bytes`.
        """
        with self._using(group, name) as instance:
            if accept is not None and accept is not instance.format:
                raise ConsumerFormatMismatch()
            if instance.reader is None:
                raise IllegalConsumerState(
                    "Consumer is not subscribed to any topics or assigned any partitions"
                )
            return fetch(instance, instance.reader, self._render, timeout_ms, max_bytes)

    # -- offsets and positions ----------------------------------------------------------

    def commit(
        self, group: str, name: str, entries: Sequence[bodies.OffsetEntry] | None
    ) -> list[CommittedOffset]:
        """Commit given offsets (each is the last consumed, so `offset + 1` is stored, as in
        kafka-rest), or with no entries everything handed out so far."""
        with self._using(group, name) as instance:
            if entries is None:
                offsets = dict(instance.consumed)
            else:
                offsets = {e.tp: e.offset + 1 for e in entries}
            if not offsets:
                return []
            reader = instance.reader
            try:
                if reader is None:
                    self._log.commit_offsets(group, offsets)
                else:
                    reader.commit(offsets)
            except Fenced as exc:
                raise ToteError(
                    f"Kafka retriable error: {exc.message} Read records again to rejoin, "
                    "then commit.",
                    error_code=50003,
                ) from None
            return [
                CommittedOffset(tp, instance.consumed.get(tp, off), off)
                for tp, off in sorted(offsets.items())
            ]

    def committed(
        self, group: str, name: str, tps: Sequence[TopicPartition]
    ) -> dict[TopicPartition, int]:
        """The group's committed offsets for `tps` (partitions without one are left out)."""
        with self._using(group, name):
            return self._log.committed(group, tps)

    def seek(
        self,
        group: str,
        name: str,
        entries: Sequence[bodies.OffsetEntry],
        times: Sequence[bodies.TimestampEntry] = (),
    ) -> None:
        """Move to given offsets, then (as kafka-rest) to the first offset stamped at or
        after each given time; the partition's end where no record is (kafka-rest's Java
        consumer gets no offset there, librdkafka the end)."""
        with self._using(group, name) as instance:
            targets = {e.tp: e.offset for e in entries}
            if times:
                self._require_assigned(instance, [e.tp for e in times])
                found = self._log.offsets_for_times({e.tp: e.timestamp for e in times})
                for e in times:
                    offset = found.get(e.tp)
                    targets[e.tp] = (
                        partition_bounds(self._log, e.tp)[1] if offset is None else offset
                    )
            self._seek(instance, targets)

    def seek_to(self, group: str, name: str, tps: Sequence[TopicPartition], end: bool) -> None:
        """Move to the first (or next-to-be-written) offset of each partition."""
        with self._using(group, name) as instance:
            self._require_assigned(instance, tps)
            targets = {tp: partition_bounds(self._log, tp)[1 if end else 0] for tp in tps}
            self._seek(instance, targets)

    @staticmethod
    def _require_assigned(instance: ConsumerInstance, tps: Sequence[TopicPartition]) -> None:
        """Kafka's consumer refuses to seek a partition it does not own (40903)."""
        assigned = instance.reader.assignment() if instance.reader is not None else frozenset()
        for tp in tps:
            if tp not in assigned:
                raise no_assignment(tp)

    def _seek(self, instance: ConsumerInstance, targets: dict[TopicPartition, int]) -> None:
        self._require_assigned(instance, list(targets))
        if instance.reader is None or not targets:
            return
        for tp, offset in targets.items():
            instance.reader.seek(tp, offset)
            instance.consumed[tp] = offset
        instance.buffer = deque(r for r in instance.buffer if r.tp not in targets)
