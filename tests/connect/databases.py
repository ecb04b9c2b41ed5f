"""The sink databases the Connect tests write to, behind one small interface.

* `SqliteDatabase` — a file in the test's tmp_path;
* `PostgresDatabase` — a fresh database on the session's embedded PostgreSQL;
* `MariaDatabase` — a fresh database on the MariaDB/MySQL at 127.0.0.1:3306 (root, no
  password), when there is one; tests that need it are skipped, with the reason, when
  there is not.

Each gives the JDBC URL and credentials for the connector, and reads back rows and
columns with the database's own driver.
"""

from __future__ import annotations

import itertools
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Protocol

import psycopg
import pymysql

from tote.embedded import EmbeddedPostgres

MARIADB_HOST, MARIADB_PORT = "127.0.0.1", 3306
# What the drivers raise, e.g. for a table that does not exist yet.
DB_ERRORS = (sqlite3.Error, psycopg.Error, pymysql.MySQLError)
_names = itertools.count()


class Database(Protocol):
    kind: str
    url: str
    user: str | None
    password: str | None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query; rows as tuples."""

    def execute(self, sql: str) -> None:
        """Run a statement and commit."""

    def columns(self, table: str) -> list[tuple[str, str, bool]]:
        """(name, type as the database reports it, nullable) in table order."""

    def quote(self, name: str) -> str: ...

    def close(self) -> None: ...


def rows_or_none(db: Database, sql: str) -> list[tuple[Any, ...]] | None:
    """The rows, or None while the table (or the file) does not exist yet."""
    try:
        return db.rows(sql)
    except DB_ERRORS:
        return None


def connector_config(db: Database, **extra: str) -> dict[str, str]:
    """The connection keys of a JDBC sink config for `db`, plus `extra`."""
    config = {"connection.url": db.url}
    if db.user is not None:
        config["connection.user"] = db.user
    if db.password is not None:
        config["connection.password"] = db.password
    config.update(extra)
    return config


class SqliteDatabase:
    kind = "sqlite"
    user = None
    password = None

    def __init__(self, path: Path) -> None:
        self.path = path
        self.url = f"jdbc:sqlite:{path}"

    def _conn(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with self._conn() as conn:
            return list(conn.execute(sql).fetchall())

    def execute(self, sql: str) -> None:
        with self._conn() as conn:
            conn.execute(sql)

    def columns(self, table: str) -> list[tuple[str, str, bool]]:
        info = self.rows(f"PRAGMA table_info({self.quote(table)})")
        return [(str(r[1]), str(r[2]), not r[3] and not r[5]) for r in info]

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def close(self) -> None:
        """Nothing to release."""


class PostgresDatabase:
    kind = "postgres"

    def __init__(self, server: EmbeddedPostgres, name: str | None = None) -> None:
        self.server = server
        self.name = name or f"t{next(_names)}"
        server.create_database(self.name)
        self.url = server.jdbc_url(self.name)
        self.user = server.user
        self.password = server.password
        self.dsn = server.dsn(self.name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.dsn) as conn:
            return list(conn.execute(sql).fetchall())

    def execute(self, sql: str) -> None:
        with psycopg.connect(self.dsn) as conn:
            conn.execute(sql)

    def columns(self, table: str) -> list[tuple[str, str, bool]]:
        found = self.rows(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            f"WHERE table_name = '{table}' ORDER BY ordinal_position")
        return [(str(n), str(t), v == "YES") for n, t, v in found]

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def close(self) -> None:
        """The session's server is stopped by its fixture."""


def mariadb_available() -> str | None:
    """None if a MariaDB/MySQL answers at 127.0.0.1:3306 as root, else why not."""
    try:
        pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="",
                        connect_timeout=3).close()
    except pymysql.MySQLError as exc:
        return f"no MariaDB/MySQL at {MARIADB_HOST}:{MARIADB_PORT} as root: {exc}"
    return None


class MariaDatabase:
    kind = "mariadb"
    user = "root"
    password = ""

    def __init__(self) -> None:
        # The server is the machine's, shared by every pytest process (xdist workers,
        # other sessions): a name unique to this process alone could be taken.
        self.name = f"tote_test_{uuid.uuid4().hex[:16]}"
        self.execute_admin(f"CREATE DATABASE `{self.name}`")
        self.url = f"jdbc:mariadb://{MARIADB_HOST}:{MARIADB_PORT}/{self.name}"

    @staticmethod
    def _connect(database: str | None) -> Any:
        return pymysql.connect(host=MARIADB_HOST, port=MARIADB_PORT, user="root", password="",
                               database=database, autocommit=True)

    def execute_admin(self, sql: str) -> None:
        conn = self._connect(None)
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        conn = self._connect(self.name)
        try:
            cursor = conn.cursor()
            cursor.execute(sql)
            return list(cursor.fetchall())
        finally:
            conn.close()

    def execute(self, sql: str) -> None:
        conn = self._connect(self.name)
        try:
            conn.cursor().execute(sql)
        finally:
            conn.close()

    def columns(self, table: str) -> list[tuple[str, str, bool]]:
        found = self.rows(
            "SELECT column_name, column_type, is_nullable FROM information_schema.columns "
            f"WHERE table_schema = '{self.name}' AND table_name = '{table}' "
            "ORDER BY ordinal_position")
        return [(str(n), str(t), v == "YES") for n, t, v in found]

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def close(self) -> None:
        self.execute_admin(f"DROP DATABASE IF EXISTS `{self.name}`")
