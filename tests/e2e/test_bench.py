"""`tote bench e2e` at a tiny size: it runs the seed pipeline on a real stack and ends with
its JSON line, having lost and doubled nothing. (No speed is asserted: that is the bench's
job, not the tests'.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_the_e2e_bench_reports_every_bet_delivered_once(stack_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tote", "bench", "e2e", "--rate", "200", "--duration", "2",
         "--batch", "10", "--max-bets", "1000", "--clients", "2", "--dir", str(stack_dir)],
        capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert set(result) == {
        "bench", "backend", "throughput", "baseline", "ratio", "latency_ms", "rate",
        "duration_s", "batch", "achieved_rate", "sent", "lost", "doubled", "max_bets",
        "clients", "targets", "met", "bets_rows", "expected_bets_rows"}
    assert (result["bench"], result["backend"]) == ("e2e", "sqlite")
    assert (result["sent"], result["lost"], result["doubled"]) == (1400, 0, 0)
    assert result["bets_rows"] == result["expected_bets_rows"] == 1409
    assert set(result["latency_ms"]) == {"p50", "p99", "max"}
    assert 0 < result["latency_ms"]["p50"] <= result["latency_ms"]["p99"] \
        <= result["latency_ms"]["max"]
    assert result["throughput"] > 0 and result["baseline"] > 0
    assert abs(result["ratio"] - result["throughput"] / result["baseline"]) < 1e-3
    assert list(stack_dir.iterdir()) == []  # the stack's data dir is gone


def test_the_tote_bench_reports_intake_pools_and_dividends(stack_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tote", "bench", "tote", "--bets", "2000", "--batch", "250",
         "--clients", "2", "--race-bets", "600", "--dir", str(stack_dir)],
        capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["bench"] == "tote"
    intake = result["intake"]
    assert intake["bets"] == 2000 and intake["exactly_once"] is True
    assert intake["accepted"] == intake["bets_in_log"] >= 2000  # warm-up bets included
    assert result["pools"]["bets"] == 600 and result["pools"]["dividend_rows"] > 0
    assert result["bets_per_s"] == min(result["intake"]["bets_per_s"],
                                       result["pools"]["bets_per_s"]) > 0
    assert set(result["met"]) == set(result["targets"]) == {
        "intake_bets_per_s", "result_to_dividends_s"}
    assert "whole chain" in done.stdout
