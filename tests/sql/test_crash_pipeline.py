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
import time
from pathlib import Path

import pytest
from tests.sql.crashkit import (
    ODDS_TOPIC,
    OUTPUTS,
    EngineWorker,
    Progress,
    assert_same_records,
    crash_repeatedly,
    is_internal,
    kill_points,
    run_to_end,
)

from tote.bench.pipeline import Shape, prepare
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_copy import copy_log

BETS = 200_000
RACES, RUNNERS = 1_000, 12
KILLS = 5


def _bets() -> int:
    return int(os.environ.get("TOTE_CRASH_BETS", BETS))


@pytest.mark.slow
@pytest.mark.timeout(max(900, _bets() // 40))
def test_sigkill_five_times_while_the_pipeline_runs(tmp_path: Path) -> None:
    bets = _bets()
    seed = int(os.environ.get("TOTE_CRASH_SEED", random.randrange(1 << 32)))
    rng = random.Random(seed)
    thresholds = kill_points(rng, bets, KILLS)
    crashed_db, reference_db = tmp_path / "crashed.db", tmp_path / "reference.db"
    prepare(crashed_db, Shape(bets, RACES, RUNNERS))
    copy_log(crashed_db, reference_db)
    context = f"TOTE_CRASH_SEED={seed}, kill thresholds {thresholds}"

    started = time.monotonic()
    workers: list[EngineWorker] = []

    def start(name: str, db: Path = crashed_db) -> EngineWorker:
        workers.append(EngineWorker(db, bets, name))
        return workers[-1]

    progress = Progress(SqliteLog(crashed_db))
    try:
        reference = start("reference", reference_db)
        crashes = crash_repeatedly(start, progress, thresholds, rng, bets=bets, context=context)
        run_to_end(start("final"), Progress(SqliteLog(crashed_db)), "the run after the last kill")
        run_to_end(reference, Progress(SqliteLog(reference_db)), "the uninterrupted run")
    finally:
        for worker in workers:
            worker.stop()
        progress.close()
    kills = crashes.kills
    print(
        f"\n{bets:,} bets, {KILLS} kills at {kills} odds rows, "
        f"{', '.join(f'{d:.2f}' for d in crashes.delays)} s after the threshold; engines done "
        f"in {time.monotonic() - started:.0f} s; {context}"
    )

    assert len(kills) == KILLS
    with SqliteLog(reference_db) as expected, SqliteLog(crashed_db) as actual:
        topics = sorted(t for t in expected.list_topics() if not is_internal(t))
        assert sorted(t for t in actual.list_topics() if not is_internal(t)) == topics
        assert set(topics) >= OUTPUTS, f"output topics missing: {OUTPUTS - set(topics)}"
        counts = {topic: assert_same_records(expected, actual, topic) for topic in topics}
    assert counts[ODDS_TOPIC] == bets, f"{counts[ODDS_TOPIC]} odds rows for {bets} bets"
