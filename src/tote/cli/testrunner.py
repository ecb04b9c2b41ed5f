"""`tote test-runner -s statements.sql -i input.json -o output.json`: ksqlDB's
`ksql-test-runner`, on tote's engine with no server, log or registry to start.

Like the original it prints `\t >>> Test passed!` on stdout, or `\t>>>>> Test failed: …`
on stderr; unlike it (it always exits 0) the exit status is 1 on failure, so scripts and
CI can rely on it. tote's TOTE_ functions (pools.sql) are available, as in `tote serve
ksqldb`. Differences from ksqlDB: docs/test-runner.md.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

SqlFile = Annotated[
    Path,
    typer.Option("--sql-file", "-s", help="A SQL file containing KSQL statements to be tested."),
]
InputFile = Annotated[
    Path | None,
    typer.Option("--input-file", "-i", help="A JSON file containing the input records."),
]
OutputFile = Annotated[
    Path,
    typer.Option("--output-file", "-o", help="A JSON file containing the expected output records."),
]


def test_runner(sql_file: SqlFile, output_file: OutputFile, input_file: InputFile = None) -> None:
    """The KSQL testing tool: run the statements on the inputs, compare the outputs."""
    from tote.poolsql import with_tote_functions  # here, so other commands start fast
    from tote.sql.qtt.triple import TripleFileError, run_triple

    logging.getLogger("tote.sql.processing").setLevel(logging.ERROR)
    try:
        result = run_triple(sql_file, input_file, output_file, functions=with_tote_functions())
    except TripleFileError as exc:
        typer.echo(f"Invalid arguments: {exc.message}", err=True)
        raise typer.Exit(1) from None
    if result.passed:
        typer.echo("\t >>> Test passed!")
        return
    typer.echo(f"\t>>>>> Test failed: {result.message}", err=True)
    raise typer.Exit(1)
