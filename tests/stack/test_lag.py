"""Lag of queries and connectors, read from the consumer groups of a log (MemoryLog)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.core.records import Record, TopicPartition
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog
from tote.stack.lag import ConsumerLag, classify, consumer_lags, stack_lags

QUERY_GROUP = "_confluent-ksql-default_query_CSAS_ODDS_6"


@pytest.mark.parametrize(("group", "expected"), [
    (QUERY_GROUP, ("query", "CSAS_ODDS_6")),
    ("_confluent-ksql-my_service_query_CTAS_POOL_4", ("query", "CTAS_POOL_4")),
    ("connect-jdbc-sink-connector", ("connector", "jdbc-sink-connector")),
    ("proxy-consumers", None),
    ("_confluent-ksql-default_transient_123", None),
])
def test_classify_names_query_and_connector_groups(group: str,
                                                   expected: tuple[str, str] | None) -> None:
    assert classify(group) == expected


def _fill(log: MemoryLog | SqliteLog) -> None:
    log.create_topic("bets", 2)
    log.create_topic("odds", 1)
    log.append("bets", [Record(b"x", partition=0)] * 5 + [Record(b"y", partition=1)] * 3)
    log.append("odds", [Record(b"z")] * 4)
    log.commit_offsets(QUERY_GROUP, {TopicPartition("bets", 0): 2,
                                     TopicPartition("bets", 1): 3})
    log.commit_offsets("connect-sink", {TopicPartition("odds", 0): 4})
    log.commit_offsets("someone-else", {TopicPartition("odds", 0): 0})


def test_lag_is_the_records_between_committed_and_end_queries_first() -> None:
    log = MemoryLog()
    _fill(log)
    assert consumer_lags(log) == [
        ConsumerLag("query", "CSAS_ODDS_6", QUERY_GROUP, 3),
        ConsumerLag("connector", "sink", "connect-sink", 0),
    ]


def test_stack_lags_reads_the_data_dirs_sqlite_log(tmp_path: Path) -> None:
    assert stack_lags(tmp_path, "sqlite", "") == []  # no log yet
    with SqliteLog(tmp_path / "log.db") as log:
        _fill(log)
    assert [(c.name, c.lag) for c in stack_lags(tmp_path, "sqlite", "") or []] == [
        ("CSAS_ODDS_6", 3), ("sink", 0)]
