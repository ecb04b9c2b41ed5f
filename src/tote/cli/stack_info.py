"""`tote status`, `tote logs`, `tote prune`: look at (or remove) a stack from any shell."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tote.cli.stack_table import lag_table, print_services
from tote.core.config import load_config
from tote.core.errors import ToteError
from tote.stack.control import prune as prune_home
from tote.stack.control import stack_status
from tote.stack.logs import log_sources, show_logs
from tote.stack.paths import StackPaths

Home = Annotated[Path | None, typer.Option("--home", help="Data directory (TOTE_HOME).")]


def _home(home: Path | None) -> Path:
    try:
        return StackPaths.of(load_config({"home": home}).home).home
    except ToteError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(1) from None


def status(
    home: Home = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Services, URLs, ports, pids, state and health of the stack, its database URL, and
    the state and lag of each persistent query and connector."""
    where = _home(home)
    report = stack_status(where)
    if as_json:
        typer.echo(json.dumps(report, indent=2))
        return
    console = Console()
    if not report["services"]:
        typer.echo(f"No stack has run on {where}.")
        return
    running = "running" if report["running"] else "stopped"
    supervisor = f", supervisor pid {report['supervisor_pid']}" if report["running"] else ""
    typer.echo(f"Stack on {report['home']}: {running} "
               f"(backend {report['backend']}{supervisor})")
    print_services(console, report["services"])
    typer.echo(f"Database: {report['database_url']}")
    if report["lag"]:
        console.print(lag_table(report["lag"]))
    elif report["running"] and report["lag"] is None:
        typer.echo("Lag: the log could not be read.")
    if report["error"]:
        typer.echo(f"Last error: {report['error']}")


def logs(
    service: Annotated[str | None, typer.Argument(
        help="One service (schema-registry, rest-proxy, ..., postgres, supervisor); "
             "all if omitted.")] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep printing new lines.")
                      ] = False,
    tail: Annotated[int | None, typer.Option(
        "--tail", "-n", min=0,
        help="Only the last N lines of each log (default: all).")] = None,
    home: Home = None,
) -> None:
    """Print a service's log (or every log, each line prefixed by its service)."""
    where = _home(home)
    try:
        sources = log_sources(where, service)
    except ToteError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    width = max(len(s.name) for s in sources)

    def emit(name: str, line: str) -> None:
        typer.echo(line if service is not None else f"{name:<{width}} | {line}")

    try:
        show_logs(sources, emit, tail=tail, follow=follow, keep_going=lambda: True)
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


def prune(
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")
                   ] = False,
    home: Home = None,
) -> None:
    """Delete the data dir: the log, schemas, state, logs and the embedded database."""
    where = _home(home)
    if not where.exists():
        typer.echo(f"Nothing to remove: {where} does not exist.")
        return
    if not yes:
        typer.confirm(f"Remove {where} and everything in it (log, schemas, database)?",
                      abort=True)
    try:
        prune_home(where)
    except ToteError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Removed {where}.")
