"""`tote bench rest-proxy` runs end to end on a tiny load: the proxy in its own process,
the client in another, every request answered, and the agreed result line (no timing
checks: speed is what the bench itself reports)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tote.bench.rest_proxy import Settings, print_rest_proxy_bench


def test_bench_prints_a_table_and_one_json_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    settings = Settings(records=2_000, batch=500, clients=2, rate=50, duration=1, workdir=tmp_path)
    print_rest_proxy_bench(settings)
    lines = capsys.readouterr().out.strip().splitlines()
    result = json.loads(lines[-1])
    assert (result["bench"], result["records"], result["batch"]) == ("rest-proxy", 2_000, 500)
    assert result["latency_requests"] == 50
    assert 0 < result["p50_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert result["throughput"] > 0 and result["baseline"] > 0
    assert result["ratio"] == round(result["throughput"] / result["baseline"], 4)
    assert (result["target_records_per_s"], result["target_p99_ms"]) == (50_000, 20.0)
    assert isinstance(result["meets_targets"], bool)
    assert result["cpus"] >= 1 and result["load_average_1m"] >= 0
