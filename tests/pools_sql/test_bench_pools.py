"""The pools bench, small: a real engine process over the SQLite log, its dividends
checked against the calculator."""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.bench.tote_pools import TOTE_POOLS_KEYS, BenchError, Card, Settings, check, run


def test_the_bench_reports_its_figures_for_a_settled_race(tmp_path: Path) -> None:
    figures = run(Settings(bets=1_500), workdir=tmp_path)
    assert set(TOTE_POOLS_KEYS) <= set(figures)
    assert figures["bets"] == 1_500
    # Boxes spread over several combinations; every move reaches the approximates.
    assert figures["combination_moves"] > 1_500
    assert figures["approximates_rows"] >= figures["combination_moves"]
    assert figures["dividend_rows"] >= 7  # every pool type declared something
    assert figures["bets_per_s"] > 0 and figures["cpu_s"] > 0
    assert 0 < figures["result_to_dividends_s"] < 60


def test_a_dividend_the_calculator_disagrees_with_fails_the_bench() -> None:
    case = {
        "pool": "WIN",
        "takeout_bp": 1000,
        "unit_cents": 100,
        "breakage_step_cents": 10,
        "split": "PROFIT",
        "unbacked": "CARRY_NET",
        "bets": [
            {"id": "a", "selection": [1], "stake_cents": 1_000},
            {"id": "b", "selection": [2], "stake_cents": 1_000},
        ],
    }
    card = Card(cases={"R/WIN": case}, result=[[1], [2]])
    right = {"POOL_ID": "R/WIN", "COMBINATION": "1", "PER_UNIT_CENTS": 180}
    check(card, [right])
    with pytest.raises(BenchError, match="R/WIN"):
        check(card, [{**right, "PER_UNIT_CENTS": 190}])
    with pytest.raises(BenchError, match="R/WIN"):
        check(card, [])
