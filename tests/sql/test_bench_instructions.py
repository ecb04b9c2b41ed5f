"""`tote bench pipeline --instructions` counts instructions instead of seconds, for
figures a loaded machine cannot move: the count must repeat from run to run, and it must
measure the phases' work (the engine does more per bet than the odds-only loop)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.bench import instructions
from tote.bench.pipeline import Shape, instructions_per_bet, prepare
from tote.log.sqlite_copy import copy_log

pytestmark = pytest.mark.skipif(instructions.missing() is not None,
                                reason=instructions.missing() or "")

SHAPE = Shape(1_500, 50, 12)


def test_a_phase_counts_the_same_instructions_twice(tmp_path: Path) -> None:
    prepare(tmp_path / "bets.db", SHAPE)
    counts = []
    for run in ("first", "second"):
        db = tmp_path / f"{run}.db"
        copy_log(tmp_path / "bets.db", db)
        counts.append(instructions.count(
            ["-m", "tote.bench.pipeline_worker", "baseline", str(db), str(SHAPE.bets)]))
    assert counts[0] > SHAPE.bets * 10_000  # the loop was counted, not just its edges
    assert abs(counts[0] - counts[1]) <= 0.01 * counts[0]


def test_the_engine_costs_more_per_bet_than_the_hand_written_loops(tmp_path: Path) -> None:
    per_bet = instructions_per_bet(SHAPE, tmp_path)
    assert per_bet["baseline"] < per_bet["outputs"] < per_bet["engine"]
