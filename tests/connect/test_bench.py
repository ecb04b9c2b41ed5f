"""The JDBC bench runs end to end and reports the agreed result line (no timing checks)."""

from __future__ import annotations

import json

import pytest

from tote.bench.jdbc import TARGETS, report, run


def test_bench_prints_a_table_and_one_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    result = run(records=3_000, batch=500)
    report(result)
    lines = capsys.readouterr().out.strip().splitlines()
    assert json.loads(lines[-1]) == result
    assert lines[0] == ("jdbc bench: 3,000 bet records, log → PostgreSQL, 500 rows per "
                        "transaction")
    assert set(result) == {"bench", "records", "batch", "throughput", "baseline", "ratio",
                           "hand_written", "targets", "met"}
    assert (result["bench"], result["records"], result["batch"]) == ("jdbc", 3_000, 500)
    assert result["targets"] == TARGETS
    assert result["ratio"] == round(result["throughput"] / result["baseline"], 3)
    assert result["met"] == {"throughput": result["throughput"] >= 100_000,
                             "ratio": result["ratio"] >= 0.5}
