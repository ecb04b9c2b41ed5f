"""Windowed aggregation: TUMBLING, HOPPING and SESSION windows, grace, EMIT FINAL.

Each case feeds bets one at a time (so the order of arrival is the order written) and
checks every record of the windowed table's topic: key, window, row and timestamp.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tote.core.errors import SqlError
from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.functions import FunctionRegistry, default_functions
from tote.sql.functions.base import scalar, variant
from tote.sql.runtime.windowstate import IndexedState
from tote.sql.testing import produce, windowed_records

BETS = ("CREATE STREAM BETS (RUNNER INT KEY, AMOUNT INT) WITH (kafka_topic='bets', "
        "partitions=1, value_format='JSON');")
SEC = 1000


@pytest.fixture
def engine() -> Iterator[Engine]:
    log = MemoryLog()
    with Registry(log) as registry:
        eng = _engine(log, registry)
        eng.execute(BETS)
        yield eng
        eng.close()


def _engine(log: Log, registry: Registry) -> Engine:
    eng = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
    eng.start()
    return eng


def bet(engine: Engine, runner: int, amount: int, at: int) -> None:
    produce(engine, "BETS", [((runner,), (amount,))], timestamp=at)
    engine.run_until_idle()


def bets(engine: Engine, items: list[tuple[int, int, int]]) -> None:
    for runner, amount, at in items:
        bet(engine, runner, amount, at)


def out(engine: Engine, name: str) -> list[tuple[Any, ...]]:
    """(runner, window start, window end, row or None, timestamp) per output record."""
    return [(key[0], window[0], window[1], value, ts)
            for key, window, value, ts in windowed_records(engine, name)]


# -- tumbling and hopping windows -------------------------------------------------------------


def test_tumbling_windows_align_to_the_epoch_and_emit_every_update(engine: Engine) -> None:
    engine.execute("CREATE TABLE T AS SELECT RUNNER, SUM(AMOUNT) AS TOTAL, COUNT(*) AS N "
                   "FROM BETS WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY RUNNER;")
    bets(engine, [(1, 10, 3 * SEC), (1, 20, 9_999), (2, 5, 10 * SEC), (1, 1, 25 * SEC)])
    assert out(engine, "T") == [
        (1, 0, 10_000, (10, 1), 3_000),
        (1, 0, 10_000, (30, 2), 9_999),        # timestamp: the window's latest record
        (2, 10_000, 20_000, (5, 1), 10_000),   # a window's start belongs to it
        (1, 20_000, 30_000, (1, 1), 25_000),
    ]
    source = engine.metastore.source("T")
    assert source is not None and source.window is not None
    assert (source.window.type.value, source.window.size_ms) == ("TUMBLING", 10_000)


def test_hopping_windows_give_a_record_to_every_window_holding_it(engine: Engine) -> None:
    engine.execute("CREATE TABLE H AS SELECT RUNNER, SUM(AMOUNT) AS TOTAL FROM BETS "
                   "WINDOW HOPPING (SIZE 10 SECONDS, ADVANCE BY 5 SECONDS) GROUP BY RUNNER;")
    bets(engine, [(1, 10, 1 * SEC), (1, 20, 7 * SEC), (1, 3, 12 * SEC)])
    assert out(engine, "H") == [
        (1, 0, 10_000, (10,), 1_000),          # no window starts before the epoch
        (1, 0, 10_000, (30,), 7_000),          # earliest window first
        (1, 5_000, 15_000, (20,), 7_000),
        (1, 5_000, 15_000, (23,), 12_000),
        (1, 10_000, 20_000, (3,), 12_000),
    ]


def test_window_bounds_can_be_selected_and_having_filters_windows(engine: Engine) -> None:
    engine.execute("CREATE TABLE T AS SELECT RUNNER, COUNT(*) AS N, WINDOWSTART AS WS, "
                   "WINDOWEND AS WE FROM BETS WINDOW TUMBLING (SIZE 1 MINUTE) GROUP BY RUNNER "
                   "HAVING COUNT(*) >= 2;")
    bets(engine, [(1, 1, 61 * SEC), (2, 1, 62 * SEC), (1, 1, 63 * SEC), (1, 1, 64 * SEC)])
    assert out(engine, "T") == [
        (1, 60_000, 120_000, (2, 60_000, 120_000), 63_000),
        (1, 60_000, 120_000, (3, 60_000, 120_000), 64_000),
    ]


# -- grace period -------------------------------------------------------------------------------


def test_records_for_windows_closed_by_stream_time_are_dropped(engine: Engine) -> None:
    engine.execute("CREATE TABLE T AS SELECT RUNNER, SUM(AMOUNT) AS TOTAL FROM BETS "
                   "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 5 SECONDS) GROUP BY RUNNER;")
    bets(engine, [
        (1, 1, 2 * SEC),
        (1, 10, 14 * SEC),    # stream time 14 s: [0, 10 s) stays open until 15 s
        (1, 100, 9 * SEC),    # late but within grace: counted
        (2, 5, 15 * SEC),     # stream time 15 s closes [0, 10 s)
        (1, 1000, 8 * SEC),   # dropped: its window has closed
    ])
    assert out(engine, "T") == [
        (1, 0, 10_000, (1,), 2_000),
        (1, 10_000, 20_000, (10,), 14_000),
        (1, 0, 10_000, (101,), 9_000),
        (2, 10_000, 20_000, (5,), 15_000),
    ]


def test_without_grace_period_a_window_takes_records_for_a_day(engine: Engine) -> None:
    engine.execute("CREATE TABLE T AS SELECT RUNNER, SUM(AMOUNT) AS TOTAL FROM BETS "
                   "WINDOW TUMBLING (SIZE 1 HOUR) GROUP BY RUNNER;")
    day = 24 * 3_600_000
    # The default grace is 24 h minus the size: [0, 1 h) closes when stream time is 24 h.
    bets(engine, [(1, 1, 0), (1, 2, day - 1), (1, 4, 1)])
    assert [row[3] for row in out(engine, "T")] == [(1,), (2,), (5,)]
    bets(engine, [(1, 8, day), (1, 16, 2)])           # the bet at 2 ms is dropped
    assert [row[3] for row in out(engine, "T")] == [(1,), (2,), (5,), (8,)]


# -- sessions -----------------------------------------------------------------------------------


def test_sessions_merge_and_delete_the_sessions_they_replace(engine: Engine) -> None:
    engine.execute("CREATE TABLE S AS SELECT RUNNER, SUM(AMOUNT) AS TOTAL, "
                   "COLLECT_LIST(AMOUNT) AS AMOUNTS FROM BETS WINDOW SESSION (5 SECONDS) "
                   "GROUP BY RUNNER;")
    bets(engine, [(1, 10, 1 * SEC), (1, 20, 9 * SEC), (1, 30, 4 * SEC), (1, 40, 30 * SEC)])
    assert out(engine, "S") == [
        (1, 1_000, 1_000, (10, [10]), 1_000),
        (1, 9_000, 9_000, (20, [20]), 9_000),          # 8 s after the first: a new session
        # 4 s is within 5 s of both sessions: they merge, timestamped by their ends.
        (1, 1_000, 1_000, None, 1_000),
        (1, 9_000, 9_000, None, 9_000),
        (1, 1_000, 9_000, (60, [10, 20, 30]), 9_000),
        (1, 30_000, 30_000, (40, [40]), 30_000),
    ]


def test_a_record_inside_a_session_replaces_it(engine: Engine) -> None:
    engine.execute("CREATE TABLE S AS SELECT RUNNER, COUNT(*) AS N FROM BETS "
                   "WINDOW SESSION (10 SECONDS) GROUP BY RUNNER;")
    bets(engine, [(7, 1, 1 * SEC), (7, 1, 5 * SEC), (7, 1, 3 * SEC)])
    assert out(engine, "S") == [
        (7, 1_000, 1_000, (1,), 1_000),
        (7, 1_000, 1_000, None, 1_000),
        (7, 1_000, 5_000, (2,), 5_000),
        (7, 1_000, 5_000, None, 5_000),
        (7, 1_000, 5_000, (3,), 5_000),
    ]


# -- EMIT FINAL ---------------------------------------------------------------------------------


def test_emit_final_emits_each_window_once_when_it_closes(engine: Engine) -> None:
    engine.execute("CREATE TABLE F AS SELECT RUNNER, SUM(AMOUNT) AS TOTAL FROM BETS "
                   "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 2 SECONDS) "
                   "GROUP BY RUNNER EMIT FINAL;")
    bets(engine, [(1, 1, 1 * SEC), (2, 2, 3 * SEC), (1, 4, 9 * SEC), (1, 8, 11 * SEC)])
    assert out(engine, "F") == []            # [0, 10 s) closes at 12 s
    bet(engine, 3, 16, 12 * SEC)
    assert out(engine, "F") == [             # window start, then key order
        (1, 0, 10_000, (5,), 9_000),
        (2, 0, 10_000, (2,), 3_000),
    ]
    bet(engine, 3, 32, 22 * SEC)
    assert out(engine, "F")[2:] == [
        (1, 10_000, 20_000, (8,), 11_000),
        (3, 10_000, 20_000, (16,), 12_000),
    ]


def test_emit_final_loses_windows_older_than_retention_when_they_close(
        engine: Engine) -> None:
    # With EMIT FINAL the grace defaults to 0 and the retention to size + grace: a window
    # still unemitted when stream time jumps past its retention is never emitted (as in
    # ksqlDB); a longer RETENTION keeps it.
    engine.execute("CREATE TABLE SHORT AS SELECT RUNNER, COUNT(*) AS N FROM BETS "
                   "WINDOW TUMBLING (SIZE 10 SECONDS) GROUP BY RUNNER EMIT FINAL;")
    engine.execute("CREATE TABLE LONG AS SELECT RUNNER, COUNT(*) AS N FROM BETS "
                   "WINDOW TUMBLING (SIZE 10 SECONDS, RETENTION 1 HOUR) GROUP BY RUNNER "
                   "EMIT FINAL;")
    bets(engine, [(1, 1, 1 * SEC), (1, 1, 35 * SEC)])
    assert out(engine, "SHORT") == []
    assert out(engine, "LONG") == [(1, 0, 10_000, (1,), 1_000)]


def test_emit_final_drops_merged_sessions(engine: Engine) -> None:
    engine.execute("CREATE TABLE F AS SELECT RUNNER, COUNT(*) AS N FROM BETS "
                   "WINDOW SESSION (5 SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY RUNNER "
                   "EMIT FINAL;")
    bets(engine, [(1, 1, 1 * SEC), (1, 1, 4 * SEC), (1, 1, 20 * SEC)])
    assert out(engine, "F") == [(1, 1_000, 4_000, (2,), 4_000)]


def test_a_session_is_final_once_the_gap_after_it_has_passed(engine: Engine) -> None:
    engine.execute("CREATE TABLE F AS SELECT RUNNER, COUNT(*) AS N FROM BETS "
                   "WINDOW SESSION (5 SECONDS) GROUP BY RUNNER EMIT FINAL;")
    bets(engine, [(1, 1, 1 * SEC), (1, 1, 4 * SEC), (2, 1, 9 * SEC)])
    assert out(engine, "F") == []            # a bet at 9 s could still extend [1 s, 4 s]
    bet(engine, 2, 1, 9_001)
    assert out(engine, "F") == [(1, 1_000, 4_000, (2,), 4_000)]


def test_a_record_is_dropped_once_its_session_could_not_grow_any_more(
        engine: Engine) -> None:
    engine.execute("CREATE TABLE S AS SELECT RUNNER, COUNT(*) AS N FROM BETS "
                   "WINDOW SESSION (5 SECONDS, GRACE PERIOD 2 SECONDS) GROUP BY RUNNER;")
    # Stream time 20 s: sessions ending before 20 - 5 - 2 = 13 s are closed.
    bets(engine, [(1, 1, 20 * SEC), (2, 1, 13 * SEC), (3, 1, 12_999)])
    assert [(row[0], row[1]) for row in out(engine, "S")] == [(1, 20_000), (2, 13_000)]


# -- what ksqlDB refuses ------------------------------------------------------------------------


@pytest.mark.parametrize(("sql", "message"), [
    ("CREATE TABLE X AS SELECT RUNNER, COUNT(*) AS N FROM BETS WINDOW TUMBLING (SIZE 10 "
     "SECONDS, RETENTION 5 SECONDS, GRACE PERIOD 1 SECOND) GROUP BY RUNNER;",
     "The retention period of the window store Aggregate-Aggregate-Materialize must be no "
     "smaller than its window size plus the grace period. Got size=[10000], grace=[1000], "
     "retention=[5000]"),
    ("CREATE TABLE X AS SELECT RUNNER, COUNT(*) AS N FROM BETS WINDOW HOPPING (SIZE 10 "
     "SECONDS, ADVANCE BY 20 SECONDS) GROUP BY RUNNER;",
     "Window advancement interval should be more than zero and less than window duration"),
    ("CREATE STREAM X AS SELECT * FROM BETS WINDOW TUMBLING (SIZE 10 SECONDS);",
     "WINDOW clause requires a GROUP BY clause."),
    ("CREATE STREAM X AS SELECT * FROM BETS EMIT FINAL;",
     "EMIT FINAL is only supported for windowed aggregations."),
    ("CREATE TABLE X AS SELECT RUNNER, COUNT(*) AS N FROM BETS GROUP BY RUNNER EMIT FINAL;",
     "EMIT FINAL is only supported for windowed aggregations."),
    ("CREATE TABLE X AS SELECT RUNNER, MAX(WINDOWSTART) AS M FROM BETS WINDOW TUMBLING "
     "(SIZE 1 SECOND) GROUP BY RUNNER;",
     "Window bounds column WINDOWSTART can only be used in the SELECT clause of windowed "
     "aggregations and can not be passed to aggregate functions."),
    ("CREATE TABLE X AS SELECT RUNNER, COUNT(*) AS N FROM BETS WINDOW TUMBLING "
     "(SIZE 1 SECOND) WHERE WINDOWEND > 0 GROUP BY RUNNER;",
     "Error in WHERE expression: Unknown column WINDOWEND."),
    ("CREATE TABLE P AS SELECT RUNNER, COUNT(*) AS N FROM BETS GROUP BY RUNNER; "
     "CREATE TABLE X AS SELECT RUNNER, SUM(N) AS N FROM P WINDOW TUMBLING (SIZE 1 SECOND) "
     "GROUP BY RUNNER;",
     "Windowing not supported for table aggregations."),
])
def test_refused_windows(engine: Engine, sql: str, message: str) -> None:
    with pytest.raises(SqlError) as info:
        engine.execute(sql)
    assert message in info.value.message


# -- exactly once across restarts ---------------------------------------------------------------


def test_a_restarted_engine_keeps_its_windows_and_stream_time(tmp_path: Path) -> None:
    sql = (BETS + "CREATE TABLE T AS SELECT RUNNER, SUM(AMOUNT) AS TOTAL FROM BETS "
           "WINDOW TUMBLING (SIZE 10 SECONDS, GRACE PERIOD 0 SECONDS) GROUP BY RUNNER;")
    path = tmp_path / "log.db"
    with SqliteLog(path) as log, Registry(log) as registry:
        first = _engine(log, registry)
        first.execute(sql)
        bets(first, [(1, 1, 1 * SEC), (1, 2, 12 * SEC)])
        first.close()
    with SqliteLog(path) as log, Registry(log) as registry:
        second = _engine(log, registry)
        # Stream time (12 s) survived: [0, 10 s) is closed, [10 s, 20 s) still counts 2.
        bets(second, [(1, 4, 5 * SEC), (1, 8, 13 * SEC)])
        assert out(second, "T") == [
            (1, 0, 10_000, (1,), 1_000),
            (1, 10_000, 20_000, (2,), 12_000),
            (1, 10_000, 20_000, (10,), 13_000),
        ]
        second.close()


class Crash(BaseException):
    """Stands in for the process dying: nothing catches it."""


def _crashing_functions(crash_on: int | None) -> FunctionRegistry:
    """CHECKED(x) returns x; with `crash_on` set, the crash_on-th call dies."""
    calls = [0]

    def checked(value: int) -> int:
        calls[0] += 1
        if calls[0] == crash_on:
            raise Crash()
        return value

    return default_functions().with_functions(
        [scalar("CHECKED", "TEST", "identity", variant("BIGINT x -> BIGINT", checked))])


def _sessions_run(crash_on: int | None, emit: str) -> list[tuple[Any, ...]]:
    log = MemoryLog()
    with Registry(log) as registry:
        eng = Engine(log, registry, properties={"auto.offset.reset": "earliest"},
                     functions=_crashing_functions(crash_on))
        eng.start()
        eng.execute(BETS + "CREATE TABLE S AS SELECT RUNNER, CHECKED(COUNT(*)) AS N FROM BETS "
                    f"WINDOW SESSION (5 SECONDS) GROUP BY RUNNER {emit};")
        for runner, at in [(1, 1), (2, 2), (1, 4), (1, 12), (2, 3), (1, 8), (2, 30), (1, 9)]:
            produce(eng, "BETS", [((runner,), (1,))], timestamp=at * SEC)
        if crash_on is not None:
            with pytest.raises(Crash):
                while eng.step(max_records=2):
                    pass
        eng.run_until_idle()             # the same engine, after the failed step
        result = out(eng, "S")
        eng.close()
        return result


@pytest.mark.parametrize(("emit", "emitted", "crash_on"), [
    ("EMIT CHANGES", 13, 6),
    ("EMIT FINAL", 3, 2),
])
def test_a_step_that_dies_leaves_windows_as_the_last_commit_left_them(
        emit: str, emitted: int, crash_on: int) -> None:
    reference = _sessions_run(None, emit)
    assert len(reference) == emitted
    assert _sessions_run(crash_on, emit) == reference


# -- the windowed state store -------------------------------------------------------------------


def test_indexed_state_finds_entries_by_time_and_forgets_expired_ones() -> None:
    log = MemoryLog()
    state = IndexedState(log, "store.0", 2)
    for when, seq in ((30, 0), (10, 1), (20, 2), (10, 3)):
        state.put(("k", when, seq), f"v{seq}")
    state.put(("other", 15, 4), "v4")
    assert state.times(("k",)) == [(10, 1), (10, 3), (20, 2), (30, 0)]
    assert state.between(("k",), 11, 30) == [(20, 2), (30, 0)]
    assert state.until(("k",), 20) == [(10, 1), (10, 3), (20, 2)]
    state.expire(15)
    assert state.times(("k",)) == [(20, 2), (30, 0)]
    assert state.times(("other",)) == []
    assert state.get(("k", 10, 1)) is None


def test_indexed_state_forgets_a_rolled_back_step_and_reloads_committed_entries() -> None:
    log = MemoryLog()
    state = IndexedState(log, "store.0", 1)
    state.put(("k", 5), [1])
    txn = log.transactional_producer("p").begin()
    state.flush(txn)
    txn.commit()
    state.commit()
    state.put(("k", 7), [2])
    state.expire(5)
    assert state.times(("k",)) == [(7,)]
    state.rollback()
    assert state.times(("k",)) == [(5,)]
    reloaded = IndexedState(log, "store.0", 1)
    assert reloaded.times(("k",)) == [(5,)]
    assert reloaded.get(("k", 5)) == [1]
