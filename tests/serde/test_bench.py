"""The serde bench reports the fields CI parses (no speed is asserted here)."""

from __future__ import annotations

import json

import pytest

from tote.bench.serde import SEED_BETS, print_serde_bench


def test_bench_result_line(capsys: pytest.CaptureFixture[str]) -> None:
    result = print_serde_bench(200)
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last) == result
    assert result["bench"] == "serde"
    assert set(result) == {"bench", "throughput", "baseline", "ratio", "latency_us"}
    assert set(result["latency_us"]) == {"p50", "p99", "max"}
    assert result["throughput"] > 0 and result["baseline"] > 0
    assert [b["AMOUNT"] for b in SEED_BETS] == [25.0, 50.0, 50.0, 5.0, 10.0, 20.0, -20.0, 0.0,
                                                 0.0]
