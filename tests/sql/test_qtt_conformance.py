"""ksqlDB's own query translation tests (../shared/qtt/dev) as the engine's oracle.

The whole DEV set runs in one go; the test fails if fewer cases pass than the floor. The
floor only ever goes up: raise it when cases start passing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tote.sql.qtt import Outcome, run_files
from tote.sql.qtt.loader import expand

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "qtt" / "dev"
pytestmark = pytest.mark.skipif(not DEV.is_dir(), reason="QTT fixtures not available")

# Passing cases out of the 752 expanded DEV cases (100 %, PROTOBUF included). Never
# lower this.
FLOOR = 752


def test_dev_set_passes_above_the_floor() -> None:
    report = run_files(sorted(DEV.glob("*.json")))
    assert report.total == 752
    failures = [f"{r.case.id}: {r.reason}" for r in report.results()
                if r.outcome is Outcome.FAILED]
    passed = report.count(Outcome.PASSED)
    assert passed >= FLOOR, f"{passed} passed < floor {FLOOR}:\n" + "\n".join(failures)


def test_expansion_counts_match_the_readme() -> None:
    counts = {path.name: sum(1 for _ in expand(path)) for path in DEV.glob("*.json")}
    assert counts["group-by.json"] == 158
    assert counts["formats.json"] == 34
    assert counts["select.json"] == 12
    assert sum(counts.values()) == 752


def test_case_ids_follow_upstream_naming() -> None:
    ids = [case.id for case in expand(DEV / "select.json")]
    assert "select - all columns - star - ksql.new.query.planner.enabled=true" in ids
    assert "select - key column" in ids
    assert len(ids) == len(set(ids))
