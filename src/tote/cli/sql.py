"""`tote sql`: an interactive ksqlDB shell (like ksqlDB's CLI) for a ksqlDB server.

    tote sql                        # shell on the running stack (or localhost:8088)
    tote sql --server URL -e 'SHOW STREAMS;'
    tote sql -f statements.sql

Statements end with `;` and may span lines; history is kept across sessions. SELECT
and PRINT stream their rows live (push queries until Ctrl-C, which ends the query and
keeps the shell). SET / UNSET, DEFINE / UNDEFINE and RUN SCRIPT are handled by the
shell, as ksqlDB's CLI does: properties and variables go with every later request.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tote.cli.sql_client import KsqlClient, ServerError, Unreachable
from tote.core.config import load_config
from tote.core.errors import ToteError
from tote.stack.endpoints import running_endpoints
from tote.stack.errors import StackNotRunning


def default_server(home: Path | None = None) -> str:
    """The ksqlDB of the stack running on the data dir, else the configured port here."""
    config = load_config({"home": home})
    try:
        return running_endpoints(config.home).url("ksqldb")
    except (StackNotRunning, KeyError):
        return f"http://localhost:{config.ksqldb_port}"


def _read_script(file: Path) -> str:
    """The `--file` statements, read before the server is asked anything: a bad path is
    one `Error:` line and exit code 1, not a traceback after connecting."""
    try:
        return file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ToteError(f"Cannot read {file}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ToteError(f"{file} is not UTF-8 text.") from None


def sql(
    server: Annotated[str | None, typer.Option(
        "--server", envvar="TOTE_KSQL_URL",
        help="The ksqlDB server's URL (default: the running stack's, else localhost on "
             "TOTE_KSQLDB_PORT, 8088).")
    ] = None,
    execute: Annotated[str | None, typer.Option(
        "--execute", "-e", help="Run these statements and exit.")] = None,
    file: Annotated[Path | None, typer.Option(
        "--file", "-f", help="Run the statements of this file and exit.")] = None,
    history: Annotated[Path | None, typer.Option(
        help="Where the shell keeps its history (default: ~/.tote/sql_history).")] = None,
) -> None:
    """An interactive ksqlDB shell: statements, live push queries, Rich tables."""
    console = Console(highlight=False, soft_wrap=True)
    script = None if file is None else _read_script(file)
    server = server or default_server()
    client = KsqlClient(server)
    try:
        try:
            version = client.info().get("KsqlServerInfo", {}).get("version", "?")
        except (Unreachable, ServerError) as exc:
            console.print(f"Error: {exc}", markup=False, style="bold red")
            raise typer.Exit(1) from None
        from tote.cli.sql_shell import Shell  # here: prompt_toolkit and the parser load slowly

        shell = Shell(client, console)
        if execute is not None or file is not None:
            if script is not None:
                shell.run_text(script)
            if execute is not None:
                shell.run_text(execute)
            raise typer.Exit(1 if shell.failed else 0)
        if not sys.stdin.isatty():
            shell.run_text(sys.stdin.read())
            raise typer.Exit(1 if shell.failed else 0)
        console.print(f"tote sql — ksqlDB server {version} at {server}. End statements with "
                      "';', Ctrl-C cancels a query, Ctrl-D or EXIT quits.", markup=False)
        shell.interactive(history or Path.home() / ".tote" / "sql_history")
    finally:
        client.close()
