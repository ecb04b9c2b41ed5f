"""SQLite's `append_many` writes a group in one transaction; what only sqlite can show is
what happens when writing the group fails part-way: it is rolled back whole and each
batch is retried alone, so one batch's failure never takes another's records with it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tote.core.clock import ManualClock
from tote.core.errors import ToteError
from tote.core.records import Position, Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_schema import MAX_OFFSET

START_MS = 1_700_000_000_000


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "log.db"


@pytest.fixture
def log(path: Path) -> Iterator[SqliteLog]:
    with SqliteLog(path, ManualClock(START_MS)) as log:
        yield log


def _values(log: SqliteLog, topic: str, partition: int = 0) -> list[tuple[int, bytes | None]]:
    return [(r.offset, r.value) for r in log.read(TopicPartition(topic, partition), 0)]


def test_a_full_partition_fails_its_batch_only(log: SqliteLog, path: Path) -> None:
    log.create_topic("full")
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE partitions SET start_offset = ?1, end_offset = ?1", (MAX_OFFSET - 1,))
    raw.close()
    log.create_topic("roomy")
    first, too_many, last = log.append_many(
        [
            ("roomy", [Record(b"r0")]),
            ("full", [Record(b"a"), Record(b"b")]),
            ("roomy", [Record(b"r1")]),
        ]
    )
    assert first == [Position(0, 0, START_MS)]
    assert isinstance(too_many, ToteError)
    assert (
        too_many.message == f"Partition full-0 is full: it cannot hold offsets past {MAX_OFFSET}."
    )
    assert last == [Position(0, 1, START_MS)]
    assert _values(log, "roomy") == [(0, b"r0"), (1, b"r1")]
    assert _values(log, "full") == []


def test_a_topic_recreated_by_another_process_is_picked_up(log: SqliteLog, path: Path) -> None:
    log.create_topic("t")
    log.create_topic("u")
    log.append_many([("t", [Record(b"old")]), ("u", [Record(b"u0")])])
    with SqliteLog(path, ManualClock(START_MS)) as other:
        other.delete_topic("t")
        other.create_topic("t")  # same shape, new id: only the write itself can tell
        results = log.append_many([("u", [Record(b"u1")]), ("t", [Record(b"new")])])
        assert results == [[Position(0, 1, START_MS)], [Position(0, 0, START_MS)]]
        assert _values(other, "t") == [(0, b"new")]
        assert _values(other, "u") == [(0, b"u0"), (1, b"u1")]


def test_a_topic_grown_by_another_process_takes_its_new_partitions(
    log: SqliteLog, path: Path
) -> None:
    log.create_topic("t")
    log.append("t", [Record(b"old")])
    with SqliteLog(path, ManualClock(START_MS)) as other:
        other.delete_topic("t")
        other.create_topic("t", partitions=2)
        results = log.append_many(
            [
                ("t", [Record(b"new", partition=1)]),
                ("t", [Record(b"new0", partition=0)]),
            ]
        )
        assert results == [[Position(1, 0, START_MS)], [Position(0, 0, START_MS)]]
        assert _values(other, "t", 1) == [(0, b"new")]
        assert _values(other, "t", 0) == [(0, b"new0")]


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "tote-sqlite-checkpoint"]


def test_group_commits_checkpoint_on_a_thread_that_ends_with_the_log(path: Path) -> None:
    before = len(_checkpoint_threads())
    log = SqliteLog(path, ManualClock(START_MS))
    log.create_topic("t")
    log.append("t", [Record(b"plain appends checkpoint inline, as before")])
    assert len(_checkpoint_threads()) == before
    for i in range(300):  # a few WAL pages' worth of commits
        assert log.append_many([("t", [Record(b"%d" % i * 100)])])[0] != []
    assert len(_checkpoint_threads()) == before + 1
    log.close()
    assert len(_checkpoint_threads()) == before
    with SqliteLog(path, ManualClock(START_MS)) as again:
        assert len(again.read(TopicPartition("t", 0), 0, 1000)) == 301
