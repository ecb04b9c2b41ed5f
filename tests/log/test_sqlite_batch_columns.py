"""How a SQLite append reads a batch: `Record` tuples column-wise, anything else with the
same fields by name, to the same stored records; the size check's shortcut by total."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest

from tote.core.clock import ManualClock
from tote.core.errors import PartitionNotFound, RecordTooLarge
from tote.core.records import LogRecord, Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_batch import INSERT_BARE, insert_rows
from tote.log.sqlite_lock import write_txn

START_MS = 1_700_000_000_000


@pytest.fixture
def log(tmp_path: Path) -> Iterator[SqliteLog]:
    with SqliteLog(tmp_path / "log.db", ManualClock(START_MS)) as log:
        log.create_topic("src", 2)
        log.create_topic("dst", 2, configs={"max.message.bytes": "100"})
        yield log


def stored(log: SqliteLog, topic: str) -> list[tuple[object, ...]]:
    return [(r.partition, r.offset, r.key, r.value, r.headers, r.timestamp)
            for p in range(2) for r in log.read(TopicPartition(topic, p), 0)]


def look_alikes(records: list[LogRecord]) -> list[Record]:
    """LogRecords passed where Records go: what a copying tool may do (same field names)."""
    return cast("list[Record]", records)


def test_records_read_back_append_like_the_records_they_were(log: SqliteLog) -> None:
    """LogRecords (eight fields, not a Record) are appended by their fields' names."""
    written = [Record(b"v%d" % i, b"k", (), START_MS + i, i % 2) for i in range(4)]
    log.append("src", written)
    read = [r for p in range(2) for r in log.read(TopicPartition("src", p), 0)]
    log.append("dst", look_alikes(read))
    assert stored(log, "dst") == stored(log, "src")


def test_a_batch_mixing_records_and_look_alikes_keeps_each_ones_fields(log: SqliteLog) -> None:
    first = Record(b"a", None, (), None, 1)
    log.append("src", [first])
    (read,) = log.read(TopicPartition("src", 1), 0)
    log.append("dst", [Record(b"b", b"k", (), START_MS - 5, 1), *look_alikes([read])])
    assert stored(log, "dst") == [(1, 0, b"k", b"b", (), START_MS - 5),
                                  (1, 1, None, b"a", (), START_MS)]


def test_a_bool_partition_is_not_a_partition(log: SqliteLog) -> None:
    with pytest.raises(PartitionNotFound):
        log.append("dst", [Record(b"x", None, (), None, 1), Record(b"y", None, (), None, True)])


def test_a_batch_over_the_limit_in_total_but_not_per_record_is_appended(
        log: SqliteLog) -> None:
    log.append("dst", [Record(b"v" * 60, b"k" * 30, (), None, 0)] * 5)
    assert len(log.read(TopicPartition("dst", 0), 0)) == 5


def test_one_record_over_the_limit_fails_the_batch(log: SqliteLog) -> None:
    with pytest.raises(RecordTooLarge):
        log.append("dst", [Record(b"v", None, (), None, 0), Record(b"v" * 101, None, (), None, 0)])
    assert log.read(TopicPartition("dst", 0), 0) == []


def test_a_batch_mixing_records_and_plain_tuples_is_read_by_position(log: SqliteLog) -> None:
    txn = log.transactional_producer("p").begin()
    txn.write_rows("src", [(b"a", b"k", (), START_MS, 0), Record(b"b", None, (), START_MS + 1, 0)])
    txn.commit()
    assert stored(log, "src") == [(0, 0, b"k", b"a", (), START_MS),
                                  (0, 1, None, b"b", (), START_MS + 1)]


def test_a_multi_row_insert_failing_part_way_leaves_nothing(log: SqliteLog) -> None:
    """The multi-row INSERTs keep no statement journal (OR FAIL): the rows before the
    failing one go with the write transaction's rollback."""
    conn = log.conn()
    row = "INSERT INTO records (id, ts, key, value) VALUES (?, ?, ?, ?)"
    with write_txn(conn):
        conn.execute(row, (1000, START_MS, None, b"there"))
    ids = list(range(900, 1100))  # 1000, the 101st, is taken
    with pytest.raises(sqlite3.IntegrityError), write_txn(conn):
        insert_rows(conn, INSERT_BARE, (ids, [START_MS] * 200, [b"k"] * 200, [b"v"] * 200))
    assert conn.execute("SELECT id, value FROM records WHERE id BETWEEN 900 AND 1100"
                        ).fetchall() == [(1000, b"there")]
