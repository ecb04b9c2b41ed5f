"""Producing records into Kafka transactions: partition choice, size checks, delivery reports.

Every write of the kafka backend is transactional, plain appends included, because a batch
must be atomic. Partitions are chosen here with `tote.log.partitioner` and passed to the
producer explicitly, so a record lands where it would on every other backend.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from confluent_kafka import KafkaError, KafkaException, Message, Producer
from confluent_kafka import TopicPartition as KafkaTopicPartition

from tote.core.clock import Clock
from tote.core.errors import (
    Fenced,
    PartitionNotFound,
    RecordTooLarge,
    Timeout,
    ToteError,
    TransactionError,
)
from tote.core.records import Position, Record, TopicPartition
from tote.log.base import DEFAULT_MAX_MESSAGE_BYTES, record_size
from tote.log.kafka_admin import KafkaAdmin
from tote.log.kafka_config import LOGGER
from tote.log.kafka_errors import Context, kafka_error_of, translate
from tote.log.partitioner import StickyPartitioner, assign_partitions


class Planner:
    """Checks batches and chooses partitions, exactly as the memory and sqlite logs do."""

    def __init__(self, admin: KafkaAdmin, clock: Clock) -> None:
        self.admin = admin
        self.clock = clock
        self._sticky = StickyPartitioner()

    def plan(self, topic: str, records: Sequence[Record]) -> list[int]:
        """The partition of each record; raises TopicNotFound, PartitionNotFound, RecordTooLarge."""
        spec = self.admin.spec(topic)
        limit = int(spec.config("max.message.bytes") or DEFAULT_MAX_MESSAGE_BYTES)
        for record in records:
            if record.partition is not None and not 0 <= record.partition < spec.partitions:
                spec = self.admin.spec(topic, fresh=True)
                if not 0 <= record.partition < spec.partitions:
                    raise PartitionNotFound(topic, record.partition)
            size = record_size(record)
            if size > limit:
                raise RecordTooLarge(size, limit, topic)
        return assign_partitions(topic, records, spec.partitions, self._sticky)

    def forget(self, topic: str) -> None:
        self._sticky.forget(topic)
        self.admin.forget(topic)


@dataclass
class Deliveries:
    """Delivery reports of one transaction's records, in produce order."""

    positions: list[Position | None] = field(default_factory=list)
    errors: list[tuple[KafkaError, str, int]] = field(default_factory=list)
    fatal: BaseException | None = None

    def slot(self, topic: str, partition: int) -> Callable[[KafkaError | None, Message], None]:
        index = len(self.positions)
        self.positions.append(None)

        def report(error: KafkaError | None, message: Message) -> None:
            # Runs inside librdkafka's callback machinery: record, translate later.
            try:
                if error is not None:
                    self.errors.append((error, topic, partition))
                    return
                _, stamp = message.timestamp()
                self.positions[index] = Position(partition, message.offset() or 0, stamp)
            except SystemError as exc:
                # confluent-kafka 2.16 raises a fatal error (being fenced) as a KafkaException
                # and then still calls back, so any C call here fails; keep that exception
                # (catching it also lets `flush` return normally).
                self.fatal = exc.__context__ or exc

        return report

    def first_error(self) -> ToteError | None:
        if self.fatal is not None:
            return translate(self.fatal)
        if not self.errors:
            return None
        error, topic, partition = self.errors[0]
        return translate(error, Context(topic, partition))


