"""The tote intake bench, small: a real `tote serve tote` process and a client process."""

from __future__ import annotations

from pathlib import Path

from tote.bench.tote_intake import TOTE_INTAKE_KEYS, Settings, run


def test_the_bench_reports_its_figures_and_every_accepted_bet_once(tmp_path: Path) -> None:
    figures = run(Settings(bets=3_000, batch=500, clients=2, races=3, workdir=tmp_path))
    assert set(TOTE_INTAKE_KEYS) <= set(figures)
    assert figures["bets"] == 3_000
    # The warm-up batch is answered (and placed) as well; all of these bets are valid.
    assert figures["statuses"] == {"ACCEPTED": 3_500}
    assert figures["accepted"] == figures["bets_in_log"] == 3_500
    assert figures["exactly_once"] is True
    assert figures["bets_per_s"] > 0 and figures["baseline_bets_per_s"] > 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"] <= figures["max_ms"]
