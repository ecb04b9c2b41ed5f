"""ksqlDB retries a persistent query that failed on a record (its uncaught-exception
handler waits a back-off, then replaces the stream thread): the wait doubles before each
retry from `ksql.query.retry.backoff.initial.ms` up to `ksql.query.retry.backoff.max.ms`,
every retry resumes from the record it stopped on, and the query's status stays RUNNING.
Real engine over a SQLite log; a manual clock drives the back-off, except where the
background thread's real waits are the point."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from tests.sql.test_query_failure import (
    BETS,
    COPIED,
    POOLS,
    POOLS_BEFORE,
    STATEMENTS,
    sqlite_engine,
)

from tote.core.clock import SYSTEM_CLOCK, Clock, ManualClock
from tote.sql.engine import Engine
from tote.sql.results import QueryList
from tote.sql.testing import produce, rows

BACKOFF = {"ksql.query.retry.backoff.initial.ms": 100, "ksql.query.retry.backoff.max.ms": 500}


@contextmanager
def failed_engine(db: Path, clock: Clock,
                  properties: Mapping[str, object] = BACKOFF) -> Iterator[Engine]:
    """An engine whose POOLS query has failed on its fourth bet (offset 3)."""
    with sqlite_engine(db, clock, properties) as engine:
        engine.execute(STATEMENTS)
        produce(engine, "BETS", BETS)
        engine.run_until_idle()
        yield engine


def _states(engine: Engine) -> dict[str, str]:
    [listing] = engine.execute("SHOW QUERIES;")
    assert isinstance(listing, QueryList)
    return {q.id: q.state for q in listing.queries}


def _failures(engine: Engine) -> int:
    return len(engine.processing_log.errors)


def test_the_back_off_doubles_before_each_retry_up_to_the_maximum(tmp_path: Path) -> None:
    clock = ManualClock()
    with failed_engine(tmp_path / "tote.db", clock) as engine:
        assert _failures(engine) == 1
        # ksqlDB doubles before the first wait: 200 ms, 400 ms, then the 500 ms cap.
        for attempt, wait in enumerate((200, 400, 500, 500), start=1):
            clock.advance(wait - 1)
            engine.run_until_idle()
            assert _failures(engine) == attempt  # not yet
            clock.advance(1)
            engine.run_until_idle()
            assert _failures(engine) == attempt + 1  # retried, failed again
            assert engine.retries.attempts(POOLS) == attempt
        # Every retry stopped at the same record: nothing written twice, nothing more.
        assert rows(engine, "POOLS") == POOLS_BEFORE
        assert len(rows(engine, "COPIED")) == len(BETS)
        assert {e.offset for e in engine.processing_log.errors} == {3}
        # ksqlDB's status of a query whose thread is being replaced: RUNNING.
        assert _states(engine) == {POOLS: "RUNNING", COPIED: "RUNNING"}


def test_pause_stops_the_retries_resume_retries_at_once_terminate_ends(tmp_path: Path
                                                                        ) -> None:
    clock = ManualClock()
    with failed_engine(tmp_path / "tote.db", clock) as engine:
        engine.execute(f"PAUSE {POOLS};")
        clock.advance(10_000)
        engine.run_until_idle()
        assert _failures(engine) == 1 and _states(engine)[POOLS] == "PAUSED"
        engine.execute(f"RESUME {POOLS};")
        engine.run_until_idle()  # at once, with no wait
        assert _failures(engine) == 2 and _states(engine)[POOLS] == "RUNNING"
        engine.execute(f"TERMINATE {POOLS};")
        clock.advance(10_000)
        engine.run_until_idle()
        assert _failures(engine) == 2 and engine.retries.attempts(POOLS) == 0
        assert rows(engine, "POOLS") == POOLS_BEFORE


def test_a_restarted_server_retries_with_a_fresh_back_off(tmp_path: Path) -> None:
    db, clock = tmp_path / "tote.db", ManualClock()
    with failed_engine(db, clock) as engine:
        clock.advance(200)
        engine.run_until_idle()
        assert engine.retries.attempts(POOLS) == 1
    with sqlite_engine(db, clock, BACKOFF) as engine:
        engine.run_until_idle()  # resumes at the record and fails there
        assert _failures(engine) == 1 and engine.retries.attempts(POOLS) == 0
        clock.advance(200)
        engine.run_until_idle()
        assert _failures(engine) == 2 and engine.retries.attempts(POOLS) == 1
        assert rows(engine, "POOLS") == POOLS_BEFORE


def _until(check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_the_background_thread_retries_without_blocking_or_busy_looping(tmp_path: Path
                                                                         ) -> None:
    """The thread waits for the next retry, not for its poll timeout (an hour here), and
    stop_background ends that wait at once. (Bounds far from the figures: a loaded
    machine only makes the waits longer.)"""
    with failed_engine(tmp_path / "tote.db", SYSTEM_CLOCK) as engine:
        engine.start_background(poll_timeout=3600.0)
        try:
            started = time.monotonic()
            _until(lambda: _failures(engine) >= 3)  # retries after 200 ms and 400 ms more
            assert time.monotonic() - started >= 0.55
            # Meanwhile the other query goes on.
            produce(engine, "BETS", [((3,), (Decimal("1.0"),))])
            _until(lambda: len(rows(engine, "COPIED")) == len(BETS) + 1)
        finally:
            stopping = time.monotonic()
            engine.stop_background()
            # A wait for the next retry (500 ms) or the poll ends at once, not in an hour.
            assert time.monotonic() - stopping < 60
        assert rows(engine, "POOLS") == POOLS_BEFORE
