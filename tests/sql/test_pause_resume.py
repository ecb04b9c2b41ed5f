"""PAUSE / RESUME of persistent queries on the real engine over a SQLite log: a paused
query reads nothing but keeps its place and state, RESUME reads on with no loss and no
duplicates, and both are recorded in the command topic so a restart keeps the pause."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tote.core.errors import SqlError
from tote.core.records import TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.commands import command_topic
from tote.sql.engine import Engine
from tote.sql.results import CommandResult, QueryDescriptionResult, QueryList
from tote.sql.testing import produce, rows

STATEMENTS = """
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM BETS (RUNNER INT KEY, AMOUNT INT) WITH (kafka_topic='bets', partitions=2,
    value_format='JSON');
CREATE STREAM BIG AS SELECT RUNNER, AMOUNT * 10 AS AMOUNT FROM BETS WHERE AMOUNT > 5;
CREATE TABLE POOLS AS SELECT RUNNER, SUM(AMOUNT) AS POOL, COUNT(*) AS N FROM BIG
    GROUP BY RUNNER;
"""
BETS = [((runner,), (amount,)) for runner, amount in
        [(1, 10), (2, 3), (1, 20), (3, 7), (2, 40), (1, 1), (3, 8), (2, 9), (1, 30), (3, 50)]]
BIG, POOLS = "CSAS_BIG_2", "CTAS_POOLS_3"


def _outputs(engine: Engine) -> tuple[list[Any], list[Any]]:
    return sorted(rows(engine, "BIG")), sorted(rows(engine, "POOLS"))


def _states(engine: Engine) -> dict[str, str]:
    [listing] = engine.execute("SHOW QUERIES;")
    assert isinstance(listing, QueryList)
    return {q.id: q.state for q in listing.queries}


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tote.db"


def _open(db: Path, body: Callable[[Engine], object]) -> tuple[list[Any], list[Any]]:
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        try:
            body(engine)
            return _outputs(engine)
        finally:
            engine.close()


@pytest.fixture
def engine(db: Path) -> Iterator[Engine]:
    with SqliteLog(db) as log, Registry(log) as registry:
        eng = Engine(log, registry)
        eng.start()
        eng.execute(STATEMENTS)
        yield eng
        eng.close()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Any], list[Any]]:
    """The outputs of an uninterrupted run."""
    def run(engine: Engine) -> None:
        engine.execute(STATEMENTS)
        produce(engine, "BETS", BETS)
        engine.run_until_idle()

    return _open(tmp_path_factory.mktemp("reference") / "tote.db", run)


def test_a_paused_query_reads_nothing_and_resumes_without_loss_or_duplicates(
        engine: Engine, reference: tuple[list[Any], list[Any]]) -> None:
    produce(engine, "BETS", BETS[:5])
    engine.run_until_idle()
    before = _outputs(engine)

    [paused] = engine.execute(f"PAUSE {BIG};")
    assert isinstance(paused, CommandResult)
    assert (paused.command_id, paused.message, paused.query_id) == (
        f"pause/{BIG}/execute", "Query paused.", None)
    assert _states(engine) == {BIG: "PAUSED", POOLS: "RUNNING"}

    produce(engine, "BETS", BETS[5:])
    engine.run_until_idle()
    assert _outputs(engine) == before  # nothing read while paused

    [resumed] = engine.execute(f"RESUME {BIG};")
    assert isinstance(resumed, CommandResult)
    assert (resumed.command_id, resumed.message) == (f"resume/{BIG}/execute",
                                                     "Query resumed.")
    assert _states(engine) == {BIG: "RUNNING", POOLS: "RUNNING"}
    engine.run_until_idle()
    assert _outputs(engine) == reference


def test_a_paused_downstream_query_catches_up_on_what_its_source_wrote_meanwhile(
        engine: Engine, reference: tuple[list[Any], list[Any]]) -> None:
    engine.execute(f"PAUSE {POOLS.lower()};")  # ids match regardless of case
    produce(engine, "BETS", BETS)
    engine.run_until_idle()
    big, pools = _outputs(engine)
    assert (big, pools) == (reference[0], [])
    engine.execute(f"RESUME {POOLS};")
    engine.run_until_idle()
    assert _outputs(engine) == reference


def test_pause_all_and_resume_all_take_every_persistent_query(
        engine: Engine, reference: tuple[list[Any], list[Any]]) -> None:
    [result] = engine.execute("PAUSE ALL;")
    assert isinstance(result, CommandResult) and result.command_id == "pause/ALL/execute"
    assert _states(engine) == {BIG: "PAUSED", POOLS: "PAUSED"}
    [explained] = engine.execute(f"EXPLAIN {POOLS};")
    assert isinstance(explained, QueryDescriptionResult)
    assert explained.description.state == "PAUSED"
    produce(engine, "BETS", BETS)
    engine.run_until_idle()
    assert _outputs(engine) == ([], [])
    engine.execute("RESUME ALL;")
    assert _states(engine) == {BIG: "RUNNING", POOLS: "RUNNING"}
    engine.run_until_idle()
    assert _outputs(engine) == reference


def test_an_unknown_query_id_is_refused_and_nothing_is_recorded(engine: Engine) -> None:
    end = engine.log.describe_topic(command_topic("default_")).partitions[0].end_offset
    for verb in ("PAUSE", "RESUME"):
        with pytest.raises(SqlError) as caught:
            engine.execute(f"{verb} CSAS_NOPE_9;")
        assert caught.value.message == "Unknown queryId: CSAS_NOPE_9"
        assert caught.value.error_code == 40001
    assert engine.log.describe_topic(command_topic("default_")).partitions[0].end_offset == end
    assert _states(engine) == {BIG: "RUNNING", POOLS: "RUNNING"}


def test_a_transient_query_id_is_accepted_and_changes_nothing(engine: Engine) -> None:
    # ksqlDB's ValidatedCommandFactory lets transient ids through as a no-op command.
    [result] = engine.execute("PAUSE transient_BETS_123;")
    assert isinstance(result, CommandResult) and result.message == "Query paused."
    assert _states(engine) == {BIG: "RUNNING", POOLS: "RUNNING"}


def test_a_paused_query_replaced_by_create_or_replace_runs(engine: Engine) -> None:
    engine.execute(f"PAUSE {BIG};")
    engine.execute("CREATE OR REPLACE STREAM BIG AS SELECT RUNNER, AMOUNT * 10 AS AMOUNT "
                   "FROM BETS WHERE AMOUNT > 9;")
    assert _states(engine)[BIG] == "RUNNING"
    produce(engine, "BETS", BETS)
    engine.run_until_idle()
    assert sorted(rows(engine, "BIG")) == [(1, 100), (1, 200), (1, 300), (2, 400), (3, 500)]


def test_a_restart_keeps_a_paused_query_paused_until_resumed(
        db: Path, reference: tuple[list[Any], list[Any]]) -> None:
    def first(engine: Engine) -> None:
        engine.execute(STATEMENTS)
        produce(engine, "BETS", BETS[:4])
        engine.run_until_idle()
        engine.execute(f"PAUSE {BIG};")
        produce(engine, "BETS", BETS[4:7])
        engine.run_until_idle()

    partial = _open(db, first)

    def second(engine: Engine) -> None:
        assert _states(engine) == {BIG: "PAUSED", POOLS: "RUNNING"}
        produce(engine, "BETS", BETS[7:])
        engine.run_until_idle()
        assert _outputs(engine) == partial  # still paused after the restart
        engine.execute(f"RESUME {BIG};")
        engine.run_until_idle()

    assert _open(db, second) == reference

    def third(engine: Engine) -> None:  # a resumed query stays running after a restart
        assert _states(engine) == {BIG: "RUNNING", POOLS: "RUNNING"}

    assert _open(db, third) == reference
    with SqliteLog(db) as log:
        keys = [r.key for r in log.read(TopicPartition(command_topic("default_"), 0), 0)]
    assert keys[-2:] == [f"pause/{BIG}/execute".encode(), f"resume/{BIG}/execute".encode()]
