"""A persistent query that cannot process a record stops there on the kafka backend too
(a Tansu broker), as test_query_failure.py shows on SQLite: the step is aborted and
redone up to the record before, so everything earlier records caused is committed
exactly once in the producer's transactions, the other query goes on past the record,
the processing log says why, and a restarted server (a new client of the broker) resumes
the query from its committed offset at that record, failing again and writing nothing
twice. Each test has its own topic and service id: the session's broker is shared.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from tests.sql.test_query_failure import (
    COPIED_ALL,
    POOLS_BEFORE,
    Outcome,
    resume_fails_again_at_the_record,
    run,
    statements,
)

from tote.core.clock import ManualClock
from tote.sql.engine import Engine

pytestmark = pytest.mark.kafka

# A query's id is numbered by its command's offset + 1; on Kafka each command is written
# in a transaction whose commit marker takes the next offset, so they go up by two.
POOLS, COPIED = "CTAS_POOLS_3", "CSAS_COPIED_5"


@contextmanager
def _engine(bootstrap: str, service_id: str) -> Iterator[Engine]:
    """A server of `service_id` with its own client of the broker. Its clock stands
    still, so no back-off ends during a test: only RESUME and restarts retry."""
    from tote.log.kafka import KafkaLog

    with KafkaLog(bootstrap) as log:
        engine = Engine(log, None, service_id=service_id, clock=ManualClock())
        engine.start()
        try:
            yield engine
        finally:
            engine.close()


def _names() -> tuple[str, str]:
    """A suffix for this test's topics and its service id."""
    suffix = f"_{uuid.uuid4().hex[:8]}"
    return suffix, f"fail{suffix}_"


def _run(bootstrap: str, service_id: str, sql: str = "") -> Outcome:
    with _engine(bootstrap, service_id) as engine:
        return run(engine, sql)


def test_the_query_stops_at_the_record_and_the_others_go_on(kafka_bootstrap: str) -> None:
    suffix, service_id = _names()
    pools, copied, states, errors = _run(kafka_bootstrap, service_id, statements(suffix))
    assert pools == POOLS_BEFORE
    assert copied == COPIED_ALL
    assert states == {POOLS: "STOPPED", COPIED: "RUNNING"}
    [error] = errors
    assert error.startswith(f"Exception caught in process. taskId=0_0, topic=bets{suffix}, "
                            "partition=0, offset=3: Numeric field overflow")


def test_a_restart_resumes_the_failed_query_at_that_record(kafka_bootstrap: str) -> None:
    suffix, service_id = _names()
    first = _run(kafka_bootstrap, service_id, statements(suffix))
    pools, copied, states, errors = _run(kafka_bootstrap, service_id)
    assert (pools, copied) == (POOLS_BEFORE, COPIED_ALL) == first[:2]  # nothing twice
    assert states == {POOLS: "STOPPED", COPIED: "RUNNING"}
    assert len(errors) == 1 and "offset=3" in errors[0]


def test_resume_retries_a_failed_query_from_the_record_it_stopped_on(kafka_bootstrap: str
                                                                      ) -> None:
    suffix, service_id = _names()
    with _engine(kafka_bootstrap, service_id) as engine:
        run(engine, statements(suffix))
        resume_fails_again_at_the_record(engine, POOLS)
