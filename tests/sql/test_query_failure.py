"""A persistent query that cannot process a record (a DECIMAL sum overflowing its type,
as ksqlDB's KsqlFunctionException) stops there, as ksqlDB's does (its status stays
RUNNING and it is retried after a back-off: test_query_retry.py): everything
earlier records caused is committed exactly once, the other queries go on past the
record, the processing log says why, and a restarted server resumes the query from that
record (failing again, writing nothing twice). Real engine over a SQLite log (the same
behaviours on Kafka: test_query_failure_kafka.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.results import QueryList
from tote.sql.testing import produce, rows


def statements(suffix: str = "") -> str:
    """The bets stream and two queries of it, every topic's name ending in `suffix`
    (unique names on a shared broker)."""
    return f"""
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM BETS (RUNNER INT KEY, AMOUNT DECIMAL(4,1)) WITH (kafka_topic='bets{suffix}',
    partitions=1, value_format='JSON');
CREATE TABLE POOLS WITH (kafka_topic='POOLS{suffix}') AS
    SELECT RUNNER, SUM(AMOUNT) AS POOL FROM BETS GROUP BY RUNNER;
CREATE STREAM COPIED WITH (kafka_topic='COPIED{suffix}') AS SELECT RUNNER, AMOUNT FROM BETS;
"""


STATEMENTS = statements()
POOLS, COPIED = "CTAS_POOLS_2", "CSAS_COPIED_3"
# Runner 1's pool reaches 1,100.0: DECIMAL(4,1) holds at most 999.9.
BETS = [((1,), (Decimal("600.0"),)), ((2,), (Decimal("5.0"),)), ((1,), (Decimal("300.0"),)),
        ((1,), (Decimal("200.0"),)), ((2,), (Decimal("7.5"),))]
# Every pool change before the overflowing bet (offset 3), once; none after it.
POOLS_BEFORE = [(1, Decimal("600.0")), (2, Decimal("5.0")), (1, Decimal("900.0"))]
COPIED_ALL = [(runner, amount) for (runner,), (amount,) in BETS]

Outcome = tuple[list[Any], list[Any], dict[str, str], list[str]]


def query_states(engine: Engine) -> dict[str, str]:
    [listing] = engine.execute("SHOW QUERIES;")
    assert isinstance(listing, QueryList)
    # A stopped query shows here as STOPPED (ksqlDB's status of it stays RUNNING).
    return {q.id: "STOPPED" if engine.runtime.queries[q.id].failure else q.state
            for q in listing.queries}


def run(engine: Engine, statements: str = "") -> Outcome:
    """Run a started engine (after `statements` and the bets, if given) until idle: the
    pools' and copies' rows, the queries' states and the processing log's errors."""
    if statements:
        engine.execute(statements)
        produce(engine, "BETS", BETS)
    engine.run_until_idle()
    errors = [e.message for e in engine.processing_log.errors]
    return rows(engine, "POOLS"), rows(engine, "COPIED"), query_states(engine), errors


def _run(db: Path, statements: str = "") -> Outcome:
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        try:
            return run(engine, statements)
        finally:
            engine.close()


def test_the_query_stops_at_the_record_and_the_others_go_on(tmp_path: Path) -> None:
    pools, copied, states, errors = _run(tmp_path / "tote.db", STATEMENTS)
    assert pools == POOLS_BEFORE
    assert copied == COPIED_ALL
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


def resume_fails_again_at_the_record(engine: Engine, pools: str = POOLS) -> None:
    """RESUME retries the failed query `pools` at once from the record it stopped on: it
    fails there again, writing nothing."""
    engine.execute(f"RESUME {pools};")
    assert query_states(engine)[pools] == "RUNNING"
    engine.run_until_idle()  # the same record fails again: stopped, nothing written
    assert query_states(engine)[pools] == "STOPPED"
    assert rows(engine, "POOLS") == POOLS_BEFORE
    assert [e.offset for e in engine.processing_log.errors] == [3, 3]


def test_resume_retries_a_failed_query_from_the_record_it_stopped_on(tmp_path: Path) -> None:
    with SqliteLog(tmp_path / "tote.db") as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        try:
            run(engine, STATEMENTS)
            resume_fails_again_at_the_record(engine)
        finally:
            engine.close()
