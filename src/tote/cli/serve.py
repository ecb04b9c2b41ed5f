"""`tote serve <service>`: run one service of the stack in the foreground.

Each service opens the log named by `--home` / `--backend` (or `TOTE_*`, or tote.toml),
answers HTTP only once it has replayed its internal topic, and stops on Ctrl-C. Several
copies may run on one data dir; they share nothing but the log.
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import os
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tote.cli.errors import user_errors
from tote.cli.ranges import (
    JAVA_INT_MAX,
    MAX_SESSION_TIMEOUT_MS,
    above_zero,
    heartbeat_below_session,
)
from tote.core.config import Config, load_config
from tote.core.errors import ToteError
from tote.core.listen import dial_host, host_port

if TYPE_CHECKING:
    from tote.log.base import Log

app = typer.Typer(help="Run one service of the stack in the foreground.", no_args_is_help=True)

Home = Annotated[Path | None, typer.Option("--home", help="Data directory (TOTE_HOME).")]
Backend = Annotated[
    str | None, typer.Option("--backend", help="sqlite, memory or kafka (TOTE_BACKEND).")
]
Bootstrap = Annotated[
    str | None,
    typer.Option("--bootstrap-servers", help="Kafka bootstrap servers (TOTE_BOOTSTRAP_SERVERS)."),
]
Host = Annotated[str | None, typer.Option("--host", help="Interface to listen on (TOTE_HOST).")]


def _setup_logging() -> None:
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@contextmanager
def _service_log(port_field: str, port: int | None, *, host: str | None, home: Path | None,
                 backend: str | None, bootstrap_servers: str | None
                 ) -> Iterator[tuple[Config, Log, socket.socket]]:
    """The config (`port` set as `port_field`), open log and listening socket every
    service starts from.

    The port is taken first, as `tote up` checks it: taken, or a host that cannot be
    listened on, exits like `user_errors` before anything is opened or written. Config
    and open errors exit the same way; the log closes when the service stops. A ToteError
    from the body (the service's start, or its app's lifespan startup, which `run_app` and
    `run_hyper_app` re-raise) is `Error: <service> could not start: <reason>`, exit 1.
    """
    from tote.log.open import open_log
    from tote.stack.ports import claim_port
    from tote.stack.services import SERVICES

    _setup_logging()
    with user_errors():
        config = load_config({"home": home, "backend": backend, "host": host,
                              "bootstrap_servers": bootstrap_servers, port_field: port})
        spec = next(s for s in SERVICES if s.port_field == port_field)
        sock = claim_port(config.host, getattr(config, port_field), spec, "--port")
        try:
            log = open_log(config)
        except BaseException:
            sock.close()
            raise
    lost = _stop_when_file_lost(log)
    try:
        yield config, log, sock
    except KeyboardInterrupt:
        if not lost:
            raise
    except ToteError as exc:
        typer.echo(f"Error: {spec.name} could not start: {exc.message}", err=True)
        raise typer.Exit(1) from None
    finally:
        sock.close()
        log.close()
    if lost:  # the last line, for `tote status` (stack.members.last_error_line)
        typer.echo(f"Error: {lost[0].message}", err=True)
        raise typer.Exit(1)


def _stop_when_file_lost(log: Log) -> list[ToteError]:
    """Should the SQLite log's file be deleted or replaced, stop the service as Ctrl-C
    does (every server shuts down gracefully on SIGINT, answering the requests under way)
    and exit 1 with the reason: its writes now fail, and a restart opens the file at the
    path. The list receives that reason."""
    from tote.log.sqlite import SqliteLog

    lost: list[ToteError] = []
    if isinstance(log, SqliteLog):
        def stop(error: ToteError) -> None:
            if not lost:
                lost.append(error)
                os.kill(os.getpid(), signal.SIGINT)

        log.on_file_lost(stop)
    return lost


def _instance_id(host: str, port: int) -> str:
    """A ksqlDB server's identity among those sharing its queries (its group members and
    transactional producer are named after it): unique across the machines that share a
    Kafka cluster, and the same when the server restarts, so the new one fences the old."""
    try:
        local = ipaddress.ip_address(host)
        shared = local.is_loopback or local.is_unspecified
    except ValueError:
        shared = host == "localhost"
    return f"{socket.gethostname() if shared else host}:{port}"


@app.command("schema-registry")
def schema_registry(
    port: Annotated[int | None, typer.Option(
        "--port", help="Port to listen on (default 8081, TOTE_REGISTRY_PORT).")] = None,
    host: Host = None,
    home: Home = None,
    backend: Backend = None,
    bootstrap_servers: Bootstrap = None,
) -> None:
    """Confluent's Schema Registry API, backed by the `_schemas` topic of the log."""
    from tote.http.common import run_app
    from tote.http.registry_api import create_registry_app
    from tote.registry import Registry

    with _service_log("registry_port", port, host=host, home=home, backend=backend,
                      bootstrap_servers=bootstrap_servers) as (_, log, sock):
        run_app(create_registry_app(Registry(log)), sock)


