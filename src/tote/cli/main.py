"""`tote`: one command for the whole stack. Sub-commands live in sibling modules."""

from __future__ import annotations

import sys

import httpx
import typer

from tote import __version__
from tote.cli import bench, pools, qtt, race, serve, simulate, stack, testrunner, topic
from tote.cli import sql as sql_shell
from tote.core.errors import ToteError

cli = typer.Typer(
    name="tote",
    help="tote: the Confluent stack behind tote betting pools, in one pip install.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
cli.add_typer(topic.app, name="topic")
cli.add_typer(bench.app, name="bench")
cli.add_typer(serve.app, name="serve")
cli.add_typer(pools.app, name="pools")
cli.add_typer(race.app, name="race")
cli.command("qtt")(qtt.qtt)
cli.command("sql")(sql_shell.sql)
cli.command("test-runner")(testrunner.test_runner)
cli.command("simulate")(simulate.simulate)
stack.register(cli)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"tote {__version__}")
        raise typer.Exit()


@cli.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """tote: the Confluent stack behind tote betting pools, in one pip install."""


def app() -> None:
    """Console entry point: user errors are one clear line and exit code 1, never a traceback."""
    try:
        cli(standalone_mode=True)
    except ToteError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        sys.exit(1)
    except httpx.InvalidURL as exc:  # a malformed --url / --server, from any command
        typer.echo(f"Error: Invalid URL: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
