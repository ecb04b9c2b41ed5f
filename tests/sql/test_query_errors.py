"""A failed query's status stays RUNNING while ksqlDB retries it, so EXPLAIN is where its
errors show (ksqlDB's `queryErrors`): the last `ksql.query.error.max.queue.size` of
them, each kept an hour, with its time, message and type (USER for a function's error
such as a DECIMAL overflow). Real engine over a SQLite log, a manual clock; the REST
entity and the `tote sql` shell show them as ksqlDB's do."""

from __future__ import annotations

import datetime
from pathlib import Path

from rich.console import Console
from tests.sql.test_query_failure import COPIED, POOLS
from tests.sql.test_query_retry import failed_engine

from tote.cli.sql_render import render_entity
from tote.core.clock import ManualClock
from tote.http.ksql_entities import entity
from tote.sql.engine import Engine
from tote.sql.results import QueryDescriptionResult, QueryError

START_MS = 1_700_000_000_000
PROPERTIES = {"ksql.query.retry.backoff.initial.ms": 100,
              "ksql.query.retry.backoff.max.ms": 100, "ksql.query.error.max.queue.size": 2}


def _explain(engine: Engine, query_id: str) -> QueryDescriptionResult:
    [result] = engine.execute(f"EXPLAIN {query_id};")
    assert isinstance(result, QueryDescriptionResult)
    return result


def _errors(engine: Engine, query_id: str) -> tuple[QueryError, ...]:
    return _explain(engine, query_id).description.errors


def test_explain_lists_the_recent_errors_of_a_failed_query(tmp_path: Path) -> None:
    clock = ManualClock(START_MS)
    with failed_engine(tmp_path / "tote.db", clock, PROPERTIES) as engine:
        [error] = _errors(engine, POOLS)
        assert error.timestamp == START_MS and error.type == "USER"
        assert "offset=3" in error.message
        assert "Numeric field overflow" in error.message
        assert _errors(engine, COPIED) == ()
        # Two retries, failing again: three errors, the queue keeps the last two.
        for _ in range(2):
            clock.advance(200)
            engine.run_until_idle()
        assert [e.timestamp for e in _errors(engine, POOLS)] == [START_MS + 200,
                                                                 START_MS + 400]
        # An error is kept an hour.
        clock.advance(3_600_000 - 200)
        assert [e.timestamp for e in _errors(engine, POOLS)] == [START_MS + 400]
        clock.advance(200)
        [description] = [_explain(engine, POOLS).description]
        assert description.errors == ()
        assert description.state == "RUNNING"


def test_the_rest_entity_and_the_shell_show_them_as_ksqldb_does(tmp_path: Path) -> None:
    with failed_engine(tmp_path / "tote.db", ManualClock(START_MS), PROPERTIES) as engine:
        result = _explain(engine, POOLS)
    [error] = result.description.errors
    answer = entity(result, lambda query_id: None)
    assert answer is not None
    description = answer["queryDescription"]
    assert description["queryErrors"] == [
        {"timestamp": START_MS, "errorMessage": error.message, "type": "USER"}]
    assert description["consumerGroupId"] == f"_confluent-ksql-default_query_{POOLS}"
    assert description["tasksMetadata"] == []

    console = Console(record=True, width=400)
    render_entity(console, answer)
    shown = console.export_text()
    when = datetime.datetime.fromtimestamp(START_MS / 1000).astimezone()
    assert (f"Error Date           : {when:%Y-%m-%d %I:%M:%S},000 ({when.tzname()})"
            in shown)
    assert f"Error Details        : {error.message}" in shown
    assert "Error Type           : USER" in shown
