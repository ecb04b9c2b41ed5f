"""Stream-stream joins (WITHIN): join windows, outer joins with and without GRACE PERIOD,
re-keyed and n-way joins, and buffers that survive a restart.

Records are fed one at a time, so the order of arrival is the order written; every
record of the result stream is checked (key, row, timestamp).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tote.core.errors import SqlError
from tote.core.records import Record
from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.codecs import WindowedKeyCodec, build_codec
from tote.sql.engine import Engine
from tote.sql.testing import produce, records, source, windowed_records

STREAMS = """
CREATE STREAM L (ID INT KEY, A STRING) WITH (kafka_topic='l', partitions=1,
    value_format='JSON');
CREATE STREAM R (ID INT KEY, B STRING) WITH (kafka_topic='r', partitions=1,
    value_format='JSON');
"""
SEC = 1000


@pytest.fixture
def engine() -> Iterator[Engine]:
    log = MemoryLog()
    with Registry(log) as registry:
        eng = _engine(log, registry)
        eng.execute(STREAMS)
        yield eng
        eng.close()


def _engine(log: Log, registry: Registry) -> Engine:
    eng = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
    eng.start()
    return eng


def feed(engine: Engine, items: list[tuple[str, int, str, int]]) -> None:
    """(stream, id, text, timestamp), one record at a time."""
    for stream, key, text, at in items:
        produce(engine, stream, [((key,), (text,))], timestamp=at)
        engine.run_until_idle()


def out(engine: Engine, name: str) -> list[tuple[Any, ...]]:
    """(key, columns..., timestamp) per output record."""
    result = []
    for key, value, ts in records(engine, name):
        assert key is not None and value is not None
        result.append((*key, *value, ts))
    return result


def test_inner_join_matches_buffered_records_within_the_window(engine: Engine) -> None:
    engine.execute("CREATE STREAM J AS SELECT L.ID AS ID, A, B FROM L JOIN R "
                   "WITHIN 10 SECONDS ON L.ID = R.ID;")
    feed(engine, [("L", 1, "a1", 1 * SEC), ("R", 1, "b1", 3 * SEC), ("L", 2, "a2", 5 * SEC),
                  ("R", 1, "b2", 9 * SEC), ("L", 1, "a3", 13 * SEC),
                  ("R", 1, "b3", 25 * SEC)])
    assert out(engine, "J") == [
        (1, "a1", "b1", 3_000),       # timestamped with the later record
        (1, "a1", "b2", 9_000),
        (1, "a3", "b1", 13_000),      # buffered matches in timestamp order
        (1, "a3", "b2", 13_000),
    ]                                  # b3 is 12 s after a3: no match


def test_within_before_and_after_bounds_the_right_side_around_the_left(
        engine: Engine) -> None:
    engine.execute("CREATE STREAM J AS SELECT L.ID AS ID, A, B FROM L JOIN R "
                   "WITHIN (1 SECOND, 5 SECONDS) ON L.ID = R.ID;")
    feed(engine, [("L", 1, "a", 10 * SEC), ("R", 1, "early", 8_500),
                  ("R", 1, "first", 9 * SEC), ("R", 1, "last", 15 * SEC),
                  ("R", 1, "late", 15_001)])
    assert out(engine, "J") == [(1, "a", "first", 10_000), (1, "a", "last", 15_000)]


def test_left_join_without_grace_emits_the_null_padded_row_at_once(engine: Engine) -> None:
    engine.execute("CREATE STREAM J AS SELECT L.ID AS ID, A, B FROM L LEFT JOIN R "
                   "WITHIN 10 SECONDS ON L.ID = R.ID;")
    feed(engine, [("L", 1, "a1", 1 * SEC), ("R", 1, "b1", 3 * SEC), ("L", 2, "a2", 5 * SEC),
                  ("R", 3, "b3", 6 * SEC)])
    assert out(engine, "J") == [
        (1, "a1", None, 1_000),
        (1, "a1", "b1", 3_000),
        (2, "a2", None, 5_000),
    ]


def test_right_and_full_outer_joins_keep_unmatched_right_records(engine: Engine) -> None:
    engine.execute("CREATE STREAM RJ AS SELECT R.ID AS ID, A, B FROM L RIGHT JOIN R "
                   "WITHIN 10 SECONDS ON L.ID = R.ID;")
    engine.execute("CREATE STREAM FJ AS SELECT ROWKEY AS ID, A, B FROM L FULL OUTER JOIN R "
                   "WITHIN 10 SECONDS ON L.ID = R.ID;")
    feed(engine, [("L", 1, "a1", 1 * SEC), ("R", 1, "b1", 3 * SEC), ("R", 3, "b3", 6 * SEC)])
    assert out(engine, "RJ") == [(1, "a1", "b1", 3_000), (3, None, "b3", 6_000)]
    assert out(engine, "FJ") == [
        (1, "a1", None, 1_000),
        (1, "a1", "b1", 3_000),
        (3, None, "b3", 6_000),        # the synthetic key holds the right side's key
    ]


def test_with_grace_unmatched_records_wait_for_their_window_to_close(
        engine: Engine) -> None:
    engine.execute("CREATE STREAM J AS SELECT L.ID AS ID, A, B FROM L LEFT JOIN R "
                   "WITHIN 10 SECONDS GRACE PERIOD 2 SECONDS ON L.ID = R.ID;")
    feed(engine, [("L", 1, "a1", 1 * SEC), ("R", 1, "b1", 3 * SEC), ("L", 2, "a2", 5 * SEC),
                  ("R", 9, "b9", 17 * SEC)])
    # a1 found b1; a2's window (until 5 + 10 + 2 s) is still open at 17 s.
    assert out(engine, "J") == [(1, "a1", "b1", 3_000)]
    feed(engine, [("L", 3, "a3", 17_001)])
    assert out(engine, "J")[1:] == [(2, "a2", None, 5_000)]
    # A record whose window closed before it arrived is emitted at once.
    feed(engine, [("L", 4, "old", 2 * SEC)])
    assert out(engine, "J")[2:] == [(4, "old", None, 2_000)]


def test_buffers_keep_records_for_the_window_plus_grace(engine: Engine) -> None:
    engine.execute("CREATE STREAM SHORT AS SELECT L.ID AS ID, A, B FROM L JOIN R "
                   "WITHIN 1 SECOND GRACE PERIOD 0 SECONDS ON L.ID = R.ID;")
    engine.execute("CREATE STREAM LONG AS SELECT L.ID AS ID, A, B FROM L JOIN R "
                   "WITHIN 1 SECOND ON L.ID = R.ID;")
    # The left buffer's time reaches 5 s: with no grace, a1 (1 s) is gone after 2 s.
    feed(engine, [("L", 1, "a1", 1 * SEC), ("L", 2, "a2", 5 * SEC),
                  ("R", 1, "late", 1_500)])
    assert out(engine, "SHORT") == []
    assert out(engine, "LONG") == [(1, "a1", "late", 1_500)]


def test_join_on_value_columns_rekeys_both_sides(engine: Engine) -> None:
    engine.execute("""
        CREATE STREAM BETS (ID INT KEY, RACE INT, AMOUNT INT) WITH (kafka_topic='bets',
            partitions=2, value_format='JSON');
        CREATE STREAM ODDS (ID INT KEY, RACE INT, PRICE DOUBLE) WITH (kafka_topic='odds',
            partitions=2, value_format='JSON');
        CREATE STREAM PRICED AS SELECT B.RACE AS RACE, AMOUNT, PRICE FROM BETS B
            JOIN ODDS O WITHIN 1 MINUTE ON B.RACE = O.RACE;
    """)
    produce(engine, "ODDS", [((100,), (7, 2.5))], timestamp=1 * SEC)
    engine.run_until_idle()
    produce(engine, "BETS", [((1,), (7, 10)), ((2,), (8, 20)), ((3,), (7, 30))],
            timestamp=2 * SEC)
    engine.run_until_idle()
    assert sorted(out(engine, "PRICED")) == [(7, 10, 2.5, 2_000), (7, 30, 2.5, 2_000)]


def test_three_streams_join_in_turn(engine: Engine) -> None:
    engine.execute("""
        CREATE STREAM P (ID INT KEY, C STRING) WITH (kafka_topic='p', partitions=1,
            value_format='JSON');
        CREATE STREAM J AS SELECT L.ID AS ID, A, B, C FROM L
            LEFT JOIN R WITHIN 5 SECONDS ON L.ID = R.ID
            JOIN P WITHIN 10 SECONDS ON L.ID = P.ID;
    """)
    feed(engine, [("L", 1, "a", 1 * SEC), ("P", 1, "c1", 2 * SEC), ("R", 1, "b", 3 * SEC),
                  ("P", 1, "c2", 4 * SEC)])
    assert out(engine, "J") == [
        (1, "a", None, "c1", 2_000),   # (a, null) from the left join meets c1
        (1, "a", "b", "c1", 3_000),    # (a, b) at 3 s meets c1 buffered at 2 s
        (1, "a", None, "c2", 4_000),   # c2 meets both rows of the first join
        (1, "a", "b", "c2", 4_000),
    ]


def test_windowed_streams_join_on_key_and_window_start(engine: Engine) -> None:
    # Different windows can only be joined in a Schema Registry key format (ksqlDB
    # re-partitions both sides); the keys are equal when key and window start are.
    engine.execute("""
        CREATE STREAM WL (ID INT KEY, A STRING) WITH (kafka_topic='wl', partitions=1,
            key_format='JSON_SR', value_format='JSON', window_type='Hopping',
            window_size='5 SECONDS');
        CREATE STREAM WR (ID INT KEY, B STRING) WITH (kafka_topic='wr', partitions=1,
            key_format='JSON_SR', value_format='JSON', window_type='Tumbling',
            window_size='2 SECONDS');
        CREATE STREAM J AS SELECT WL.ID AS ID, A, B FROM WL JOIN WR WITHIN 1 MINUTE
            ON WL.ID = WR.ID;
    """)
    for name, start, text in [("WL", 0, "a0"), ("WL", 1_000, "a1"), ("WR", 0, "b0"),
                              ("WR", 2_000, "b2")]:
        src = source(engine, name)
        assert src.window is not None
        keys = WindowedKeyCodec(build_codec(src.key_columns, src.key_format, topic=src.topic,
                                            is_key=True, registry=engine.registry),
                                src.window)
        values = build_codec(src.value_columns, src.value_format, topic=src.topic,
                             is_key=False, registry=engine.registry)
        size = src.window.size_ms or 0
        engine.log.append(src.topic, [Record(values.encode((text,)),
                                             keys.encode((7,), start, start + size), (),
                                             start)])
        engine.run_until_idle()
    # b0's window starts where a0's does; nothing on the left starts at 2 s.
    assert windowed_records(engine, "J") == [((7,), (0, 5_000), ("a0", "b0"), 0)]


def test_a_restarted_engine_still_joins_and_emits_held_records(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    sql = STREAMS + ("CREATE STREAM J AS SELECT L.ID AS ID, A, B FROM L LEFT JOIN R "
                     "WITHIN 10 SECONDS GRACE PERIOD 0 SECONDS ON L.ID = R.ID;")
    with SqliteLog(path) as log, Registry(log) as registry:
        first = _engine(log, registry)
        first.execute(sql)
        feed(first, [("L", 1, "a1", 1 * SEC), ("L", 2, "a2", 2 * SEC)])
        first.close()
    with SqliteLog(path) as log, Registry(log) as registry:
        second = _engine(log, registry)
        feed(second, [("R", 1, "b1", 5 * SEC), ("R", 9, "b9", 13 * SEC)])
        assert out(second, "J") == [(1, "a1", "b1", 5_000), (2, "a2", None, 2_000)]
        second.close()


@pytest.mark.parametrize(("sql", "message"), [
    ("CREATE TABLE T (ID INT PRIMARY KEY, C STRING) WITH (kafka_topic='t', partitions=1, "
     "value_format='JSON'); CREATE STREAM X AS SELECT L.ID AS ID, A, C FROM L JOIN T "
     "WITHIN 10 SECONDS ON L.ID = T.ID;",
     "A window definition was provided for a Stream-Table join. These joins are not "
     "windowed."),
    ("CREATE STREAM X AS SELECT L.ID AS ID, A, B FROM L JOIN R ON L.ID = R.ID;",
     "Stream-Stream joins must have a WITHIN clause specified."),
])
def test_refused_joins(engine: Engine, sql: str, message: str) -> None:
    with pytest.raises(SqlError) as info:
        engine.execute(sql)
    assert message in info.value.message
