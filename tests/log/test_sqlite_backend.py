"""What only the SQLite log can show: several log objects (as several processes would) on
one file, time driven by a ManualClock, and the file's own guarantees."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tote.core.clock import ManualClock
from tote.core.errors import Fenced, ToteError
from tote.core.records import LogRecord, PartitionInfo, Position, Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_retention import RETENTION_CHECK_MS
from tote.log.sqlite_schema import MAX_OFFSET

START_MS = 1_700_000_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START_MS)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "log.db"


@pytest.fixture
def log(path: Path, clock: ManualClock) -> Iterator[SqliteLog]:
    with SqliteLog(path, clock) as log:
        yield log


@pytest.fixture
def other(path: Path, clock: ManualClock, log: SqliteLog) -> Iterator[SqliteLog]:
    """A second log object on the same file: another process, as far as SQLite knows."""
    with SqliteLog(path, clock) as other:
        yield other


def _values(records: list[LogRecord]) -> list[tuple[int, bytes | None]]:
    return [(r.offset, r.value) for r in records]


def test_the_file_is_a_wal_database_that_passes_its_integrity_check(
    log: SqliteLog, path: Path
) -> None:
    log.create_topic("t")
    log.append("t", [Record(b"v")])
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    raw.close()


def test_two_log_objects_on_one_file_see_each_others_writes(
    log: SqliteLog, other: SqliteLog
) -> None:
    log.create_topic("t", partitions=2)
    assert other.append("t", [Record(b"a", partition=1), Record(b"b", partition=1)]) == [
        Position(1, 0, START_MS),
        Position(1, 1, START_MS),
    ]
    assert log.append("t", [Record(b"c", partition=1)]) == [Position(1, 2, START_MS)]
    assert _values(other.read(TopicPartition("t", 1), 0)) == [(0, b"a"), (1, b"b"), (2, b"c")]
    assert log.list_topics() == other.list_topics() == ["t"]


def test_a_topic_recreated_by_another_process_is_picked_up(
    log: SqliteLog, other: SqliteLog
) -> None:
    log.create_topic("t")
    log.append("t", [Record(b"old-0"), Record(b"old-1")])
    other.delete_topic("t")
    other.create_topic("t", partitions=2)
    assert log.append("t", [Record(b"new", partition=1)]) == [Position(1, 0, START_MS)]
    assert log.read(TopicPartition("t", 0), 0) == []
    assert _values(other.read(TopicPartition("t", 1), 0)) == [(0, b"new")]
    assert log.describe_topic("t").partitions == (PartitionInfo(0, 0, 0), PartitionInfo(1, 0, 1))


def test_wait_wakes_when_another_log_object_appends(log: SqliteLog, other: SqliteLog) -> None:
    log.create_topic("t")
    tp = TopicPartition("t", 0)
    woke: list[bool] = []
    waiter = threading.Thread(target=lambda: woke.append(log.wait({tp: 0}, 60.0)))
    waiter.start()
    other.append("t", [Record(b"hello")])
    waiter.join(timeout=120)
    assert woke == [True]
    assert _values(log.read(tp, 0)) == [(0, b"hello")]


def test_offsets_are_never_reused_after_retention_empties_a_partition(
    log: SqliteLog, path: Path, clock: ManualClock
) -> None:
    log.create_topic("t", configs={"retention.ms": "1000"})
    log.append("t", [Record(b"a"), Record(b"b"), Record(b"c")])
    clock.advance(1001)
    log.enforce_retention("t")
    assert log.describe_topic("t").partitions == (PartitionInfo(0, 3, 3),)
    log.close()
    with SqliteLog(path, clock) as again:
        assert again.append("t", [Record(b"d")]) == [Position(0, 3, START_MS + 1001)]
        assert _values(again.read(TopicPartition("t", 0), 0)) == [(3, b"d")]


def test_compaction_removes_tombstones_after_delete_retention(
    log: SqliteLog, clock: ManualClock
) -> None:
    log.create_topic("t", configs={"cleanup.policy": "compact", "delete.retention.ms": "1000"})
    log.append("t", [Record(b"v1", key=b"k"), Record(None, key=b"k"), Record(b"w", key=b"j")])
    log.enforce_retention("t")
    tp = TopicPartition("t", 0)
    assert _values(log.read(tp, 0)) == [(1, None), (2, b"w")]
    clock.advance(1001)
    log.enforce_retention("t")
    assert _values(log.read(tp, 0)) == [(2, b"w")]
    assert log.describe_topic("t").partitions == (PartitionInfo(0, 2, 3),)
    assert log.append("t", [Record(b"x", key=b"k")])[0].offset == 3


def test_appends_apply_retention_on_their_own(log: SqliteLog, clock: ManualClock) -> None:
    log.create_topic("t", configs={"retention.ms": "1000"})
    log.append("t", [Record(b"old")])
    clock.advance(RETENTION_CHECK_MS)
    log.append("t", [Record(b"new")])
    assert log.describe_topic("t").partitions == (PartitionInfo(0, 1, 2),)
    assert _values(log.read(TopicPartition("t", 0), 0)) == [(1, b"new")]


def test_members_in_two_processes_split_partitions_and_expire(
    log: SqliteLog, other: SqliteLog, clock: ManualClock
) -> None:
    log.create_topic("t", partitions=4)
    first = log.consumer("g", ["t"], member_id="a", session_timeout_ms=1000)
    second = other.consumer("g", ["t"], member_id="b", session_timeout_ms=1000)
    first.poll(timeout=0)
    assert sorted(tp.partition for tp in first.assignment()) == [0, 1]
    assert sorted(tp.partition for tp in second.assignment()) == [2, 3]
    clock.advance(1000)
    first.poll(timeout=0)
    assert len(first.assignment()) == 2  # exactly at the session timeout: still alive
    clock.advance(1)
    first.poll(timeout=0)
    assert len(first.assignment()) == 4
    with pytest.raises(Fenced) as exc:
        second.commit()
    assert exc.value.message == (
        "Commit cannot be completed since the group 'g' has already rebalanced and assigned "
        "the partitions to another member (member 'b' is not in generation 3)."
    )
    second.poll(timeout=0)  # polling again rejoins the group
    first.poll(timeout=0)
    assert sorted(tp.partition for tp in second.assignment()) == [2, 3]
    assert sorted(tp.partition for tp in first.assignment()) == [0, 1]


def test_a_member_closed_in_another_process_hands_over_at_once(
    log: SqliteLog, other: SqliteLog
) -> None:
    log.create_topic("t", partitions=2)
    log.append("t", [Record(b"p0", partition=0), Record(b"p1", partition=1)])
    staying = log.consumer("g", ["t"], member_id="a")
    leaving = other.consumer("g", ["t"], member_id="b")
    staying.poll(timeout=0, max_records=0)
    assert [r.value for r in leaving.poll(timeout=0)] == [b"p1"]
    leaving.commit()
    leaving.close()
    got = staying.poll(timeout=0)
    assert [r.value for r in got] == [b"p0"]
    assert staying.assignment() == {TopicPartition("t", 0), TopicPartition("t", 1)}
    assert staying.position(TopicPartition("t", 1)) == 1


def test_a_restarted_member_takes_over_its_member_id_and_fences_the_old(
    log: SqliteLog, other: SqliteLog
) -> None:
    log.create_topic("t")
    old = log.consumer("g", ["t"], member_id="worker-1")
    new = other.consumer("g", ["t"], member_id="worker-1")
    assert new.assignment() == {TopicPartition("t", 0)}
    with pytest.raises(Fenced) as exc:
        old.poll(timeout=0)
    assert exc.value.message == (
        "Member 'worker-1' of group 'g' was fenced by a newer consumer with the same member id."
    )
    new.commit({TopicPartition("t", 0): 0})
    assert other.committed("g", [TopicPartition("t", 0)]) == {TopicPartition("t", 0): 0}


def test_a_producer_created_in_another_process_fences_the_old_one(
    log: SqliteLog, other: SqliteLog
) -> None:
    log.create_topic("t")
    old = log.transactional_producer("tx")
    txn = old.begin()
    txn.append("t", [Record(b"zombie")])
    txn.put("s", b"k", b"zombie")
    other.transactional_producer("tx")
    with pytest.raises(Fenced) as exc:
        txn.commit()
    assert exc.value.message == (
        "Producer with transactional id 'tx' has been fenced: "
        "a newer producer with the same transactional id took over."
    )
    assert log.read(TopicPartition("t", 0), 0) == []
    assert other.store("s").get(b"k") is None


def test_a_transaction_sees_its_own_puts_and_deletes(log: SqliteLog) -> None:
    producer = log.transactional_producer("tx")
    with producer.begin() as txn:
        txn.put("s", b"a", b"1")
        txn.put("s", b"b", b"2")
    with producer.begin() as txn:
        txn.put("s", b"a", None)
        txn.put("s", b"c", b"3")
        assert (txn.get("s", b"a"), txn.get("s", b"b"), txn.get("s", b"c")) == (None, b"2", b"3")
        assert log.store("s").get(b"a") == b"1"
    assert list(log.store("s").items()) == [(b"b", b"2"), (b"c", b"3")]


def test_store_items_page_through_many_keys(log: SqliteLog) -> None:
    producer = log.transactional_producer("tx")
    keys = [b"k%05d" % i for i in range(2500)]
    with producer.begin() as txn:
        for key in keys:
            txn.put("s", key, key[::-1])
    assert list(log.store("s").items(b"k")) == [(k, k[::-1]) for k in keys]


def test_a_full_partition_refuses_appends(log: SqliteLog, path: Path) -> None:
    log.create_topic("t")
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("UPDATE partitions SET start_offset = ?1, end_offset = ?1", (MAX_OFFSET - 1,))
    raw.close()
    with pytest.raises(ToteError) as exc:
        log.append("t", [Record(b"a"), Record(b"b")])
    assert exc.value.message == (
        f"Partition t-0 is full: it cannot hold offsets past {MAX_OFFSET}."
    )
    assert log.append("t", [Record(b"last")]) == [Position(0, MAX_OFFSET - 1, START_MS)]
    assert _values(log.read(TopicPartition("t", 0), 0)) == [(MAX_OFFSET - 1, b"last")]


def test_a_file_that_is_not_a_log_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"shopping list: " + bytes(range(256)) * 4)
    with pytest.raises(ToteError) as exc:
        SqliteLog(path)
    assert exc.value.message == f"Cannot open the log file {path}: file is not a database."
