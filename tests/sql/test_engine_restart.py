"""Restart and crash safety: the command topic rebuilds the engine, queries resume from
their committed offsets and state, and a step that dies half way leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tote.core.records import TopicPartition
from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.commands import command_topic
from tote.sql.engine import Engine
from tote.sql.functions import FunctionRegistry, default_functions
from tote.sql.functions.base import scalar, variant
from tote.sql.testing import produce, rows

STATEMENTS = """
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM BETS (RUNNER INT KEY, AMOUNT INT) WITH (kafka_topic='bets', partitions=2,
    value_format='AVRO');
CREATE STREAM BIG AS SELECT RUNNER, CHECKED(AMOUNT) AS AMOUNT FROM BETS WHERE AMOUNT > 5;
CREATE TABLE POOLS AS SELECT RUNNER, SUM(AMOUNT) AS POOL, COUNT(*) AS N FROM BIG
    GROUP BY RUNNER;
"""
BETS = [((runner,), (amount,)) for runner, amount in
        [(1, 10), (2, 3), (1, 20), (3, 7), (2, 40), (1, 1), (3, 8), (2, 9), (1, 30), (3, 50)]]


class Crash(BaseException):
    """Stands in for the process dying: nothing catches it."""


def _functions(crash_on: int | None = None) -> FunctionRegistry:
    """CHECKED(x) returns x; with `crash_on` set, the crash_on-th call dies."""
    calls = [0]

    def checked(value: int) -> int:
        calls[0] += 1
        if crash_on is not None and calls[0] == crash_on:
            raise Crash()
        return value

    return default_functions().with_functions(
        [scalar("CHECKED", "TEST", "identity", variant("INT x -> INT", checked))])


def _engine(log: Log, registry: Registry, functions: FunctionRegistry) -> Engine:
    engine = Engine(log, registry, functions=functions)
    engine.start()
    return engine


def _reference() -> tuple[list[Any], list[Any]]:
    """The outputs of an uninterrupted run."""
    log = MemoryLog()
    with Registry(log) as registry:
        engine = _engine(log, registry, _functions())
        engine.execute(STATEMENTS)
        produce(engine, "BETS", BETS)
        engine.run_until_idle()
        return sorted(rows(engine, "BIG")), sorted(rows(engine, "POOLS"))


def _open(path: Path, functions: FunctionRegistry,
          body: Callable[[Engine], object]) -> tuple[list[Any], list[Any]]:
    with SqliteLog(path) as log, Registry(log) as registry:
        engine = _engine(log, registry, functions)
        try:
            body(engine)
            return sorted(rows(engine, "BIG")), sorted(rows(engine, "POOLS"))
        finally:
            engine.close()


def test_replay_rebuilds_catalogue_and_queries_resume_without_duplicates(tmp_path: Path
                                                                          ) -> None:
    db = tmp_path / "tote.db"

    def first(engine: Engine) -> None:
        engine.execute(STATEMENTS)
        produce(engine, "BETS", BETS[:5])
        engine.run_until_idle()

    _open(db, _functions(), first)

    def second(engine: Engine) -> None:
        assert sorted(engine.metastore.sources) == ["BETS", "BIG", "POOLS"]
        assert sorted(engine.runtime.queries) == ["CSAS_BIG_2", "CTAS_POOLS_3"]
        produce(engine, "BETS", BETS[5:])
        engine.run_until_idle()

    assert _open(db, _functions(), second) == _reference()


def test_command_topic_holds_each_catalogue_change_once(tmp_path: Path) -> None:
    db = tmp_path / "tote.db"
    _open(db, _functions(), lambda engine: engine.execute(STATEMENTS))
    _open(db, _functions(), lambda engine: None)
    with SqliteLog(db) as log:
        records = log.read(TopicPartition(command_topic("default_"), 0), 0)
    assert [r.key for r in records] == [
        b"stream/`BETS`/create", b"stream/`BIG`/create", b"table/`POOLS`/create"]


def test_a_step_that_dies_commits_nothing_and_a_restart_finishes_exactly_once(
        tmp_path: Path) -> None:
    db = tmp_path / "tote.db"

    def crashing(engine: Engine) -> None:
        engine.execute(STATEMENTS)
        produce(engine, "BETS", BETS)
        steps = 0
        with pytest.raises(Crash):
            while True:
                before = (rows(engine, "BIG"), rows(engine, "POOLS"))
                engine.step(max_records=2)
                steps += 1
        # The dying step left no output, and at least one step had committed before it.
        assert (rows(engine, "BIG"), rows(engine, "POOLS")) == before
        assert steps >= 1 and before[0]

    partial_big, _ = _open(db, _functions(crash_on=6), crashing)
    assert 0 < len(partial_big) < len(_reference()[0])
    assert _open(db, _functions(), lambda engine: engine.run_until_idle()) == _reference()


def test_a_new_query_resumes_from_where_it_started_not_from_the_latest_at_restart(
        tmp_path: Path) -> None:
    db = tmp_path / "tote.db"
    create = ("CREATE STREAM S (K INT KEY, V INT) WITH (kafka_topic='s', partitions=1, "
              "value_format='JSON');")

    def before(engine: Engine) -> None:
        engine.execute(create)
        produce(engine, "S", [((1,), (10,))])
        engine.execute("SET 'auto.offset.reset'='latest'; CREATE STREAM C AS SELECT * FROM S;")
        produce(engine, "S", [((2,), (20,))])  # the engine stops before processing this

    with SqliteLog(db) as log, Registry(log) as registry:
        before(_engine(log, registry, _functions()))
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = _engine(log, registry, _functions())
        engine.run_until_idle()
        assert rows(engine, "C") == [(2, 20)]
