"""Log contract: creating, listing, describing and deleting topics, and every bad request."""

from __future__ import annotations

import pytest
from tests.log.backends import Names, assert_error

from tote.core.errors import (
    InvalidConfig,
    InvalidPartitions,
    InvalidTopic,
    PartitionNotFound,
    TopicExists,
    TopicNotFound,
)
from tote.core.records import PartitionInfo, Record, TopicPartition, TopicSpec
from tote.log.base import Log


def test_create_returns_spec_and_describe_reports_it(log: Log, names: Names) -> None:
    name = names.topic()
    configs = {"cleanup.policy": "compact", "retention.ms": "86400000"}
    spec = log.create_topic(name, partitions=3, configs=configs)
    expected = TopicSpec(
        name, 3, 1, (("cleanup.policy", "compact"), ("retention.ms", "86400000"))
    )
    assert spec == expected
    described = log.describe_topic(name)
    assert described.spec == expected
    assert described.partitions == (
        PartitionInfo(0, 0, 0),
        PartitionInfo(1, 0, 0),
        PartitionInfo(2, 0, 0),
    )


def test_created_topics_are_listed_sorted(log: Log, names: Names) -> None:
    first, second = sorted([names.topic(), names.topic()])
    log.create_topic(second)
    log.create_topic(first)
    listed = log.list_topics()
    assert first in listed and second in listed
    assert listed == sorted(listed)
    assert log.topic_exists(first)
    assert not log.topic_exists(names.topic())


def test_duplicate_topic_is_rejected(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, partitions=2)
    with pytest.raises(TopicExists) as exc:
        log.create_topic(name, partitions=5)
    assert_error(exc, TopicExists, 40902, f"Topic '{name}' already exists.")
    assert log.describe_topic(name).spec.partitions == 2


def test_ensure_topic_creates_once_and_returns_the_existing_spec(log: Log, names: Names) -> None:
    name = names.topic()
    assert log.ensure_topic(name, partitions=2) == TopicSpec(name, 2)
    assert log.ensure_topic(name, partitions=9) == TopicSpec(name, 2)


LONG = "x" * 250
BAD_NAMES = [
    ("", "Topic name is illegal, it can't be empty."),
    (".", 'Topic name cannot be "." or "..".'),
    ("..", 'Topic name cannot be "." or "..".'),
    (
        LONG,
        f"Topic name is illegal, it can't be longer than 249 characters, topic name: {LONG}",
    ),
    (
        "a b",
        "Topic name \"a b\" is illegal, it contains a character other than ASCII "
        "alphanumerics, '.', '_' and '-'",
    ),
    (
        "bets/win",
        "Topic name \"bets/win\" is illegal, it contains a character other than ASCII "
        "alphanumerics, '.', '_' and '-'",
    ),
    (
        "gewinn-ä",
        "Topic name \"gewinn-ä\" is illegal, it contains a character other than ASCII "
        "alphanumerics, '.', '_' and '-'",
    ),
]


@pytest.mark.parametrize(("bad", "message"), BAD_NAMES, ids=["empty", "dot", "dotdot",
                         "250-chars", "space", "slash", "non-ascii"])
def test_invalid_topic_names_are_rejected(log: Log, bad: str, message: str) -> None:
    with pytest.raises(InvalidTopic) as exc:
        log.create_topic(bad)
    assert_error(exc, InvalidTopic, 40002, message)
    assert bad not in log.list_topics()


def test_a_249_character_name_is_valid(log: Log, names: Names) -> None:
    name = (names.topic() + "." * 249)[:249]
    assert log.create_topic(name).name == name
    assert name in log.list_topics()


@pytest.mark.parametrize("partitions", [0, -1])
def test_partition_count_must_be_positive(log: Log, names: Names, partitions: int) -> None:
    name = names.topic()
    with pytest.raises(InvalidPartitions) as exc:
        log.create_topic(name, partitions=partitions)
    assert_error(
        exc, InvalidPartitions, 40003,
        f"Number of partitions must be larger than 0, got {partitions}.",
    )
    assert name not in log.list_topics()


@pytest.mark.parametrize("partitions", [10_001, 2**31 - 1])
def test_a_partition_count_past_one_request_limit_is_refused(
    log: Log, names: Names, partitions: int
) -> None:
    """Refused up front, as Kafka's controller does, instead of exhausting memory."""
    name = names.topic()
    with pytest.raises(InvalidPartitions) as exc:
        log.create_topic(name, partitions=partitions)
    assert_error(
        exc, InvalidPartitions, 40003,
        f"Number of partitions must be at most 10,000 per request (an excessively large "
        f"batch operation), got {partitions:,}.",
    )
    assert name not in log.list_topics()


def test_replication_factor_must_be_positive(log: Log, names: Names) -> None:
    with pytest.raises(InvalidConfig) as exc:
        log.create_topic(names.topic(), replication_factor=0)
    assert_error(exc, InvalidConfig, 40004, "Replication factor must be larger than 0, got 0.")


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("cleanup.policy", "shred", "Invalid value shred for configuration cleanup.policy."),
        (
            "message.timestamp.type",
            "WallClock",
            "Invalid value WallClock for configuration message.timestamp.type.",
        ),
        (
            "retention.ms",
            "a week",
            "Invalid value a week for configuration retention.ms: Not a number of type LONG",
        ),
    ],
)
def test_invalid_config_values_are_rejected(
    log: Log, names: Names, key: str, value: str, message: str
) -> None:
    name = names.topic()
    with pytest.raises(InvalidConfig) as exc:
        log.create_topic(name, configs={key: value})
    assert_error(exc, InvalidConfig, 40004, message)
    assert name not in log.list_topics()


def test_delete_removes_the_topic_and_its_records(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    log.append(name, [Record(b"v")])
    log.delete_topic(name)
    assert name not in log.list_topics()
    with pytest.raises(TopicNotFound) as exc:
        log.describe_topic(name)
    assert_error(exc, TopicNotFound, 40401, f"Topic '{name}' not found.")


def test_recreated_topic_starts_empty(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    log.append(name, [Record(b"old")])
    log.delete_topic(name)
    log.create_topic(name)
    assert log.read(TopicPartition(name, 0), 0) == []
    log.append(name, [Record(b"new")])
    assert [r.value for r in log.read(TopicPartition(name, 0), 0)] == [b"new"]


def test_unknown_topic_is_reported_by_every_operation(log: Log, names: Names) -> None:
    name = names.topic()
    message = f"Topic '{name}' not found."
    operations = [
        lambda: log.delete_topic(name),
        lambda: log.describe_topic(name),
        lambda: log.append(name, [Record(b"v")]),
        lambda: log.read(TopicPartition(name, 0), 0),
        lambda: log.consumer(names.group(), [name]),
        lambda: log.enforce_retention(name),
    ]
    for operation in operations:
        with pytest.raises(TopicNotFound) as exc:
            operation()
        assert_error(exc, TopicNotFound, 40401, message)


def test_unknown_partition_is_reported(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, partitions=2)
    with pytest.raises(PartitionNotFound) as exc:
        log.read(TopicPartition(name, 2), 0)
    assert_error(exc, PartitionNotFound, 40402, f"Partition 2 of topic '{name}' not found.")
    with pytest.raises(PartitionNotFound) as exc:
        log.append(name, [Record(b"ok"), Record(b"v", partition=7)])
    assert_error(exc, PartitionNotFound, 40402, f"Partition 7 of topic '{name}' not found.")
    assert [p.end_offset for p in log.describe_topic(name).partitions] == [0, 0]
