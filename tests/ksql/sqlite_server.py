"""A ksqlDB server (`tote.http.ksql_api`) on a free port over a SQLite log file, for the
tests that want the log a deployment runs on rather than the in-memory one."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from tests.ksql.conftest import WAIT, Ksql, wait_ready

from tote.http.hyper import HyperServerThread
from tote.http.ksql_api import create_ksql_app
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.server import KsqlServer


@contextmanager
def ksql_on_sqlite(directory: Path) -> Iterator[Ksql]:
    """A running server over `directory/tote.db`, closed on exit."""
    with SqliteLog(directory / "tote.db") as log, Registry(log) as registry:
        server = KsqlServer(log, registry)
        with HyperServerThread(create_ksql_app(server)) as thread, \
                httpx.Client(base_url=thread.url, timeout=WAIT) as client:
            wait_ready(client)
            yield Ksql(thread.url, log, registry, server, client)
