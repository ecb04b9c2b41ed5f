"""`tote demo`: the seed end to end, unattended — up, build, play, then the odds table.

It starts the stack in the background (or uses the one already running on the data
dir), runs the seed's build and play steps, shows progress until every odds row is in
PostgreSQL and prints them. The stack is left running for exploring (the tote board,
`tote sql`), or stopped with `--stop`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tote.cli.errors import user_errors
from tote.cli.seed import run_build, run_play
from tote.cli.stack import plan_up, start_detached
from tote.core.config import load_config
from tote.seed import ODDS_TABLE, SeedClient
from tote.seed.files import ODDS_COLUMNS
from tote.stack.control import stop_stack
from tote.stack.endpoints import Endpoints, running_endpoints
from tote.stack.errors import StackNotRunning
from tote.stack.odds import OddsReader
from tote.stack.plan import DEFAULT_STARTUP_TIMEOUT_S

DEFAULT_WAIT_S = 120.0


def _cell(column: str, value: Any) -> str:
    if value is None:
        return "null"
    if column == "ODDS":
        return repr(round(float(value), 7))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def odds_table(rows: list[tuple[Any, ...]]) -> Table:
    table = Table(title=f"{ODDS_TABLE} (PostgreSQL)", title_justify="left")
    for column in ODDS_COLUMNS:
        table.add_column(column, justify="right")
    for row in rows:
        table.add_row(*(_cell(c, v) for c, v in zip(ODDS_COLUMNS, row, strict=True)))
    return table


def _ensure_stack(console: Console, home: Path | None) -> Endpoints:
    where = load_config({"home": home}).home
    try:
        endpoints = running_endpoints(where)
    except StackNotRunning:
        start_detached(console, plan_up({"home": home}, DEFAULT_STARTUP_TIMEOUT_S),
                       instructions=False)
        return running_endpoints(where)
    console.print(f"Using the stack already running on {endpoints.home}.")
    return endpoints


def _wait_for_odds(console: Console, reader: OddsReader, target: int, timeout_s: float) -> None:
    columns = (TextColumn("Waiting for the odds in PostgreSQL"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("odds", total=target)
        reader.wait_for(target, timeout_s, lambda n: progress.update(task, completed=n))


def _instructions(console: Console, endpoints: Endpoints) -> None:
    ksqldb = endpoints.url("ksqldb")
    sql = "tote sql" if ksqldb.endswith(":8088") else f"tote sql --server {ksqldb}"
    lines = [
        f"The stack keeps running on {endpoints.home}:",
        f"  tote board + database browser  {endpoints.url('ui')}/",
        f"  ksqlDB                         {ksqldb}",
        f"  REST proxy                     {endpoints.url('rest-proxy')}",
        f"  Schema Registry                {endpoints.url('schema-registry')}",
        f"  Kafka Connect                  {endpoints.url('connect')}",
        f"  PostgreSQL                     {endpoints.database_url}",
        f"Watch the odds live: `{sql}`, then "
        f"SELECT * FROM {ODDS_TABLE} WHERE race_id = 0 EMIT CHANGES;",
        "More bets: `tote play`. Stop it: `tote down` (`tote prune` deletes its data).",
    ]
    for line in lines:
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def demo(
    *,
    stop: Annotated[bool, typer.Option(
        "--stop", help="Stop the stack at the end instead of leaving it running.")] = False,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=1, help="Seconds to wait for the odds rows.")] = DEFAULT_WAIT_S,
    home: Annotated[Path | None, typer.Option("--home", help="Data directory (TOTE_HOME).")
                    ] = None,
) -> None:
    """The seed end to end: start the stack, build the pipeline, play the bets, show the odds."""
    console = Console(highlight=False)
    ok = False
    with user_errors():
        endpoints = _ensure_stack(console, home)
        try:
            ok = _run(console, endpoints, timeout)
        finally:
            if stop:
                stop_stack(endpoints.home)
                console.print(f"Stopped the stack on {endpoints.home}.")
    if not ok:
        raise typer.Exit(1)
    if not stop:
        _instructions(console, endpoints)


def _run(console: Console, endpoints: Endpoints, timeout_s: float) -> bool:
    client = SeedClient(ksqldb_url=endpoints.url("ksqldb"),
                        connect_url=endpoints.url("connect"),
                        proxy_url=endpoints.url("rest-proxy"))
    with client, OddsReader(endpoints.database_url, endpoints.aliases) as reader:
        if not run_build(console, client, None, None):
            return False
        before = reader.count()
        bets = run_play(console, client, None)
        if bets is None:
            return False
        _wait_for_odds(console, reader, before + bets, timeout_s)
        console.print(odds_table(reader.last(bets)))
        if before:
            console.print(f"(The data dir already held {before} odds rows: these odds include "
                          f"earlier bets. `tote down && tote prune --yes` starts afresh.)")
    return True
