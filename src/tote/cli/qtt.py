"""`tote qtt FILE...`: run ksqlDB QTT conformance files and print a per-file table."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

Files = Annotated[list[Path], typer.Argument(exists=True, help="QTT JSON files or folders.")]
CaseFilter = Annotated[str | None, typer.Option("--case",
                                                help="Only cases whose id contains this.")]
Verbose = Annotated[bool, typer.Option("--verbose", "-v", help="Print every failure.")]
Rest = Annotated[bool, typer.Option(
    "--rest", help="REST QTT files: run them through a ksqlDB server over HTTP.")]


def qtt(files: Files, case: CaseFilter = None, verbose: Verbose = False,
        rest: Rest = False) -> None:
    """Run QTT cases; exit status 1 when any case failed."""
    from tote.sql.qtt import Outcome, run_files  # here, so other commands start fast

    # Expressions failing on purpose in many cases would flood the processing log, and a
    # query stopping on a record is the case's expected error or its reported failure.
    logging.getLogger("tote.sql.processing").setLevel(logging.ERROR)
    logging.getLogger("tote.sql.engine").setLevel(logging.CRITICAL)
    paths: list[Path] = []
    for item in files:
        paths.extend(sorted(item.glob("*.json")) if item.is_dir() else [item])
    if rest:
        from tote.http.ksql_host import KsqlHost
        from tote.sql.qtt_rest import run_rest_files

        with KsqlHost() as host:
            report = run_rest_files(paths, host, name_filter=case)
    else:
        report = run_files(paths, name_filter=case)
    if verbose:
        for result in report.results():
            if result.outcome is not Outcome.PASSED:
                typer.echo(f"{result.outcome.value.upper()}: {result.case.id}: {result.reason}")
    typer.echo(report.table())
    if report.count(Outcome.FAILED):
        raise typer.Exit(1)
