"""`copy_log` copies a SQLite log file whole: what a process reads from the copy is what
it read from the original, even the records that so far live only in the WAL, and the
copy is a log like any other (it opens normally and its offsets carry on)."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_copy import copy_log

TP = TopicPartition("bets", 0)
BETS = 300


def _rows(db: Path) -> int:
    """Records in a file read on its own (no WAL beside it): 0 if not even the table is."""
    with closing(sqlite3.connect(db)) as conn:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'records'").fetchone():
            count: int = conn.execute("SELECT count(*) FROM records").fetchone()[0]
            return count
        return 0


def test_the_copy_holds_records_only_the_wal_holds_yet(tmp_path: Path) -> None:
    source, copy, main_only = tmp_path / "log.db", tmp_path / "copy.db", tmp_path / "main.db"
    with SqliteLog(source) as log:
        log.create_topic("bets")
        log.append("bets", [Record(b"first", key=b"k", timestamp=1_000)])
        # A reader's snapshot keeps later commits out of the main file (no checkpoint can
        # move them past it), so they are in the WAL alone while the copy is made.
        with closing(sqlite3.connect(source)) as reader:
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM records").fetchone()
            log.append("bets", [Record(f"bet {i}".encode(), key=str(i % 7).encode(),
                                       headers=(("h", b"v"),), timestamp=2_000 + i)
                                for i in range(BETS)])
            shutil.copyfile(source, main_only)
            copy_log(source, copy)
            reader.rollback()
        expected = log.read(TP, 0, 10 * BETS)
    assert len(expected) == BETS + 1
    assert _rows(main_only) < len(expected), "the main file alone already held every record"

    with SqliteLog(copy) as copied:
        assert copied.read(TP, 0, 10 * BETS) == expected
        assert copied.append("bets", [Record(b"next")])[0].offset == BETS + 1


def test_copying_onto_an_existing_file_is_refused(tmp_path: Path) -> None:
    source, target = tmp_path / "log.db", tmp_path / "target.db"
    with SqliteLog(source) as log:
        log.create_topic("bets")
    target.write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        copy_log(source, target)
    assert target.read_bytes() == b"keep me"
