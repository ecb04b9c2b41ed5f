"""DESCRIBE STREAMS|TABLES, SHOW TOPICS EXTENDED and ASSERT TOPIC|SCHEMA in the engine."""

from __future__ import annotations

import threading
import time

import pytest

from tote.sql.engine import Engine
from tote.sql.errors import AssertionFailed
from tote.sql.results import (
    AssertSchemaResult,
    AssertTopicResult,
    SourceDescriptionList,
    TopicUsage,
    TopicUsageList,
)

DDL = ("CREATE STREAM PAGES (ID INT KEY, PAGE STRING) WITH (kafka_topic='pages', "
       "partitions=2, value_format='JSON');"
       "CREATE TABLE USERS (ID INT PRIMARY KEY, NAME STRING) WITH (kafka_topic='users', "
       "partitions=1, value_format='AVRO');")


def one(engine: Engine, sql: str) -> object:
    [result] = engine.execute(sql)
    return result


def test_describe_streams_and_tables_describe_every_source_of_the_kind(engine: Engine
                                                                       ) -> None:
    engine.execute(DDL)
    streams = one(engine, "DESCRIBE STREAMS;")
    assert isinstance(streams, SourceDescriptionList)
    assert [(d.name, d.type, d.extended, d.partitions) for d in streams.descriptions] == [
        ("PAGES", "STREAM", False, 2)]
    tables = one(engine, "DESCRIBE TABLES EXTENDED;")
    assert isinstance(tables, SourceDescriptionList)
    assert [(d.name, d.type, d.extended, d.value_format) for d in tables.descriptions] == [
        ("USERS", "TABLE", True, "AVRO")]


def test_show_topics_extended_counts_assigned_partitions_and_groups(engine: Engine) -> None:
    engine.log.create_topic("orders", partitions=3)
    engine.log.create_topic("quiet", partitions=1)
    first = engine.log.consumer("billing", ["orders"])
    second = engine.log.consumer("billing", ["orders"])
    other = engine.log.consumer("audit", ["orders"])
    try:
        listed = one(engine, "SHOW TOPICS EXTENDED;")
        assert isinstance(listed, TopicUsageList)
        assert listed.topics == (TopicUsage("orders", 3, 1, 6, 2),
                                 TopicUsage("quiet", 1, 1, 0, 0))
    finally:
        for consumer in (first, second, other):
            consumer.close()
    after = one(engine, "LIST TOPICS EXTENDED;")
    assert isinstance(after, TopicUsageList)
    assert after.topics[0] == TopicUsage("orders", 3, 1, 0, 0)


def test_show_all_topics_extended_includes_internal_topics(engine: Engine) -> None:
    engine.log.create_topic("_hidden", partitions=1)
    shown = one(engine, "SHOW TOPICS EXTENDED;")
    everything = one(engine, "SHOW ALL TOPICS EXTENDED;")
    assert isinstance(shown, TopicUsageList) and isinstance(everything, TopicUsageList)
    assert "_hidden" not in [t.name for t in shown.topics]
    assert "_hidden" in [t.name for t in everything.topics]


def test_assert_topic_holds_and_checks_partitions_and_replicas(engine: Engine) -> None:
    engine.log.create_topic("bets", partitions=2)
    result = one(engine, "ASSERT TOPIC bets WITH (partitions=2, replicas=1);")
    assert result == AssertTopicResult("ASSERT TOPIC bets WITH (partitions=2, replicas=1);",
                                       "bets", True)
    with pytest.raises(AssertionFailed) as failed:
        one(engine, "ASSERT TOPIC bets WITH (partitions=3, replicas=1, foo=2) "
                    "TIMEOUT 0 SECONDS;")
    assert failed.value.error_code == 41700
    assert failed.value.message == (
        "Mismatched configuration for topic bets: For config partitions, expected 3 got 2\n"
        "Cannot assert unknown topic property: FOO")


def test_assert_topic_existence_and_absence(engine: Engine) -> None:
    with pytest.raises(AssertionFailed, match=r"^Topic missing does not exist$"):
        one(engine, "ASSERT TOPIC missing TIMEOUT 200 MILLISECONDS;")
    assert one(engine, "ASSERT NOT EXISTS TOPIC 'missing';") == AssertTopicResult(
        "ASSERT NOT EXISTS TOPIC 'missing';", "missing", False)
    engine.log.create_topic("there", partitions=1)
    with pytest.raises(AssertionFailed, match=r"^Topic there exists$"):
        one(engine, "ASSERT NOT EXISTS TOPIC there TIMEOUT 0 SECONDS;")


def test_assert_topic_waits_for_the_topic_up_to_its_timeout(engine: Engine) -> None:
    timer = threading.Timer(0.3, lambda: engine.log.create_topic("late",
                                                                 partitions=1))
    timer.start()
    started = time.monotonic()
    try:
        result = one(engine, "ASSERT TOPIC late TIMEOUT 10 SECONDS;")
    finally:
        timer.join()
    assert isinstance(result, AssertTopicResult) and result.exists
    assert time.monotonic() - started < 5


def test_assert_default_timeout_comes_from_the_server_config(engine: Engine) -> None:
    started = time.monotonic()
    with pytest.raises(AssertionFailed):
        one(engine, "ASSERT TOPIC missing;")
    assert 0.9 <= time.monotonic() - started < 5  # ksql.assert.topic.default.timeout.ms


def test_assert_schema_by_subject_id_and_both(engine: Engine) -> None:
    engine.execute(DDL)  # registers users-value with id 1
    assert one(engine, "ASSERT SCHEMA SUBJECT 'users-value';") == AssertSchemaResult(
        "ASSERT SCHEMA SUBJECT 'users-value';", "users-value", None, True)
    assert one(engine, "ASSERT SCHEMA ID 1;") == AssertSchemaResult(
        "ASSERT SCHEMA ID 1;", None, 1, True)
    assert isinstance(one(engine, "ASSERT SCHEMA SUBJECT 'users-value' ID 1;"),
                      AssertSchemaResult)
    assert isinstance(one(engine, "ASSERT NOT EXISTS SCHEMA SUBJECT 'other' ID 1;"),
                      AssertSchemaResult)
    with pytest.raises(AssertionFailed) as failed:
        one(engine, "ASSERT SCHEMA SUBJECT 'nope' ID 9 TIMEOUT 0 SECONDS;")
    assert failed.value.message == "Schema with subject name nope id 9 does not exist"
    with pytest.raises(AssertionFailed) as failed:
        one(engine, "ASSERT NOT EXISTS SCHEMA ID 1 TIMEOUT 0 SECONDS;")
    assert failed.value.message == "Schema with id 1 exists"


def test_assert_schema_without_a_registry_cannot_check() -> None:
    from tote.log.memory import MemoryLog

    engine = Engine(MemoryLog(), None)
    with pytest.raises(AssertionFailed) as failed:
        one(engine, "ASSERT SCHEMA ID 1 TIMEOUT 0 SECONDS;")
    assert failed.value.message.startswith(
        "Cannot check schema existence: KSQL is not configured to use a schema registry.")
