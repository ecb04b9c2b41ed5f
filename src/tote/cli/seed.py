"""`tote build` and `tote play`: the seed's `make build` and `make play` against a stack.

By default they talk to the stack running on the data dir (URLs from its state file) and
use the seed's own files shipped with tote; `--statements`, `--connector`, payload files
and service URLs point them elsewhere (any ksqlDB / Connect / REST proxy will do).
One line per request; the exit code is 1 if any request failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from tote.cli.errors import user_errors
from tote.core.config import load_config
from tote.seed import SeedClient, StepResult, load_connector, load_payloads, load_statements
from tote.stack.endpoints import running_endpoints

Home = Annotated[Path | None, typer.Option("--home", help="Data directory (TOTE_HOME).")]


def print_step(console: Console, result: StepResult) -> None:
    mark, style = (("✗", "bold red") if not result.ok else
                   ("•", "yellow") if result.skipped else ("✓", "green"))
    line = Text(f"  {mark} ", style=style)
    line.append(result.step)
    line.append(f": {result.detail}", style="dim" if result.ok else "red")
    console.print(line, soft_wrap=True)


def print_steps(console: Console, results: Iterable[StepResult]) -> list[StepResult]:
    done = []
    for result in results:
        print_step(console, result)
        done.append(result)
    return done


def stack_url(home: Path | None, service: str, given: str | None) -> str:
    if given:
        return given
    return running_endpoints(load_config({"home": home}).home).url(service)


def run_build(console: Console, client: SeedClient, statements: Path | None,
              connector: Path | None) -> bool:
    """Post every statement, then the connector; False if a request failed."""
    texts = load_statements(statements)
    connector_file = load_connector(connector)
    console.print(f"ksqlDB {client.ksqldb_url}: {len(texts)} statements", highlight=False)
    results = print_steps(console, client.run_statements(texts))
    if not all(r.ok for r in results):
        return False
    console.print(f"Connect {client.connect_url}: {connector_file.name}", highlight=False)
    return print_steps(console, [client.create_connector(connector_file)])[0].ok


def run_play(console: Console, client: SeedClient, payloads: list[Path] | None) -> int | None:
    """Post each payload in order; the number of bets produced, None if a request failed."""
    bodies = load_payloads(payloads)
    console.print(f"REST proxy {client.proxy_url}: {len(bodies)} payloads", highlight=False)
    total = 0
    for body in bodies:
        result = print_steps(console, [client.post_bets(body)])[0]
        if not result.ok:
            return None
        total += result.count
    return total


def build(
    *,
    statements: Annotated[Path | None, typer.Option(
        "--statements", help="ksqlDB statements to run (default: the seed's statements.sql).")
    ] = None,
    connector: Annotated[Path | None, typer.Option(
        "--connector", help="Connector to create (default: the seed's connect-jdbc-sink.json).")
    ] = None,
    ksqldb_url: Annotated[str | None, typer.Option(
        help="ksqlDB server (default: the running stack's).")] = None,
    connect_url: Annotated[str | None, typer.Option(
        help="Kafka Connect (default: the running stack's).")] = None,
    home: Home = None,
) -> None:
    """Run statements.sql against /ksql (one request per statement), then create the connector."""
    console = Console(highlight=False)
    with user_errors():
        client = SeedClient(ksqldb_url=stack_url(home, "ksqldb", ksqldb_url),
                            connect_url=stack_url(home, "connect", connect_url))
        with client:
            ok = run_build(console, client, statements, connector)
    raise typer.Exit(0 if ok else 1)


def play(
    payloads: Annotated[list[Path] | None, typer.Argument(
        help="Payload files to post (default: the seed's post_bets.payload.json, then "
             "post_bets_large.payload.json).")] = None,
    rest_proxy_url: Annotated[str | None, typer.Option(
        help="REST proxy (default: the running stack's).")] = None,
    home: Home = None,
) -> None:
    """POST the seed's bet batches to /topics/tote_win_bets through the REST proxy."""
    console = Console(highlight=False)
    with user_errors(), SeedClient(
            proxy_url=stack_url(home, "rest-proxy", rest_proxy_url)) as client:
        total = run_play(console, client, payloads)
    if total is None:
        raise typer.Exit(1)
    console.print(f"Posted {total} bets.")
