"""`tote up` and `tote down`: start the whole stack (foreground or detached) and stop it.

Every user error is one `Error: ...` line on stderr and exit code 1, checked before
anything starts where possible (ports taken, unknown backend, a stack already running).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tote.cli import stack_info
from tote.cli.errors import user_errors
from tote.cli.stack_table import print_services
from tote.core.config import load_config
from tote.stack.control import stop_stack, supervisor_alive
from tote.stack.daemon import spawn_daemon, wait_for_daemon
from tote.stack.errors import StackRunning
from tote.stack.paths import StackPaths
from tote.stack.plan import DEFAULT_STARTUP_TIMEOUT_S, StackPlan, make_plan
from tote.stack.services import DATABASE
from tote.stack.state import StackState, load_state
from tote.stack.supervisor import Supervisor

Home = Annotated[Path | None, typer.Option("--home", help="Data directory (TOTE_HOME).")]


def state_rows(state: StackState) -> list[dict[str, object]]:
    return [dataclasses.asdict(row) for row in state.services]


def _print_ready(console: Console, state: StackState, detached: bool) -> None:
    print_services(console, state_rows(state), title=f"tote stack on {state.home}")
    typer.echo(f"Database: {state.database_url}")
    if detached:
        typer.echo("Running in the background: `tote status`, `tote logs -f`, `tote down`.")
    else:
        typer.echo("Press Ctrl-C to stop the stack.")


def up(
    *,
    detach: Annotated[bool, typer.Option("--detach", "-d",
                                         help="Run the stack in the background.")] = False,
    home: Home = None,
    backend: Annotated[str | None, typer.Option(
        "--backend", help="sqlite (embedded, default) or kafka (TOTE_BACKEND).")] = None,
    bootstrap_servers: Annotated[str | None, typer.Option(
        "--bootstrap-servers", help="Kafka bootstrap servers (TOTE_BOOTSTRAP_SERVERS).")] = None,
    db_url: Annotated[str | None, typer.Option(
        "--db-url", help="Use this PostgreSQL (postgresql://...) instead of the embedded one "
                         "(TOTE_DB_URL).")] = None,
    host: Annotated[str | None, typer.Option(
        "--host", help="Interface the services listen on (TOTE_HOST).")] = None,
    registry_port: Annotated[int | None, typer.Option(
        "--registry-port", "--schema-registry-port",
        help="Schema Registry port (default 8081).")] = None,
    proxy_port: Annotated[int | None, typer.Option(
        "--proxy-port", "--rest-proxy-port", help="REST Proxy port (default 8082).")] = None,
    connect_port: Annotated[int | None, typer.Option(
        "--connect-port", help="Kafka Connect port (default 8083).")] = None,
    ksqldb_port: Annotated[int | None, typer.Option(
        "--ksqldb-port", help="ksqlDB server port (default 8088).")] = None,
    ui_port: Annotated[int | None, typer.Option(
        "--ui-port", help="Web UI port (default 8080).")] = None,
    tote_port: Annotated[int | None, typer.Option(
        "--tote-port", help="Tote service port: bets and races (default 8090).")] = None,
    db_port: Annotated[int | None, typer.Option(
        "--db-port", help="Embedded PostgreSQL port (default 5432, or a free one).")] = None,
    timeout: Annotated[float, typer.Option(
        "--timeout", min=1,
        help="Seconds to wait for every service to answer.")
    ] = DEFAULT_STARTUP_TIMEOUT_S,
) -> None:
    """Start the whole stack: every service, sharing the data dir's log, plus PostgreSQL."""
    console = Console()
    with user_errors():
        plan = plan_up({
            "home": home, "backend": backend, "bootstrap_servers": bootstrap_servers,
            "db_url": db_url, "host": host, "registry_port": registry_port,
            "proxy_port": proxy_port, "connect_port": connect_port, "ksqldb_port": ksqldb_port,
            "ui_port": ui_port, "tote_port": tote_port, "db_port": db_port,
        }, timeout)
        if detach:
            start_detached(console, plan)
            return
        supervisor = Supervisor(plan, detached=False, echo=lambda message: console.print(
            message, style="dim", markup=False, highlight=False, soft_wrap=True))
        code = supervisor.run(on_ready=lambda state: _print_ready(console, state, False))
    raise typer.Exit(code)


def plan_up(overrides: dict[str, object], timeout: float) -> StackPlan:
    """Resolve and check what `tote up` will run; StackRunning if a stack runs there."""
    config = load_config(overrides)
    paths = StackPaths.of(config.home)
    previous = load_state(paths.state_file)
    if supervisor_alive(previous, paths):
        raise StackRunning(f"A stack is already running on {paths.home}; "
                           f"stop it with `tote down` first.")
    db_row = previous.service(DATABASE) if previous is not None else None
    return make_plan(config, startup_timeout_s=timeout,
                     previous_db_port=db_row.port if db_row is not None else None)


def start_detached(console: Console, plan: StackPlan, *, instructions: bool = True
                   ) -> StackState:
    """Start the background supervisor, show progress until the stack is up, print it."""
    daemon = spawn_daemon(plan)
    try:
        with console.status("Starting the stack..."):
            state = wait_for_daemon(daemon, plan)
    except KeyboardInterrupt:
        typer.echo("Interrupted: stopping the stack.")
        stop_stack(plan.home)
        raise typer.Exit(130) from None
    if instructions:
        _print_ready(console, state, True)
    else:
        print_services(console, state_rows(state), title=f"tote stack on {state.home}")
    return state


def down(home: Home = None) -> None:
    """Stop the stack running on the data dir (from any shell)."""
    with user_errors():
        config = load_config({"home": home})
        result = stop_stack(config.home)
    where = StackPaths.of(config.home).home
    if result.stopped_leftovers:
        typer.echo(f"Stopped what a dead supervisor left running: "
                   f"{', '.join(result.stopped_leftovers)}.")
    if result.was_running:
        typer.echo(f"Stopped the stack on {where}.")
    elif not result.stopped_leftovers:
        typer.echo(f"No stack is running on {where}.")


def register(cli: typer.Typer) -> None:
    """Mount the stack commands at the top level of `tote`."""
    cli.command("up")(up)
    cli.command("down")(down)
    cli.command("status")(stack_info.status)
    cli.command("logs")(stack_info.logs)
    cli.command("prune")(stack_info.prune)
    from tote.cli import demo, seed

    cli.command("build")(seed.build)
    cli.command("play")(seed.play)
    cli.command("demo")(demo.demo)
