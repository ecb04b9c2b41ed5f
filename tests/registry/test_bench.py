"""The registry bench runs end to end and reports the agreed result line (no timing checks)."""

from __future__ import annotations

import json

import pytest

from tote.bench.registry import print_registry_bench


def test_bench_prints_a_table_and_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    result = print_registry_bench(n=40, schemas=3)
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[-1]) == result
    assert lines[0] == "registry bench: schema lookups by id over 3 schemas"
    assert set(result) == {"bench", "throughput", "baseline", "ratio", "latency_ms", "lookups",
                           "schemas"}
    assert (result["bench"], result["lookups"], result["schemas"]) == ("registry", 40, 3)
    assert set(result["latency_ms"]) == {"p50", "p99", "max"}
    assert result["latency_ms"]["p50"] <= result["latency_ms"]["p99"] <= result["latency_ms"]["max"]
    assert result["ratio"] == round(result["throughput"] / result["baseline"], 5)
