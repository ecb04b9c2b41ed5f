"""Exactly once: rows and consumed offsets commit together in the target database, tasks
resume from there (the group's offsets are only advisory), and a zombie task that still
thinks it owns a partition cannot write it twice."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.connect.databases import Database, SqliteDatabase, rows_or_none
from tests.connect.helpers import JDBC_SINK, bet_schema, produce, register, wait_until
from tests.connect.id_records import records, task

from tote.connect.api import OffsetsMoved
from tote.connect.herder import Herder
from tote.core.errors import Conflict
from tote.core.records import TopicPartition
from tote.log.memory import MemoryLog

TP = TopicPartition("bets", 0)


def test_a_zombie_cannot_write_twice(database: Database) -> None:
    live, zombie = task(database), task(database)
    try:
        assert live.open([TP]) == {} and zombie.open([TP]) == {}
        live.put(records(0, 10), {TP: 10})
        with pytest.raises(OffsetsMoved) as moved:
            zombie.put(records(0, 10), {TP: 10})
        assert moved.value.partitions == [TP]
        assert zombie.open([TP]) == {TP: 10}
        zombie.put(records(10, 12), {TP: 12})
        with pytest.raises(OffsetsMoved):
            live.put(records(10, 12), {TP: 12})
        q = "`" if database.kind == "mariadb" else '"'
        assert database.rows(f"SELECT {q}ID{q} FROM bets ORDER BY 1") == [
            (i,) for i in range(12)]
        assert database.rows("SELECT * FROM __tote_connect_offsets") == [("eos", "bets", 0, 12)]
    finally:
        live.stop()
        zombie.stop()


def test_the_database_offsets_win_over_the_group(log: MemoryLog, herder: Herder,
                                                 tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets")
    produce(log, "bets", schema_id, schema,
            [{"RUNNER_ID": i, "RACE_ID": 0, "AMOUNT": 1.0} for i in range(20)])
    config = {"connector.class": JDBC_SINK, "topics": "bets", "connection.url": db.url,
              "auto.create": "true"}
    herder.create("eos", config)
    wait_until(lambda: rows_or_none(db, "SELECT count(*) FROM bets") == [(20,)],
               "20 rows")
    herder.stop("eos")
    wait_until(lambda: herder.status("eos")["connector"]["state"] == "STOPPED", "STOPPED")
    # Rewind the group as if its commits had been lost: the database still knows better.
    wait_until(lambda: _rewind(log), "the group to be rewound")
    produce(log, "bets", schema_id, schema,
            [{"RUNNER_ID": i, "RACE_ID": 1, "AMOUNT": 1.0} for i in range(20, 25)])
    herder.resume("eos")
    wait_until(lambda: db.rows("SELECT count(*) FROM bets") == [(25,)], "25 rows")
    wait_until(lambda: log.committed("connect-eos", [TP]) == {TP: 25}, "the group to catch up")
    assert db.rows('SELECT count(DISTINCT "RUNNER_ID") FROM bets') == [(25,)]
    assert db.rows("SELECT * FROM __tote_connect_offsets") == [("eos", "bets", 0, 25)]


def _rewind(log: MemoryLog) -> bool:
    try:
        log.commit_offsets("connect-eos", {TP: 0})
    except Conflict:
        return False  # the stopped task is still leaving the group
    return True


def test_at_least_once_when_asked(log: MemoryLog, herder: Herder, tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets")
    produce(log, "bets", schema_id, schema, [{"RUNNER_ID": 1, "RACE_ID": 0, "AMOUNT": 1.0}])
    herder.create("alo", {"connector.class": JDBC_SINK, "topics": "bets",
                          "connection.url": db.url, "auto.create": "true",
                          "tote.exactly.once": "false"})
    wait_until(lambda: log.committed("connect-alo", [TP]) == {TP: 1}, "the group commit")
    assert db.rows("SELECT * FROM bets") == [(1, 0, 1.0)]
    assert db.rows("SELECT name FROM sqlite_master WHERE name = '__tote_connect_offsets'") == []
