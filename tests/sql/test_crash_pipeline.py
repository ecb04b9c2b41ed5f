"""Crash safety of the seed pipeline (issue #5, point 7).

The seed's statements and BETS bets are prepared in one log file, which is copied. An
engine process runs the copy uninterrupted; on the original an engine process is SIGKILLed
KILLS times at random moments while it processes the bets and restarted, and the last run
finishes. Each kill waits until the run has added odds rows past a random threshold, then
a random fraction of a step (the engine commits a step of BATCH bets per transaction), so
kills land anywhere in a step: reading, computing or committing. Every user-visible topic
must then hold the same records in both files: partition, offset, key, value, headers,
timestamp.

TOTE_CRASH_BETS runs it with fewer bets (8,000 or more); TOTE_CRASH_SEED replays a run's
random choices.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.sql.crashkit import (
    ODDS_TOPIC,
    EngineWorker,
    Progress,
    assert_same_records,
    is_internal,
    watch,
)

from tote.bench.pipeline import BATCH, Shape, prepare
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_copy import copy_log

BETS = 200_000
RACES, RUNNERS = 1_000, 12
KILLS = 5
# How long a step takes until one has been seen: the delay of a kill is a random
# fraction of the last step's duration.
FIRST_STEP_SECONDS = 0.5
# Odds rows arrive a step (BATCH bets) at a time: thresholds this far apart make every
# kill wait for fresh progress instead of firing at the restarted run's first step.
GAP = 2 * BATCH
OUTPUTS = {
    "TOTE_WIN_BETS_RUNNER_KEYED",
    "TOTE_WIN_BETS_RACE_KEYED",
    "TOTE_RUNNERS_POOL",
    "TOTE_RACE_POOL",
    ODDS_TOPIC,
}


def _bets() -> int:
    return int(os.environ.get("TOTE_CRASH_BETS", BETS))


def _kill_points(rng: random.Random, bets: int) -> list[int]:
    """KILLS odds-row counts from 10% of the run, at least GAP apart, the last one far
    enough from the end (20% and 4 steps) that the run cannot finish before its kill."""
    low = bets // 10
    high = min(bets * 8 // 10, bets - 4 * BATCH) - (KILLS - 1) * GAP
    assert high - low >= KILLS, f"{bets} bets are too few for {KILLS} kills {GAP} apart"
    return [at + i * GAP for i, at in enumerate(sorted(rng.sample(range(low, high), KILLS)))]


def _past(threshold: int, before: int) -> Callable[[int], bool]:
    """Done once the odds rows reach the threshold and this run has added some."""
    return lambda count: count >= threshold and count > before


def _run_to_end(worker: EngineWorker, db: Path, what: str) -> None:
    progress = Progress(db)
    try:
        watch(worker, progress, lambda _: False, what)
    finally:
        progress.close()
    worker.result()


@pytest.mark.slow
@pytest.mark.timeout(max(900, _bets() // 40))
def test_sigkill_five_times_while_the_pipeline_runs(tmp_path: Path) -> None:
    bets = _bets()
    seed = int(os.environ.get("TOTE_CRASH_SEED", random.randrange(1 << 32)))
    rng = random.Random(seed)
    thresholds = _kill_points(rng, bets)
    crashed_db, reference_db = tmp_path / "crashed.db", tmp_path / "reference.db"
    prepare(crashed_db, Shape(bets, RACES, RUNNERS))
    copy_log(crashed_db, reference_db)
    context = f"TOTE_CRASH_SEED={seed}, kill thresholds {thresholds}"

    started = time.monotonic()
    workers: list[EngineWorker] = []
    kills: list[int] = []
    delays: list[float] = []
    step = FIRST_STEP_SECONDS
    progress = Progress(crashed_db)
    try:
        reference = EngineWorker(reference_db, bets, "reference")
        workers.append(reference)
        for n, threshold in enumerate(thresholds, 1):
            worker = EngineWorker(crashed_db, bets, f"run-{n}")
            workers.append(worker)
            seen = watch(worker, progress, _past(threshold, progress.odds()), f"kill {n}")
            assert worker.alive(), (
                f"run {n} ended (code {worker.proc.returncode}) at {seen.count} odds rows, "
                f"before kill {n}; {context}\n{worker.stderr_tail()}"
            )
            step = seen.step_seconds or step
            delays.append(rng.uniform(0, step))
            time.sleep(delays[-1])
            code = worker.kill()
            after = progress.odds()
            assert code == -signal.SIGKILL and after < bets, (
                f"kill {n} did not land mid-run: exit code {code}, {after} of {bets} odds "
                f"rows; {context}"
            )
            kills.append(after)
        final = EngineWorker(crashed_db, bets, "final")
        workers.append(final)
        _run_to_end(final, crashed_db, "the run after the last kill")
        _run_to_end(reference, reference_db, "the uninterrupted run")
    finally:
        for worker in workers:
            worker.stop()
        progress.close()
    print(
        f"\n{bets:,} bets, {KILLS} kills at {kills} odds rows, "
        f"{', '.join(f'{d:.2f}' for d in delays)} s after the threshold; engines done in "
        f"{time.monotonic() - started:.0f} s; {context}"
    )

    assert len(kills) == KILLS
    with SqliteLog(reference_db) as expected, SqliteLog(crashed_db) as actual:
        topics = sorted(t for t in expected.list_topics() if not is_internal(t))
        assert sorted(t for t in actual.list_topics() if not is_internal(t)) == topics
        assert set(topics) >= OUTPUTS, f"output topics missing: {OUTPUTS - set(topics)}"
        counts = {topic: assert_same_records(expected, actual, topic) for topic in topics}
    assert counts[ODDS_TOPIC] == bets, f"{counts[ODDS_TOPIC]} odds rows for {bets} bets"
