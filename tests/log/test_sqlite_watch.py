"""Tail readers of the SQLite log wake for the partitions they wait on, whatever else is
committed to the file meanwhile (appends elsewhere, group offset commits, heartbeats)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tote.core.records import LogRecord, Record, TopicPartition
from tote.log.sqlite import SqliteLog


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "log.db"


@pytest.fixture
def log(path: Path) -> Iterator[SqliteLog]:
    with SqliteLog(path) as log:
        yield log


@pytest.fixture
def other(path: Path, log: SqliteLog) -> Iterator[SqliteLog]:
    """A second log object on the same file: another process, as far as SQLite knows."""
    with SqliteLog(path) as other:
        yield other


def _in_thread(action: object) -> tuple[threading.Thread, list[object]]:
    out: list[object] = []
    thread = threading.Thread(target=lambda: out.append(action()))  # type: ignore[operator]
    thread.start()
    return thread, out


def test_a_waiter_wakes_for_its_partition_after_unrelated_commits(
    log: SqliteLog, other: SqliteLog
) -> None:
    log.create_topic("t", partitions=2)
    log.create_topic("u")
    waited = TopicPartition("t", 1)
    thread, woke = _in_thread(lambda: log.wait({waited: 0}, 60.0))
    for _ in range(5):  # commits that concern other partitions, or no partition at all
        other.append("u", [Record(b"elsewhere")])
        other.append("t", [Record(b"other partition", partition=0)])
        other.commit_offsets("g", {TopicPartition("u", 0): 1})
    other.append("t", [Record(b"mine", partition=1)])
    thread.join(timeout=120)
    assert woke == [True]
    assert [r.value for r in log.read(waited, 0)] == [b"mine"]


def test_waiters_on_several_partitions_each_wake_for_their_own(
    log: SqliteLog, other: SqliteLog
) -> None:
    log.create_topic("a")
    log.create_topic("b")
    a, b = TopicPartition("a", 0), TopicPartition("b", 0)
    thread_a, woke_a = _in_thread(lambda: log.wait({a: 0}, 60.0))
    thread_b, woke_b = _in_thread(lambda: log.wait({b: 0}, 60.0))
    other.append("b", [Record(b"for b")])
    thread_b.join(timeout=120)
    assert woke_b == [True] and thread_a.is_alive()
    other.append("a", [Record(b"for a")])
    thread_a.join(timeout=120)
    assert woke_a == [True]


def test_a_group_consumer_waiting_in_poll_wakes_when_another_process_appends(
    log: SqliteLog, other: SqliteLog
) -> None:
    log.create_topic("t")
    log.create_topic("u")
    consumer = log.consumer("g", ["t"])
    try:
        thread, polled = _in_thread(lambda: consumer.poll(timeout=60.0))
        other.append("u", [Record(b"elsewhere")])
        other.append("t", [Record(b"hello")])
        thread.join(timeout=120)
        records = polled[0]
        assert isinstance(records, list)
        assert [r.value for r in records if isinstance(r, LogRecord)] == [b"hello"]
    finally:
        consumer.close()
