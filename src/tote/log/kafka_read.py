"""`read` and `wait` of the kafka backend: read_committed consumers with manual assignment.

Consumers are pooled and reused across calls, never created per read. A reader holds one
partition at a time. A read that stops at `max_records` in the middle of the log leaves
the partition assigned, so the next read from there streams on from librdkafka's
prefetch (a replay); otherwise the partition is unassigned and the consumer stays idle.

Kafka offsets have gaps (transaction markers), so "the end" is found from the broker: the
log end offset bounds the read, and the consumer's position reaching it (librdkafka moves
it past markers and aborted records it skips), or the end-of-partition event, says that
no committed record is left before it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from confluent_kafka import (
    TIMESTAMP_LOG_APPEND_TIME,
    Consumer,
    KafkaError,
    KafkaException,
    Message,
)
from confluent_kafka import TopicPartition as KafkaTopicPartition

from tote.core.errors import OffsetOutOfRange, Timeout
from tote.core.records import Headers, LogRecord, TimestampType, TopicPartition
from tote.log.base import WAKE_SLICE
from tote.log.kafka_admin import KafkaAdmin
from tote.log.kafka_config import LOGGER
from tote.log.kafka_errors import Context, translate
from tote.log.wake import Wake

# How long a read blocks before it looks at the consumer's position again.
POLL_SLICE_SECONDS = 0.01


def to_log_record(message: Message) -> LogRecord:
    """A confluent-kafka message as tote's LogRecord."""
    kind, stamp = message.timestamp()
    return LogRecord(
        message.topic() or "",
        message.partition() or 0,
        message.offset() or 0,
        message.key(),
        message.value(),
        _headers(message),
        stamp,
        TimestampType.LOG_APPEND_TIME
        if kind == TIMESTAMP_LOG_APPEND_TIME
        else TimestampType.CREATE_TIME,
    )


def _headers(message: Message) -> Headers:
    raw = message.headers()
    if not raw:
        return ()
    items = raw.items() if isinstance(raw, dict) else raw
    return tuple(
        (key, value if value is None or isinstance(value, bytes) else value.encode())
        for key, value in items
    )


def check_event(message: Message) -> KafkaError | None:
    """The error of an event message; raises fatal ones, logs and ignores transient ones."""
    error = message.error()
    if error is None or error.code() == KafkaError._PARTITION_EOF:
        return error
    if error.fatal():
        raise translate(error, Context(message.topic(), message.partition()))
    LOGGER.debug("kafka consumer event: %s", error)
    return error


def _ktp(tp: TopicPartition, offset: int | None = None) -> KafkaTopicPartition:
    if offset is None:
        return KafkaTopicPartition(tp.topic, tp.partition)
    return KafkaTopicPartition(tp.topic, tp.partition, offset)


class _Reader:
    """A consumer assigned to (at most) one partition, paused between reads."""

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer
        self.tp: TopicPartition | None = None
        self.next = -1
        self.continuable = False
        self.known: set[str] = set()  # topics whose metadata this consumer has
        self.proved_end = False

    def read(
        self, tp: TopicPartition, start: int, end: int, max_records: int, deadline: float
    ) -> list[LogRecord]:
        if tp.topic not in self.known:
            self._learn(tp.topic, deadline)
        if not (self.continuable and self.tp == tp and self.next == start):
            self.consumer.assign([_ktp(tp, start)])
        self.tp, self.next, self.continuable = tp, start, False
        self.proved_end = False  # the position reached `end`: no committed record is left
        out: list[LogRecord] = []
        at_end = False
        try:
            while not at_end and len(out) < max_records:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise Timeout(
                        f"Reading {tp.topic}-{tp.partition} from offset {start} timed out."
                    )
                # What is queued first, without waiting: serving the queue also moves the
                # position past transaction markers, which proves the end without waiting
                # for the end-of-partition event (a fetch the broker holds for its wait).
                batch = self.consumer.consume(max_records - len(out), 0)
                if not batch:
                    if self._position(tp) >= end:
                        at_end = self.proved_end = True
                        continue
                    first = self.consumer.poll(min(remaining, POLL_SLICE_SECONDS))
                    if first is None:
                        continue
                    # With the rest of its fetch: a read never ends inside a batch.
                    batch = [first, *self.consumer.consume(max_records - len(out) - 1, 0)]
                for message in batch:
                    error = check_event(message)
                    if error is not None:
                        at_end = at_end or error.code() == KafkaError._PARTITION_EOF
                    elif (message.offset() or 0) >= start:
                        out.append(to_log_record(message))
                if out and out[-1].offset + 1 >= end:
                    at_end = True
        finally:
            if not out or at_end or len(out) < max_records:
                # Nothing more to stream: stop fetching. (librdkafka does not repeat an
                # end-of-partition event at the same offset, so a re-read must re-assign.)
                self.consumer.unassign()
                self.tp = None
        # Stopped by `max_records` in the middle of the log: stay assigned, so the next
        # read from here continues from librdkafka's prefetched records.
        self.next = out[-1].offset + 1 if out else start
        self.continuable = self.tp is not None
        return out

    def _learn(self, topic: str, deadline: float) -> None:
        """Fetch the topic's metadata now: librdkafka looks up a newly assigned topic only
        on its once-a-second scan, so a read of it would wait up to a second."""
        try:
            self.consumer.list_topics(topic, timeout=max(deadline - time.monotonic(), 0.001))
        except KafkaException as exc:
            raise translate(exc, Context(topic)) from exc
        self.known.add(topic)

    def _position(self, tp: TopicPartition) -> int:
        """The offset after the last record or transaction marker the consumer served."""
        (position,) = self.consumer.position([_ktp(tp)])
        return int(position.offset)