@app.command("rest-proxy")
def rest_proxy(
    *,
    port: Annotated[
        int | None,
        typer.Option("--port", help="Port to listen on (default 8082, TOTE_PROXY_PORT)."),
    ] = None,
    host: Host = None,
    schema_registry_url: Annotated[
        str | None,
        typer.Option(help="Use this Schema Registry (default: one in this process, same log)."),
    ] = None,
    consumer_instance_timeout_ms: Annotated[int, typer.Option(
        min=1, max=JAVA_INT_MAX, help="Idle consumer instances expire after this long.")
    ] = 300_000,
    consumer_request_timeout_ms: Annotated[int, typer.Option(
        min=0, max=JAVA_INT_MAX, help="How long GET .../records waits for data by default.")
    ] = 1_000,
    access_log: Annotated[
        bool, typer.Option(help="Log every request (costs CPU under heavy load).")
    ] = True,
    home: Home = None,
    backend: Backend = None,
    bootstrap_servers: Bootstrap = None,
) -> None:
    """Confluent's REST Proxy (kafka-rest v2 and v3 basics): produce and consume over HTTP."""
    from tote.http.common import run_app
    from tote.http.proxy_api import create_app
    from tote.proxy.instance import ConsumerSettings
    from tote.proxy.service import RestProxy
    from tote.registry.source import schema_source_for

    settings = ConsumerSettings(instance_timeout_ms=consumer_instance_timeout_ms,
                                request_timeout_ms=consumer_request_timeout_ms)
    with (
        _service_log("proxy_port", port, host=host, home=home, backend=backend,
                     bootstrap_servers=bootstrap_servers) as (_, log, sock),
        schema_source_for(log, schema_registry_url) as schemas,
    ):
        proxy = RestProxy(log, schemas, consumer_settings=settings)
        # The cyclic GC out of the way of produce batches: each one's JSON is thousands
        # of dicts (freed by reference counting), which at the default thresholds set off
        # collections that walk every start-up object (frozen here) and every batch in
        # flight, again and again: half the cost of parsing a batch.
        gc.freeze()
        gc.set_threshold(50_000, 10, 10)
        run_app(create_app(proxy), sock, access_log=access_log, fast_io=True)


@app.command("connect")
def connect(
    *,
    port: Annotated[int | None, typer.Option(
        "--port", help="Port to listen on (default 8083, TOTE_CONNECT_PORT).")] = None,
    host: Host = None,
    worker_id: Annotated[str | None, typer.Option(
        help="This worker's id in statuses (default HOST:PORT).")] = None,
    session_timeout_ms: Annotated[int, typer.Option(
        min=1, max=MAX_SESSION_TIMEOUT_MS,
        help="A worker silent this long is dead; others take over its tasks.")] = 10_000,
    heartbeat_ms: Annotated[int, typer.Option(
        min=1, help="How often this worker says it lives (below --session-timeout-ms).")
    ] = 3_000,
    home: Home = None,
    backend: Backend = None,
    bootstrap_servers: Bootstrap = None,
) -> None:
    """Kafka Connect's REST API and a worker running the JDBC sink over the log."""
    from tote.connect.worker import Worker, WorkerSettings
    from tote.core.host_aliases import host_aliases_from_env
    from tote.core.tuning import tune_gc_for_streaming
    from tote.http.common import run_app
    from tote.http.connect_api import create_connect_app

    heartbeat_below_session(heartbeat_ms, session_timeout_ms)
    with _service_log("connect_port", port, host=host, home=home, backend=backend,
                      bootstrap_servers=bootstrap_servers) as (config, log, sock):
        with user_errors():
            aliases = {"db": _database_endpoint(config.db_url, config.db_port, config.host),
                       **host_aliases_from_env()}
        # As Kafka Connect's: its advertised URL's host and port (`[::1]:8083` for IPv6).
        identity = worker_id or host_port(dial_host(config.host), config.connect_port)
        settings = WorkerSettings(worker_id=identity, url=f"http://{identity}",
                                  host_aliases=aliases, session_timeout_ms=session_timeout_ms,
                                  heartbeat_ms=heartbeat_ms)
        tune_gc_for_streaming()
        run_app(create_connect_app(Worker(log, settings)), sock)


