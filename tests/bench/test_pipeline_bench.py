"""`tote bench pipeline` runs every phase and reports the engine against the odds-only
loop as the fastest of alternating rounds, ending with one JSON line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tote.cli.main import cli


def test_a_small_pipeline_bench_reports_each_round(tmp_path: Path) -> None:
    out = CliRunner().invoke(cli, [
        "bench", "pipeline", "--bets", "1000", "--races", "50", "--rounds", "2",
        "--rate", "500", "--duration", "0.5", "--rss-bets", "0", "--dir", str(tmp_path)])
    assert out.exit_code == 0, out.output
    assert "fastest of 2 alternating runs each" in out.output
    result = json.loads(out.output.strip().splitlines()[-1])
    assert result["bench"] == "pipeline"
    assert len(result["round_ratios"]) == 2
    # The ratio is the fastest engine run's rate over the fastest baseline run's.
    assert result["ratio"] == pytest.approx(
        result["bets_per_s"] / result["baseline_bets_per_s"], abs=0.002)
    assert result["latency_ms"]["received"] == result["latency_ms"]["sent"] == 250
    assert list(tmp_path.iterdir()) == []  # every log was removed with its run