class TxnCore:
    """A librdkafka transactional producer, one transaction at a time, with deadlines."""

    def __init__(self, config: dict[str, Any], planner: Planner, timeout: float) -> None:
        self.planner = planner
        self.timeout = timeout
        self.deliveries = Deliveries()
        self.fatal: ToteError | None = None
        self.closed = False
        self.producer = Producer({**config, "error_cb": self._on_error})

    def _on_error(self, error: KafkaError) -> None:
        """librdkafka's error callback: a fatal error (being fenced) ends the producer.

        confluent-kafka 2.16 calls this with the fatal error's KafkaException still
        pending, so touching `error` raises a SystemError whose context is that exception:
        it is taken from there (which also clears it, so `flush` can return normally).
        """
        try:
            fatal = error.fatal()
        except SystemError as exc:
            self.fatal = self.fatal or translate(exc.__context__ or exc)
            return
        if fatal:
            self.fatal = self.fatal or translate(error)
        else:
            LOGGER.debug("kafka producer error: %s", error)

    def init(self) -> None:
        """Register the transactional id, fencing every older producer that used it."""
        self._call("init_transactions", self.timeout)

    def begin(self) -> None:
        if self.fatal is not None:
            raise self.fatal
        self.deliveries = Deliveries()
        self._call("begin_transaction")

    def produce(self, topic: str, records: Sequence[Record], partitions: Sequence[int]) -> int:
        """Queue records in the open transaction; the index of the first one's report."""
        first = len(self.deliveries.positions)
        now = self.planner.clock.now_ms()
        for record, partition in zip(records, partitions, strict=True):
            report = self.deliveries.slot(topic, partition)
            kwargs: dict[str, Any] = {
                "value": record.value,
                "key": record.key,
                "partition": partition,
                "timestamp": now if record.timestamp is None else record.timestamp,
                "on_delivery": report,
            }
            if record.headers:
                kwargs["headers"] = list(record.headers)
            self._produce(topic, kwargs)
        return first

    def _produce(self, topic: str, kwargs: dict[str, Any]) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                self.producer.produce(topic, **kwargs)
                return
            except BufferError:
                # librdkafka's queue is full: send what is queued (linger is long) and retry.
                if time.monotonic() > deadline:
                    raise Timeout("The Kafka producer queue stayed full.") from None
                self.producer.flush(1.0)
            except KafkaException as exc:
                raise translate(exc, Context(topic)) from exc

    def send_offsets(self, offsets: Mapping[TopicPartition, int], metadata: object) -> None:
        partitions = [KafkaTopicPartition(tp.topic, tp.partition, o) for tp, o in offsets.items()]
        self._call("send_offsets_to_transaction", partitions, metadata, self.timeout)

    def flush(self, first: int = 0) -> list[Position]:
        """Deliver every queued record; the positions of the records from the `first`-th
        on, in order (a step's many one-record appends must not copy all earlier ones)."""
        remaining: int = self._call("flush", self.timeout)
        self._call("poll", 0)  # serve error callbacks queued behind the reports
        error = self.fatal or self.deliveries.first_error()
        if error is not None:
            if isinstance(error, Fenced):
                self.fatal = error
            raise error
        if remaining:
            raise Timeout(f"{remaining} records were not delivered to Kafka in time.")
        return [p for p in self.deliveries.positions[first:] if p is not None]

    def commit(self) -> list[Position]:
        """Deliver everything, then commit; the positions of the records, in produce order."""
        positions = self.flush()
        self._call("commit_transaction", self.timeout)
        return positions

    def abort(self) -> None:
        self._call("abort_transaction", self.timeout)

    def close(self) -> None:
        """Drop queued records and destroy the librdkafka handle.

        Not `Producer.close()`: that aborts and flushes, and blocks for good when the
        broker is gone. Dropping the last reference destroys the handle at once.
        """
        if self.closed:
            return
        self.closed = True
        self.fatal = self.fatal or TransactionError("The Kafka producer is closed.")
        self.producer.purge()
        del self.producer

    def _probe_fatal(self, raised: BaseException) -> None:
        """After a failure whose cause got lost, learn whether the producer is dead.

        Aborting is safe here (the transaction failed anyway), and a dead producer answers
        it with its fatal error.
        """
        try:
            self.producer.abort_transaction(self.timeout)
        except KafkaException as exc:
            kafka_error = kafka_error_of(exc)
            if kafka_error is not None and kafka_error.fatal():
                self.fatal = translate(exc)
        LOGGER.warning("the Kafka producer failed without saying why: %s", raised)

    def _call(self, method: str, *args: Any) -> Any:
        """Call a producer method; a fatal error (such as being fenced) ends it for good.

        The method goes by name so that no frame of a kept traceback holds the librdkafka
        handle, which `close` must be able to destroy by dropping it.
        """
        try:
            return getattr(self.producer, method)(*args)
        except (KafkaException, SystemError) as raised:
            # confluent-kafka may serve a callback while a KafkaException is pending, which
            # CPython reports as a SystemError with the KafkaException as its context.
            exc = raised if isinstance(raised, KafkaException) else raised.__context__
            if not isinstance(exc, KafkaException):
                pending = self.deliveries.fatal
                if self.fatal is None and pending is not None:
                    self.fatal = translate(pending)
                if self.fatal is None:
                    self._probe_fatal(raised)
                raise (self.fatal or translate(raised)) from raised
            error = translate(exc)
            kafka_error = kafka_error_of(exc)
            if kafka_error is not None and kafka_error.fatal():
                self.fatal = self.fatal or error
            raise (self.fatal or error) from raised
