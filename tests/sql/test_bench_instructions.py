"""`tote bench pipeline --instructions` counts instructions instead of seconds, for
figures a loaded machine cannot move: the count must repeat from run to run, and it must
measure the phases' work (the engine does more per bet than the odds-only loop)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.bench import instructions
from tote.bench.pipeline import Shape, instructions_per_bet, prepare

# Each count runs Python under valgrind (tens of times slower than bare): on a slow or
# loaded machine the module's five counts take longer than the suite's default timeout.
pytestmark = [pytest.mark.skipif(instructions.missing() is not None,
                                 reason=instructions.missing() or ""),
              pytest.mark.timeout(1200)]

SHAPE = Shape(1_500, 50, 12)


@pytest.fixture(scope="module")
def per_bet(tmp_path_factory: pytest.TempPathFactory) -> dict[str, float]:
    """Every phase counted once for the module (each count is a valgrind run)."""
    return instructions_per_bet(SHAPE, tmp_path_factory.mktemp("phases"))


def test_a_phase_counts_the_same_instructions_twice(per_bet: dict[str, float],
                                                    tmp_path: Path) -> None:
    db = tmp_path / "bets.db"
    prepare(db, SHAPE)  # the same bets as the fixture's log (a seeded generator)
    again = instructions.count(
        ["-m", "tote.bench.pipeline_worker", "baseline", str(db), str(SHAPE.bets)])
    first = per_bet["baseline"] * SHAPE.bets
    assert first > SHAPE.bets * 10_000  # the loop was counted, not just its edges
    assert abs(first - again) <= 0.01 * first


def test_each_phase_is_priced_by_its_work(per_bet: dict[str, float]) -> None:
    """The odds-only loop does least; writing the five topics costs the loop with the
    engine's encoders less than the one with fastavro's; the engine, which writes the
    five topics too, costs more than the odds-only loop and less than the fastavro one.
    (Against the fused loop it has no fixed order: that loop decodes the bets with
    fastavro, the engine with its own generated reader.)"""
    assert per_bet["baseline"] < per_bet["fused"] < per_bet["outputs"]
    assert per_bet["baseline"] < per_bet["engine"] < per_bet["outputs"]
