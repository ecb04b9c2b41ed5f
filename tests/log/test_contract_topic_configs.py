"""Log contract: altering a topic's configs after creation (Kafka's IncrementalAlterConfigs),
and the altered values taking effect on appends and retention."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from tests.log.backends import Names, assert_error

from tote.core.errors import InvalidConfig, RecordTooLarge, TopicNotFound
from tote.core.records import Record, TopicPartition
from tote.log.base import Log


def test_alter_sets_and_resets_configs_and_describe_reports_them(
    log: Log, names: Names
) -> None:
    name = names.topic()
    log.create_topic(name, configs={"cleanup.policy": "compact", "retention.ms": "86400000"})
    spec = log.alter_topic_configs(
        name, {"retention.ms": "60000", "cleanup.policy": None, "max.message.bytes": "2000"}
    )
    expected = (("max.message.bytes", "2000"), ("retention.ms", "60000"))
    assert spec.configs == expected
    assert log.describe_topic(name).spec.configs == expected
    # Resetting a config that was never set is no change at all, as in Kafka.
    assert log.alter_topic_configs(name, {"segment.ms": None}).configs == expected


def test_altered_configs_survive_a_restart(
    log: Log, names: Names, reopen: Callable[[], Log]
) -> None:
    name = names.topic()
    log.create_topic(name)
    log.alter_topic_configs(name, {"cleanup.policy": "compact"})
    reopened = reopen()
    assert reopened.describe_topic(name).spec.configs == (("cleanup.policy", "compact"),)


def test_a_bad_value_changes_nothing(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, configs={"retention.ms": "60000"})
    with pytest.raises(InvalidConfig) as exc:
        log.alter_topic_configs(name, {"cleanup.policy": "compact", "retention.ms": "soon"})
    assert_error(
        exc, InvalidConfig, 40004,
        "Invalid value soon for configuration retention.ms: Not a number of type LONG",
    )
    assert log.describe_topic(name).spec.configs == (("retention.ms", "60000"),)


def test_altering_a_missing_topic_is_topic_not_found(log: Log, names: Names) -> None:
    missing = names.topic()
    with pytest.raises(TopicNotFound):
        log.alter_topic_configs(missing, {"retention.ms": "1000"})


def test_a_lowered_max_message_bytes_refuses_the_next_large_record(
    log: Log, names: Names
) -> None:
    name = names.topic()
    log.create_topic(name)
    log.append(name, [Record(b"x" * 1500)])
    log.alter_topic_configs(name, {"max.message.bytes": "1000"})
    with pytest.raises(RecordTooLarge):
        log.append(name, [Record(b"x" * 1500)])
    log.alter_topic_configs(name, {"max.message.bytes": None})
    log.append(name, [Record(b"y" * 1500)])
    assert [r.value[:1] for r in log.read(TopicPartition(name, 0), 0)] == [b"x", b"y"]


@pytest.mark.unsupported_on(
    "kafka", reason="Tansu 0.6 (memory storage) never deletes records by retention.ms"
)
def test_a_retention_set_after_creation_deletes_old_records(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    now = int(time.time() * 1000)
    log.append(name, [Record(b"old", timestamp=now - 3_600_000), Record(b"new", timestamp=now)])
    log.enforce_retention(name)
    assert log.describe_topic(name).partitions[0].start_offset == 0  # no retention.ms yet
    log.alter_topic_configs(name, {"retention.ms": "60000"})
    log.enforce_retention(name)
    assert [r.value for r in log.read(TopicPartition(name, 0), 0)] == [b"new"]
