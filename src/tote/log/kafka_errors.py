"""The one place where Kafka's error codes become tote's errors (DESIGN §3: vendor boundary).

Every call into confluent-kafka that can fail goes through `translate` (directly or via
`wait_future`), so a missing topic is `TopicNotFound` (40401) whether the broker or the
client noticed, and the kafka backend fails exactly like the memory and sqlite ones.
"""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass
from typing import TypeVar

from confluent_kafka import KafkaError, KafkaException

from tote.core.errors import (
    Conflict,
    Fenced,
    GroupNotFound,
    InvalidConfig,
    InvalidPartitions,
    InvalidTopic,
    OffsetOutOfRange,
    PartitionNotFound,
    RecordTooLarge,
    Timeout,
    TopicExists,
    TopicNotFound,
    ToteError,
    TransactionError,
)

T = TypeVar("T")

KAFKA_ERROR = 50002
RETRIABLE_KAFKA_ERROR = 50003

_TIMEOUTS = {
    KafkaError._TIMED_OUT,
    KafkaError.REQUEST_TIMED_OUT,
    KafkaError._TRANSPORT,
    KafkaError._ALL_BROKERS_DOWN,
    KafkaError._MSG_TIMED_OUT,
    KafkaError._TIMED_OUT_QUEUE,
}
_FENCED = {
    KafkaError.PRODUCER_FENCED,
    KafkaError.INVALID_PRODUCER_EPOCH,
    KafkaError._FENCED,
    KafkaError.FENCED_INSTANCE_ID,
}
_STALE_MEMBER = {
    KafkaError.ILLEGAL_GENERATION,
    KafkaError.UNKNOWN_MEMBER_ID,
    KafkaError.REBALANCE_IN_PROGRESS,
    KafkaError._MAX_POLL_EXCEEDED,
}


@dataclass(frozen=True)
class Context:
    """What the caller was doing, so the tote error can name it."""

    topic: str | None = None
    partition: int | None = None
    group: str | None = None
    size: int = 0
    limit: int = 0


def kafka_error_of(exc: BaseException) -> KafkaError | None:
    """The KafkaError a confluent-kafka exception carries, if any."""
    if isinstance(exc, KafkaException) and exc.args and isinstance(exc.args[0], KafkaError):
        return exc.args[0]
    return None


def translate(error: KafkaError | BaseException, context: Context | None = None) -> ToteError:
    """The tote error for a Kafka error code (or a confluent-kafka exception)."""
    if isinstance(error, ToteError):
        return error
    ctx = context or Context()
    if isinstance(error, BaseException):
        inner = kafka_error_of(error)
        if inner is None:
            if isinstance(error, concurrent.futures.TimeoutError):
                return Timeout("The Kafka broker did not answer in time.")
            return ToteError(f"Kafka client error: {error}", KAFKA_ERROR)
        error = inner
    code, text = error.code(), error.str()
    topic = ctx.topic or "?"
    if code == KafkaError.TOPIC_ALREADY_EXISTS:
        return TopicExists(topic)
    if code in (KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError._UNKNOWN_TOPIC):
        return TopicNotFound(topic)
    if code == KafkaError._UNKNOWN_PARTITION:
        if ctx.partition is None:
            return TopicNotFound(topic)
        return PartitionNotFound(topic, ctx.partition)
    if code == KafkaError.TOPIC_EXCEPTION:
        return InvalidTopic(text)
    if code == KafkaError.INVALID_PARTITIONS:
        return InvalidPartitions(text)
    if code in (KafkaError.INVALID_CONFIG, KafkaError.INVALID_REPLICATION_FACTOR):
        return InvalidConfig(text)
    if code == KafkaError.MSG_SIZE_TOO_LARGE:
        return RecordTooLarge(ctx.size, ctx.limit, topic)
    if code == KafkaError.OFFSET_OUT_OF_RANGE:
        return OffsetOutOfRange(text)
    if code in (KafkaError.GROUP_ID_NOT_FOUND, KafkaError._UNKNOWN_GROUP):
        return GroupNotFound(ctx.group or "?")
    if code == KafkaError.NON_EMPTY_GROUP:
        return Conflict(f"Consumer group '{ctx.group}' is not empty: it has active members.")
    if code in _FENCED:
        return Fenced(f"Fenced by a newer producer or member: {text}")
    if code in _STALE_MEMBER:
        return Fenced(
            f"Commit cannot be completed since the group '{ctx.group}' has already "
            f"rebalanced ({text})."
        )
    if code in _TIMEOUTS:
        return Timeout(f"The Kafka broker did not answer in time: {text}")
    if error.txn_requires_abort() or code == KafkaError._STATE:
        return TransactionError(f"The Kafka transaction failed: {text}")
    return ToteError(
        f"Kafka error {error.name()}: {text}",
        RETRIABLE_KAFKA_ERROR if error.retriable() else KAFKA_ERROR,
    )


def wait_future(future: concurrent.futures.Future[T], timeout: float, context: Context) -> T:
    """The result of an AdminClient future, with Kafka errors translated."""
    try:
        return future.result(timeout)
    except (KafkaException, concurrent.futures.TimeoutError) as exc:
        raise translate(exc, context) from exc