def _database_endpoint(db_url: str, db_port: int, host: str) -> str:
    """Where the seed's `db` host points: `--db-url`'s host and port, else db_port where a
    stack's embedded database listens, on the stack's host (as `tote up` dials it)."""
    from urllib.parse import urlsplit

    if db_url:
        parts = urlsplit(db_url.removeprefix("jdbc:"))
        if parts.hostname:
            return host_port(parts.hostname, parts.port or db_port)
    return host_port(dial_host(host), db_port)


@app.command("ksqldb")
def ksqldb(
    *,
    port: Annotated[int | None, typer.Option(
        "--port", help="Port to listen on (default 8088, TOTE_KSQLDB_PORT).")] = None,
    host: Host = None,
    service_id: Annotated[str | None, typer.Option(
        help="ksql.service.id: servers with the same id share one command topic "
        "(default: the --config-file's, else default_).")] = None,
    max_push_queries: Annotated[int | None, typer.Option(
        min=0, max=JAVA_INT_MAX, help="ksql.max.push.queries: how many push queries may "
        "run at once; one more is refused (default 100).")] = None,
    connect_url: Annotated[str | None, typer.Option(
        help="ksql.connect.url: the Kafka Connect the connector statements use "
        "(default: TOTE_CONNECT_PORT on this host).")] = None,
    config_file: Annotated[Path | None, typer.Option(
        help="A ksqlDB server properties file (as ksql-server-start takes): its ksql.* and "
        "streams configs are server properties; the options above override it.")] = None,
    home: Home = None,
    backend: Backend = None,
    bootstrap_servers: Bootstrap = None,
) -> None:
    """ksqlDB's REST API and engine; statements go through the log's command topic."""
    from tote.core.tuning import tune_gc_for_streaming
    from tote.http.hyper import run_hyper_app
    from tote.http.ksql_api import create_ksql_app
    from tote.poolsql import with_tote_functions
    from tote.registry import Registry
    from tote.sql.server import KsqlServer

    file_properties = _ksql_server_file(config_file)
    with _service_log("ksqldb_port", port, host=host, home=home, backend=backend,
                      bootstrap_servers=bootstrap_servers) as (config, log, sock):
        registry = Registry(log)
        try:
            registry.start()
            # Servers of one service id share the queries' work through consumer groups
            # on a shared log (the embedded SQLite file or Kafka), as Kafka Streams
            # instances do; a memory log is this process's alone.
            instance = (_instance_id(config.host, config.ksqldb_port)
                        if config.backend in ("sqlite", "kafka") else None)
            # The tote domain's TOTE_ functions come with the built-ins (pools.sql).
            # The file's configs, then the options, which win as ksqlDB's overrides do.
            properties: dict[str, object] = dict(file_properties)
            if service_id is not None or "ksql.service.id" not in properties:
                properties["ksql.service.id"] = service_id or "default_"
            if max_push_queries is not None:  # a server property, as in ksqlDB's file
                properties["ksql.max.push.queries"] = max_push_queries
            # ksqlDB's default is localhost:8083, Connect's port; here the stack's Connect.
            if connect_url is not None or "ksql.connect.url" not in properties:
                properties["ksql.connect.url"] = (connect_url or "http://" + host_port(
                    dial_host(config.host), config.connect_port)).rstrip("/")
            server = KsqlServer(log, registry, properties=properties,
                                instance_id=instance, functions=with_tote_functions())
            # Queries allocate a few short-lived tuples per record and operator.
            tune_gc_for_streaming()
            run_hyper_app(create_ksql_app(server), sock,
                          before_shutdown=server.close_push_queries)
        finally:
            registry.close()


def _ksql_server_file(path: Path | None) -> dict[str, str]:
    """The server properties of `--config-file` (none without it). A file that cannot be
    read, or a ksqlDB config in it with a bad value, exits like `user_errors`; keys that
    are no ksqlDB config are ignored with a warning, as ksqlDB does."""
    from tote.sql.server_file import load_server_file

    if path is None:
        return {}
    _setup_logging()
    with user_errors():
        loaded = load_server_file(path)
    if loaded.ignored:
        logging.getLogger(__name__).warning(
            "%s: ignoring keys that are no ksqlDB config: %s", path, ", ".join(loaded.ignored))
    return loaded.properties


