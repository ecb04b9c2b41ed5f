"""Running QTT files and summarising them: a per-file table and `N passed, M failed,
K skipped`."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tote.sql.functions import FunctionRegistry, default_functions
from tote.sql.qtt.loader import expand
from tote.sql.qtt.runner import CaseResult, Outcome, run_case
from tote.sql.qtt.udfs import with_test_functions


@dataclass
class FileReport:
    name: str
    results: list[CaseResult] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)


@dataclass
class Report:
    files: list[FileReport]

    def count(self, outcome: Outcome) -> int:
        return sum(f.count(outcome) for f in self.files)

    @property
    def total(self) -> int:
        return sum(len(f.results) for f in self.files)

    def results(self) -> Iterator[CaseResult]:
        for f in self.files:
            yield from f.results

    def table(self) -> str:
        width = max([len(f.name) for f in self.files] + [4])
        lines = [f"{'file':<{width}}  {'total':>5}  {'passed':>6}  {'failed':>6}  "
                 f"{'skipped':>7}"]
        for f in self.files:
            lines.append(f"{f.name:<{width}}  {len(f.results):>5}  "
                         f"{f.count(Outcome.PASSED):>6}  {f.count(Outcome.FAILED):>6}  "
                         f"{f.count(Outcome.SKIPPED):>7}")
        lines.append(self.summary())
        return "\n".join(lines)

    def summary(self) -> str:
        return (f"{self.count(Outcome.PASSED)} passed, {self.count(Outcome.FAILED)} failed, "
                f"{self.count(Outcome.SKIPPED)} skipped")


def run_files(paths: Sequence[Path], *, functions: FunctionRegistry | None = None,
              name_filter: str | None = None) -> Report:
    """Run every expanded case of every file (one fresh environment per case)."""
    shared = with_test_functions(functions or default_functions())
    files = []
    for path in paths:
        report = FileReport(path.name)
        for case in expand(path):
            if name_filter and name_filter not in case.id:
                continue
            report.results.append(run_case(case, shared))
        files.append(report)
    return Report(files)