class _Waiter:
    """A consumer that blocks until a committed record appears at or past some positions."""

    def __init__(self, consumer: Consumer) -> None:
        self.consumer = consumer

    def wait(self, positions: Mapping[TopicPartition, int], deadline: float,
             wake: Wake | None = None) -> bool:
        wanted = dict(positions)
        self.consumer.assign([_ktp(tp, max(pos, 0)) for tp, pos in wanted.items()])
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (wake is not None and wake.is_set()):
                    return False
                # librdkafka's poll cannot be interrupted: a Wake is seen between slices.
                message = self.consumer.poll(
                    remaining if wake is None else min(remaining, WAKE_SLICE))
                if message is None or check_event(message) is not None:
                    continue
                tp = TopicPartition(message.topic() or "", message.partition() or 0)
                if (message.offset() or 0) >= wanted.get(tp, 0):
                    return True
        finally:
            self.consumer.unassign()


class ReaderPool:
    """Pooled readers and waiters of one KafkaLog; safe to use from many threads."""

    def __init__(self, factory: Callable[[bool], Consumer], admin: KafkaAdmin) -> None:
        self._factory = factory
        self._admin = admin
        self._lock = threading.Lock()
        self._readers: list[_Reader] = []
        self._waiters: list[_Waiter] = []
        self._all: list[Consumer] = []
        # Per partition, offsets (from, to) a read proved hold no committed record (the
        # markers after the last record): a read from there skips them instead of
        # fetching them again (a step reads every input from just after its last record).
        self._no_records: dict[TopicPartition, tuple[int, int]] = {}

    def read(self, tp: TopicPartition, offset: int, max_records: int) -> list[LogRecord]:
        low, high = self._admin.watermarks(tp)
        if offset > high:
            raise OffsetOutOfRange(
                f"Offset {offset} is out of range for partition {tp.topic}-{tp.partition}: "
                f"the log ends at offset {high}."
            )
        start = max(offset, low)
        with self._lock:
            empty_from, empty_to = self._no_records.get(tp, (0, 0))
        if empty_from <= start < empty_to <= high:
            start = empty_to
        if max_records <= 0 or start >= high:
            return []
        reader = self._take_reader(tp, start)
        try:
            deadline = time.monotonic() + self._admin.timeout
            out = reader.read(tp, start, high, max_records, deadline)
            if reader.proved_end:
                with self._lock:
                    self._no_records[tp] = (out[-1].offset + 1 if out else start, high)
            return out
        finally:
            with self._lock:
                self._readers.append(reader)

    def wait(self, positions: Mapping[TopicPartition, int], timeout: float,
             wake: Wake | None = None) -> bool:
        for tp in positions:
            self._admin.check_partition(tp)
        if not positions:
            if wake is None:
                time.sleep(max(timeout, 0.0))
            else:
                wake.wait(timeout)
            return False
        with self._lock:
            waiter = self._waiters.pop() if self._waiters else None
        if waiter is None:
            waiter = _Waiter(self._new(eof=False))
        try:
            return waiter.wait(positions, time.monotonic() + max(timeout, 0.0), wake)
        finally:
            with self._lock:
                self._waiters.append(waiter)

    def offsets_for_times(
        self, timestamps: Mapping[TopicPartition, int]
    ) -> dict[TopicPartition, int | None]:
        """The broker's answer (ListOffsets by timestamp, read_committed) through an idle
        reader's consumer: its assignment is left alone. -1 (no such record) is None."""
        for tp in timestamps:
            self._admin.check_partition(tp)
        if not timestamps:
            return {}
        with self._lock:
            reader = self._readers.pop() if self._readers else None
        if reader is None:
            reader = _Reader(self._new(eof=True))
        wanted = [_ktp(tp, stamp) for tp, stamp in timestamps.items()]
        try:
            answer = reader.consumer.offsets_for_times(wanted, timeout=self._admin.timeout)
        except KafkaException as exc:
            raise translate(exc) from exc
        finally:
            with self._lock:
                self._readers.append(reader)
        found: dict[TopicPartition, int | None] = {}
        for ktp in answer:
            tp = TopicPartition(ktp.topic, ktp.partition)
            if ktp.error is not None:
                raise translate(ktp.error, Context(tp.topic, tp.partition))
            found[tp] = int(ktp.offset) if ktp.offset >= 0 else None
        return found

    def release_topic(self, topic: str) -> bool:
        """Unassign idle readers from `topic`; whether any held it (idle waiters hold none)."""
        released = False
        with self._lock:
            self._no_records = {tp: r for tp, r in self._no_records.items() if tp.topic != topic}
            for reader in self._readers:
                reader.known.discard(topic)
                if reader.tp is not None and reader.tp.topic == topic:
                    reader.consumer.unassign()
                    reader.tp, reader.continuable = None, False
                    released = True
        return released

    def _take_reader(self, tp: TopicPartition, start: int) -> _Reader:
        with self._lock:
            for index, reader in enumerate(self._readers):
                if reader.continuable and reader.tp == tp and reader.next == start:
                    return self._readers.pop(index)
            if self._readers:
                return self._readers.pop()
        return _Reader(self._new(eof=True))

    def _new(self, *, eof: bool) -> Consumer:
        consumer = self._factory(eof)
        with self._lock:
            self._all.append(consumer)
        return consumer

    def close(self) -> None:
        with self._lock:
            consumers, self._all = self._all, []
            self._readers, self._waiters = [], []
        for consumer in consumers:
            consumer.close()
