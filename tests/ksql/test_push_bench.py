"""`tote bench push` runs end to end with tiny parameters and reports its figures (no
timing checks: speed is the bench's business, not the tests')."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tote.cli.main import cli


def test_push_bench_reports_latency_and_lookups(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [
        "bench", "push", "--rate", "200", "--duration", "0.5", "--batch", "10",
        "--pull-duration", "0.3", "--clients", "1", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    summary = json.loads(lines[-1])
    assert summary["bench"] == "push"
    assert summary["transport"] == "h2c"
    assert (summary["sent"], summary["received"], summary["lost"]) == (100, 100, 0)
    for figures in (summary["latency_ms"], summary["baseline_log_latency_ms"]):
        assert set(figures) == {"p50", "p99", "max"}
        assert 0 < figures["p50"] <= figures["p99"] <= figures["max"]
    assert summary["lookups"] > 0 and summary["lookups_per_s"] > 0
    assert summary["baseline_info_per_s"] > 0
    assert summary["targets"] == {"p99_ms": 50.0, "lookups_per_s": 2000.0}
    assert set(summary["met"]) == {"p99_ms", "lookups_per_s"}
    assert "append → push row" in result.output
    assert list(tmp_path.iterdir()) == []  # the temporary data dirs are gone
