"""A put of several partitions moves all their offsets with its rows, in one transaction
(on PostgreSQL in the same round trip as the COMMIT); when another writer moved any of
them, nothing of the put is kept and every partition of the put is reported moved."""

from __future__ import annotations

import pytest
from tests.connect.databases import Database, connector_config

from tote.connect.api import OffsetsMoved, TaskContext
from tote.connect.data import SinkRecord, Struct, Type, primitive, struct_schema
from tote.connect.jdbc.sink import JdbcSinkTask
from tote.core.records import LogRecord, TimestampType, TopicPartition

VALUE = struct_schema("Bet", [("ID", primitive(Type.INT64))])
P0, P1 = TopicPartition("bets", 0), TopicPartition("bets", 1)


def records(partition: int, first: int, last: int) -> list[SinkRecord]:
    out = []
    for offset in range(first, last):
        ident = partition * 1000 + offset
        raw = LogRecord("bets", partition, offset, None, None, (), 0, TimestampType.CREATE_TIME)
        out.append(SinkRecord("bets", partition, offset, None, None, VALUE,
                              Struct(VALUE, {"ID": ident}), 0, (), raw))
    return out


def task(db: Database) -> JdbcSinkTask:
    started = JdbcSinkTask()
    started.start({"name": "eos", **connector_config(db), "auto.create": "true"},
                  TaskContext("eos", 0, {}))
    return started


def stored(db: Database) -> list[tuple[object, ...]]:
    return db.rows("SELECT topic, kafka_partition, next_offset FROM __tote_connect_offsets "
                   "ORDER BY 2")


def test_offsets_of_every_partition_move_with_the_rows(database: Database) -> None:
    live = task(database)
    try:
        assert live.open([P0, P1]) == {}
        live.put(records(0, 0, 3) + records(1, 0, 2), {P0: 3, P1: 2})
        live.put(records(0, 3, 5) + records(1, 2, 6), {P0: 5, P1: 6})
        assert stored(database) == [("bets", 0, 5), ("bets", 1, 6)]
        q = "`" if database.kind == "mariadb" else '"'
        assert database.rows(f"SELECT count(*) FROM bets WHERE {q}ID{q} < 1000") == [(5,)]
        assert database.rows(f"SELECT count(*) FROM bets WHERE {q}ID{q} >= 1000") == [(6,)]
    finally:
        live.stop()


def test_a_put_that_finds_one_partition_moved_keeps_nothing(database: Database) -> None:
    live, zombie = task(database), task(database)
    try:
        live.open([P0, P1])
        live.put(records(0, 0, 2) + records(1, 0, 2), {P0: 2, P1: 2})
        assert zombie.open([P0, P1]) == {P0: 2, P1: 2}
        live.put(records(1, 2, 4), {P1: 4})  # only partition 1 moves under the zombie
        with pytest.raises(OffsetsMoved) as moved:
            zombie.put(records(0, 2, 3) + records(1, 2, 3), {P0: 3, P1: 3})
        assert set(moved.value.partitions) == {P0, P1}  # all of the put is re-read
        assert stored(database) == [("bets", 0, 2), ("bets", 1, 4)]
        assert database.rows("SELECT count(*) FROM bets") == [(6,)]
    finally:
        live.stop()
        zombie.stop()
