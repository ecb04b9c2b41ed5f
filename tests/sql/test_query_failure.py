"""A persistent query that cannot process a record (a DECIMAL sum overflowing its type,
as ksqlDB's KsqlFunctionException) stops there, as ksqlDB's does (its status stays
RUNNING and it is retried after a back-off: test_query_retry.py): everything
earlier records caused is committed exactly once, the other queries go on past the
record, the processing log says why, and a restarted server resumes the query from that
record (failing again, writing nothing twice). Real engine over a SQLite log."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.results import QueryList
from tote.sql.testing import produce, rows

STATEMENTS = """
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM BETS (RUNNER INT KEY, AMOUNT DECIMAL(4,1)) WITH (kafka_topic='bets',
    partitions=1, value_format='JSON');
CREATE TABLE POOLS AS SELECT RUNNER, SUM(AMOUNT) AS POOL FROM BETS GROUP BY RUNNER;
CREATE STREAM COPIED AS SELECT RUNNER, AMOUNT FROM BETS;
"""
POOLS, COPIED = "CTAS_POOLS_2", "CSAS_COPIED_3"
# Runner 1's pool reaches 1,100.0: DECIMAL(4,1) holds at most 999.9.
BETS = [((1,), (Decimal("600.0"),)), ((2,), (Decimal("5.0"),)), ((1,), (Decimal("300.0"),)),
        ((1,), (Decimal("200.0"),)), ((2,), (Decimal("7.5"),))]


def _states(engine: Engine) -> dict[str, str]:
    [listing] = engine.execute("SHOW QUERIES;")
    assert isinstance(listing, QueryList)
    # A stopped query shows here as STOPPED (ksqlDB's status of it stays RUNNING).
    return {q.id: "STOPPED" if engine.runtime.queries[q.id].failure else q.state
            for q in listing.queries}


def _run(db: Path, statements: str = "") -> tuple[list[Any], list[Any], dict[str, str],
                                                  list[str]]:
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        try:
            if statements:
                engine.execute(statements)
                produce(engine, "BETS", BETS)
            engine.run_until_idle()
            errors = [e.message for e in engine.processing_log.errors]
            return rows(engine, "POOLS"), rows(engine, "COPIED"), _states(engine), errors
        finally:
            engine.close()


def test_the_query_stops_at_the_record_and_the_others_go_on(tmp_path: Path) -> None:
    pools, copied, states, errors = _run(tmp_path / "tote.db", STATEMENTS)
    # Every pool change before the overflowing bet, once; none after it.
    assert pools == [(1, Decimal("600.0")), (2, Decimal("5.0")), (1, Decimal("900.0"))]
    assert copied == [(runner, amount) for (runner,), (amount,) in BETS]
    assert states == {POOLS: "STOPPED", COPIED: "RUNNING"}
    [error] = errors
    assert error.startswith("Exception caught in process. taskId=0_0, topic=bets, "
                            "partition=0, offset=3: Numeric field overflow")


def test_a_restart_resumes_the_failed_query_at_that_record(tmp_path: Path) -> None:
    db = tmp_path / "tote.db"
    first = _run(db, STATEMENTS)
    pools, copied, states, errors = _run(db)
    assert (pools, copied) == first[:2]  # nothing written twice, nothing more
    assert states == {POOLS: "STOPPED", COPIED: "RUNNING"}
    assert len(errors) == 1 and "offset=3" in errors[0]


def test_resume_retries_a_failed_query_from_the_record_it_stopped_on(tmp_path: Path) -> None:
    with SqliteLog(tmp_path / "tote.db") as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        try:
            engine.execute(STATEMENTS)
            produce(engine, "BETS", BETS)
            engine.run_until_idle()
            engine.execute(f"RESUME {POOLS};")
            assert _states(engine)[POOLS] == "RUNNING"
            engine.run_until_idle()  # the same record fails again: stopped, nothing written
            assert _states(engine)[POOLS] == "STOPPED"
            assert len(rows(engine, "POOLS")) == 3
            assert len(engine.processing_log.errors) == 2
        finally:
            engine.close()
