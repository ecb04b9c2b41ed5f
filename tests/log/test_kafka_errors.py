"""The kafka backend's one translation from Kafka error codes to tote's errors."""

from __future__ import annotations

import concurrent.futures

import pytest
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
from tote.log.kafka_errors import Context, translate

CTX = Context(topic="bets", partition=3, group="pools", size=2_000, limit=1_000)


@pytest.mark.parametrize(
    ("code", "kind", "error_code", "message"),
    [
        (KafkaError.TOPIC_ALREADY_EXISTS, TopicExists, 40902, "Topic 'bets' already exists."),
        (KafkaError.UNKNOWN_TOPIC_OR_PART, TopicNotFound, 40401, "Topic 'bets' not found."),
        (KafkaError._UNKNOWN_TOPIC, TopicNotFound, 40401, "Topic 'bets' not found."),
        (
            KafkaError._UNKNOWN_PARTITION,
            PartitionNotFound,
            40402,
            "Partition 3 of topic 'bets' not found.",
        ),
        (KafkaError.TOPIC_EXCEPTION, InvalidTopic, 40002, "bad name"),
        (KafkaError.INVALID_PARTITIONS, InvalidPartitions, 40003, "bad name"),
        (KafkaError.INVALID_CONFIG, InvalidConfig, 40004, "bad name"),
        (KafkaError.INVALID_REPLICATION_FACTOR, InvalidConfig, 40004, "bad name"),
        (
            KafkaError.MSG_SIZE_TOO_LARGE,
            RecordTooLarge,
            41301,
            "The record of 2000 bytes is larger than max.message.bytes=1000 of topic 'bets'.",
        ),
        (KafkaError.OFFSET_OUT_OF_RANGE, OffsetOutOfRange, 42202, "bad name"),
        (KafkaError.GROUP_ID_NOT_FOUND, GroupNotFound, 40403, "Consumer group 'pools' not found."),
        (
            KafkaError.NON_EMPTY_GROUP,
            Conflict,
            40900,
            "Consumer group 'pools' is not empty: it has active members.",
        ),
        (
            KafkaError.PRODUCER_FENCED,
            Fenced,
            40901,
            "Fenced by a newer producer or member: bad name",
        ),
        (KafkaError._FENCED, Fenced, 40901, "Fenced by a newer producer or member: bad name"),
        (
            KafkaError.ILLEGAL_GENERATION,
            Fenced,
            40901,
            "Commit cannot be completed since the group 'pools' has already rebalanced "
            "(bad name).",
        ),
        (
            KafkaError._TIMED_OUT,
            Timeout,
            50002,
            "The Kafka broker did not answer in time: bad name",
        ),
    ],
)
def test_kafka_error_codes_become_tote_errors(
    code: int, kind: type[ToteError], error_code: int, message: str
) -> None:
    error = translate(KafkaError(code, "bad name"), CTX)
    assert type(error) is kind
    assert (error.error_code, error.message) == (error_code, message)


def test_an_exception_is_translated_by_the_error_it_carries() -> None:
    exc = KafkaException(KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART, "gone"))
    error = translate(exc, Context(topic="odds"))
    assert type(error) is TopicNotFound
    assert error.message == "Topic 'odds' not found."


def test_an_abortable_transaction_error_is_a_transaction_error() -> None:
    error = translate(KafkaError(KafkaError._INCONSISTENT, "oops", txn_requires_abort=True))
    assert type(error) is TransactionError
    assert (error.error_code, error.message) == (50001, "The Kafka transaction failed: oops")


@pytest.mark.parametrize(("retriable", "error_code"), [(False, 50002), (True, 50003)])
def test_other_errors_keep_kafkas_name_and_say_if_a_retry_may_help(
    retriable: bool, error_code: int
) -> None:
    error = translate(KafkaError(KafkaError.NOT_CONTROLLER, "moved", retriable=retriable))
    assert type(error) is ToteError
    assert (error.error_code, error.message) == (error_code, "Kafka error NOT_CONTROLLER: moved")


def test_an_admin_future_that_times_out_is_a_timeout() -> None:
    error = translate(concurrent.futures.TimeoutError())
    assert type(error) is Timeout
    assert error.message == "The Kafka broker did not answer in time."


def test_a_tote_error_passes_through_unchanged() -> None:
    original = TopicNotFound("x")
    assert translate(original) is original