@app.command("ui")
def ui(
    *,
    port: Annotated[int | None, typer.Option(
        "--port", help="Port to listen on (default 8080, TOTE_UI_PORT).")] = None,
    host: Host = None,
    schema_registry_url: Annotated[str | None, typer.Option(
        help="Schema Registry (default: TOTE_REGISTRY_PORT on this host).")] = None,
    ksqldb_url: Annotated[str | None, typer.Option(
        help="ksqlDB server (default: TOTE_KSQLDB_PORT on this host).")] = None,
    connect_url: Annotated[str | None, typer.Option(
        help="Kafka Connect (default: TOTE_CONNECT_PORT on this host).")] = None,
    rest_proxy_url: Annotated[str | None, typer.Option(
        help="REST Proxy (default: TOTE_PROXY_PORT on this host).")] = None,
    db_url: Annotated[str | None, typer.Option(
        help="Sink database, postgresql://, mysql://, sqlite:/// or jdbc: URL "
             "(default: TOTE_DB_URL, else the stack's PostgreSQL).")] = None,
    board_source: Annotated[str, typer.Option(
        help="Live odds from 'ksqldb' (push query), 'log' (the odds topic), or 'auto'.")
    ] = "auto",
    home: Home = None,
    backend: Backend = None,
    bootstrap_servers: Bootstrap = None,
) -> None:
    """The web UI: live tote board, database browser and stack view (adminer's port)."""
    from tote.core.host_aliases import host_aliases_from_env
    from tote.http.common import run_app
    from tote.ui.app import create_ui_app
    from tote.ui.settings import ui_settings

    with _service_log("ui_port", port, host=host, home=home, backend=backend,
                      bootstrap_servers=bootstrap_servers) as (config, log, sock):
        with user_errors():
            settings = ui_settings(config, host_aliases_from_env(),
                                   registry_url=schema_registry_url, ksqldb_url=ksqldb_url,
                                   connect_url=connect_url, proxy_url=rest_proxy_url,
                                   db_url=db_url, board_source=board_source)
        run_app(create_ui_app(settings, log), sock)


@app.command("tote")
def tote(
    *,
    port: Annotated[int | None, typer.Option(
        "--port", help="Port to listen on (default 8090, TOTE_TOTE_PORT).")] = None,
    host: Host = None,
    partitions: Annotated[int, typer.Option(
        min=1, help="Partitions of the tote topics, when this service creates them.")] = 4,
    sequence: Annotated[bool, typer.Option(
        help="Run a sequencer here (--no-sequence: only take requests).")] = True,
    member_id: Annotated[str | None, typer.Option(
        help="This sequencer's id in its group (default HOST:PORT).")] = None,
    session_timeout_ms: Annotated[int, typer.Option(
        min=1, max=MAX_SESSION_TIMEOUT_MS,
        help="A sequencer silent this long loses its partitions to the others.")] = 10_000,
    reply_timeout_s: Annotated[float, typer.Option(
        callback=above_zero, help="How long a request waits for the sequencer's answer.")
    ] = 10.0,
    retry_for_s: Annotated[float, typer.Option(
        min=0, help="How long the sequencer retries a failing log before the service exits "
             "(non-zero, for its supervisor to restart it).")] = 10.0,
    home: Home = None,
    backend: Backend = None,
    bootstrap_servers: Bootstrap = None,
) -> None:
    """Bet intake and race lifecycle: commands go through the log to the sequencer."""
    import threading

    from tote.core.tuning import tune_gc_for_streaming
    from tote.http.common import run_app
    from tote.http.tote_api import create_tote_app
    from tote.pools.service import ToteService
    from tote.registry import Registry

    with _service_log("tote_port", port, host=host, home=home, backend=backend,
                      bootstrap_servers=bootstrap_servers) as (config, log, sock):
        # Stable across restarts, so a restarted service takes its partitions back at once
        # (and fences the process it replaces) instead of waiting out the session timeout.
        identity = member_id or _instance_id(config.host, config.tote_port)
        failed = threading.Event()  # set when the service cannot go on: stop serving
        service = ToteService(log, Registry(log), partitions=partitions, sequence=sequence,
                              member_id=identity, session_timeout_ms=session_timeout_ms,
                              reply_timeout_s=reply_timeout_s, retry_for_s=retry_for_s,
                              on_failure=lambda _: failed.set())
        # Every bet allocates a few short-lived objects in each thread it passes through.
        tune_gc_for_streaming()
        run_app(create_tote_app(service), sock, fast_io=True, stop=failed)
        if service.failure is not None:
            typer.echo(f"Error: tote serve tote exits: {service.failure}", err=True)
            raise typer.Exit(1)
