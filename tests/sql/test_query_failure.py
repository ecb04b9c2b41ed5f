"""A persistent query that cannot process a record (a DECIMAL sum overflowing its type,
as ksqlDB's KsqlFunctionException) stops there, as ksqlDB's does (its status stays
RUNNING and it is retried after a back-off: test_query_retry.py): everything
earlier records caused is committed exactly once, the other queries go on past the
record, the processing log says why, and a restarted server resumes the query from that
record (failing again, writing nothing twice). Real engine, on each backend: a SQLite
log, and a Tansu broker (a new client of it for each server; every test has its own
topics and service id, as the session's broker is shared)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from tote.core.clock import SYSTEM_CLOCK, Clock, ManualClock
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


@dataclass(frozen=True)
class Backend:
    """Where a test's servers run: `open` starts one (the same log each time)."""

    open: Callable[[], AbstractContextManager[Engine]]
    suffix: str  # of the test's topic names
    pools: str  # the two queries' ids
    copied: str


@contextmanager
def _started(engine: Engine) -> Iterator[Engine]:
    engine.start()
    try:
        yield engine
    finally:
        engine.close()


@contextmanager
def sqlite_engine(db: Path, clock: Clock = SYSTEM_CLOCK,
                  properties: Mapping[str, object] | None = None) -> Iterator[Engine]:
    """A started server on the SQLite log `db`, closed on exit."""
    with SqliteLog(db) as log, Registry(log) as registry, \
            _started(Engine(log, registry, properties=properties, clock=clock)) as engine:
        yield engine


@contextmanager
def _kafka_engine(bootstrap: str, service_id: str) -> Iterator[Engine]:
    """Its clock stands still, so no back-off ends during a test: only RESUME and
    restarts retry."""
    from tote.log.kafka import KafkaLog

    with KafkaLog(bootstrap) as log, _started(
            Engine(log, None, service_id=service_id, clock=ManualClock())) as engine:
        yield engine


@pytest.fixture(params=["sqlite", pytest.param("kafka", marks=pytest.mark.kafka)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        return Backend(partial(sqlite_engine, tmp_path / "tote.db"), "", POOLS, COPIED)
    suffix = f"_{uuid.uuid4().hex[:8]}"
    # A query's id is numbered by its command's offset + 1; on Kafka each command is
    # written in a transaction whose commit marker takes the next offset.
    return Backend(partial(_kafka_engine, request.getfixturevalue("kafka_bootstrap"),
                           f"fail{suffix}_"), suffix, "CTAS_POOLS_3", "CSAS_COPIED_5")


def _states(engine: Engine) -> dict[str, str]:
    [listing] = engine.execute("SHOW QUERIES;")
    assert isinstance(listing, QueryList)
    # A stopped query shows here as STOPPED (ksqlDB's status of it stays RUNNING).
    return {q.id: "STOPPED" if engine.runtime.queries[q.id].failure else q.state
            for q in listing.queries}


def _until_idle(engine: Engine, sql: str = "") -> Outcome:
    """Run a started engine (after the statements `sql` and the bets, if given) until
    idle: the pools' and copies' rows, the queries' states and the processing log's
    errors."""
    if sql:
        engine.execute(sql)
        produce(engine, "BETS", BETS)
    engine.run_until_idle()
    errors = [e.message for e in engine.processing_log.errors]
    return rows(engine, "POOLS"), rows(engine, "COPIED"), _states(engine), errors


def _run(backend: Backend, sql: str = "") -> Outcome:
    with backend.open() as engine:
        return _until_idle(engine, sql)


def test_the_query_stops_at_the_record_and_the_others_go_on(backend: Backend) -> None:
    pools, copied, states, errors = _run(backend, statements(backend.suffix))
    assert pools == POOLS_BEFORE
    assert copied == COPIED_ALL
    assert states == {backend.pools: "STOPPED", backend.copied: "RUNNING"}
    [error] = errors
    assert error.startswith("Exception caught in process. taskId=0_0, "
                            f"topic=bets{backend.suffix}, partition=0, offset=3: "
                            "Numeric field overflow")


def test_a_restart_resumes_the_failed_query_at_that_record(backend: Backend) -> None:
    first = _run(backend, statements(backend.suffix))
    pools, copied, states, errors = _run(backend)
    assert (pools, copied) == (POOLS_BEFORE, COPIED_ALL) == first[:2]  # nothing twice
    assert states == {backend.pools: "STOPPED", backend.copied: "RUNNING"}
    assert len(errors) == 1 and "offset=3" in errors[0]


def test_resume_retries_a_failed_query_from_the_record_it_stopped_on(backend: Backend
                                                                      ) -> None:
    """RESUME retries the failed query at once from the record it stopped on: it fails
    there again, writing nothing."""
    with backend.open() as engine:
        _until_idle(engine, statements(backend.suffix))
        engine.execute(f"RESUME {backend.pools};")
        assert _states(engine)[backend.pools] == "RUNNING"
        engine.run_until_idle()  # the same record fails again: stopped, nothing written
        assert _states(engine)[backend.pools] == "STOPPED"
        assert rows(engine, "POOLS") == POOLS_BEFORE
        assert [e.offset for e in engine.processing_log.errors] == [3, 3]
