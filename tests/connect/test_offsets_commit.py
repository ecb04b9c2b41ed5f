"""A put of several partitions moves all their offsets with its rows, in one transaction
(on PostgreSQL in the same round trip as the COMMIT); when another writer moved any of
them, nothing of the put is kept and every partition of the put is reported moved."""

from __future__ import annotations

import pytest
from tests.connect.databases import Database
from tests.connect.id_records import records, task

from tote.connect.api import OffsetsMoved
from tote.core.records import TopicPartition

P0, P1 = TopicPartition("bets", 0), TopicPartition("bets", 1)


def stored(db: Database) -> list[tuple[object, ...]]:
    return db.rows("SELECT topic, kafka_partition, next_offset FROM __tote_connect_offsets "
                   "ORDER BY 2")


def test_offsets_of_every_partition_move_with_the_rows(database: Database) -> None:
    live = task(database)
    try:
        assert live.open([P0, P1]) == {}
        live.put(records(0, 3, 0) + records(0, 2, 1), {P0: 3, P1: 2})
        live.put(records(3, 5, 0) + records(2, 6, 1), {P0: 5, P1: 6})
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
        live.put(records(0, 2, 0) + records(0, 2, 1), {P0: 2, P1: 2})
        assert zombie.open([P0, P1]) == {P0: 2, P1: 2}
        live.put(records(2, 4, 1), {P1: 4})  # only partition 1 moves under the zombie
        with pytest.raises(OffsetsMoved) as moved:
            zombie.put(records(2, 3, 0) + records(2, 3, 1), {P0: 3, P1: 3})
        assert set(moved.value.partitions) == {P0, P1}  # all of the put is re-read
        assert stored(database) == [("bets", 0, 2), ("bets", 1, 4)]
        assert database.rows("SELECT count(*) FROM bets") == [(6,)]
    finally:
        live.stop()
        zombie.stop()
