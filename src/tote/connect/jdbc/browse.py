"""A read-only window on a sink database: what the web UI's database browser shows.

Only `tote.connect.jdbc` talks to sink databases (DESIGN §3), so the UI asks this module
for tables (with columns and row counts), a page of rows (sorted, filtered), the result
of a read-only SQL statement, or a CSV stream, and gets plain dataclasses back.

Read-only twice over: `check_read_only` refuses anything but one SELECT-like statement
with a clear message, and every connection of the browser's engine is itself read-only
(PostgreSQL and MySQL session characteristics, SQLite `query_only`), so a statement the
check misses still cannot write. That guards against mistakes, not against the database
owner: the browser logs in with the sink's own credentials, as adminer did.

Results never load whole: rows come from a server-side cursor, a page at a time, and
CSV export streams in chunks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    MetaData,
    Table,
    create_engine,
    event,
    func,
    inspect,
    select,
)
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from tote.connect.jdbc.browse_filters import RowQuery, column_of, where_clause
from tote.connect.jdbc.browse_query import QueryFailed, column_names, error_text, open_cursor
from tote.connect.jdbc.browse_sql import check_read_only, first_word
from tote.connect.jdbc.urls import parse_jdbc_url
from tote.core.errors import BadRequest, NotFound, ToteError
from tote.core.host_aliases import rewrite_url

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
STATEMENT_TIMEOUT_MS = 15_000
CONNECT_TIMEOUT_S = 5
CSV_CHUNK_ROWS = 500


class DatabaseUnavailable(ToteError):
    """The sink database cannot be reached (not started, wrong URL, wrong password)."""

    error_code = 50300


class UnknownTable(NotFound):
    error_code = 40401


@dataclass(frozen=True, slots=True)
class ColumnInfo:
    name: str
    type: str
    nullable: bool
    primary_key: bool


@dataclass(frozen=True, slots=True)
class TableInfo:
    """A table as the browser lists it; `row_count` is None if counting failed."""

    name: str
    columns: tuple[ColumnInfo, ...]
    row_count: int | None


@dataclass(frozen=True, slots=True)
class RowPage:
    """One page of rows. `total` is the row count after filters (None for a SQL query,
    whose size is not known without running it to the end)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    page: int
    page_size: int
    has_next: bool
    total: int | None

    @property
    def first_row(self) -> int:
        """1-based number of the first row on this page (0 if the page is empty)."""
        return (self.page - 1) * self.page_size + 1 if self.rows else 0


def sqlalchemy_url(url: str, aliases: Mapping[str, str] | None = None) -> URL:
    """An SQLAlchemy URL for `jdbc:...`, `postgresql://`, `mysql://` or `sqlite:///...`.

    Seed host names (`db`) are replaced through the host alias table first.
    """
    text_ = url.strip()
    if text_.startswith("jdbc:"):
        target = parse_jdbc_url(text_, aliases)
        if target.kind == "sqlite":
            return URL.create("sqlite", database=target.path)
        driver = "postgresql+psycopg" if target.kind == "postgresql" else "mysql+pymysql"
        return URL.create(driver, username=target.params.get("user"),
                          password=target.params.get("password"), host=target.host,
                          port=target.port, database=target.database or None)
    try:
        parsed = make_url(rewrite_url(text_, aliases or {}))
    except ArgumentError:
        raise BadRequest(f"Not a database URL: '{url}'.") from None
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend in ("mysql", "mariadb"):
        return parsed.set(drivername="mysql+pymysql")
    if backend == "sqlite":
        return parsed
    raise BadRequest(f"Unsupported database URL '{url}': use postgresql://, mysql:// or "
                     "sqlite:///.")


def _read_only_engine(url: URL, *, user: str | None, password: str | None) -> Engine:
    """An engine whose every connection refuses writes and long-running statements."""
    backend = url.get_backend_name()
    if user and not url.username:
        url = url.set(username=user)
    if password and not url.password:
        url = url.set(password=password)
    if backend == "sqlite":
        engine = create_engine(url, pool_pre_ping=True)

        def sqlite_read_only(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.execute("PRAGMA query_only = ON")
        event.listen(engine, "connect", sqlite_read_only)
        return engine
    if backend == "postgresql":
        engine = create_engine(url, pool_size=3, max_overflow=3, pool_pre_ping=True,
                               connect_args={"connect_timeout": CONNECT_TIMEOUT_S,
                                             "application_name": "tote-ui",
                                             "options": "-c default_transaction_read_only=on"
                                                        f" -c statement_timeout="
                                                        f"{STATEMENT_TIMEOUT_MS}"})
        return engine
    engine = create_engine(url, pool_size=3, max_overflow=3, pool_pre_ping=True,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_S})

    def mysql_read_only(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cursor:
            cursor.execute("SET SESSION TRANSACTION READ ONLY")
            cursor.execute(f"SET SESSION MAX_EXECUTION_TIME = {STATEMENT_TIMEOUT_MS}")
    event.listen(engine, "connect", mysql_read_only)
    return engine


class DatabaseBrowser:
    """Tables, rows, read-only SQL and CSV over one sink database (thread-safe)."""

    def __init__(self, url: str, *, aliases: Mapping[str, str] | None = None,
                 user: str | None = None, password: str | None = None) -> None:
        self.url = sqlalchemy_url(url, aliases)
        self.engine = _read_only_engine(self.url, user=user, password=password)

    def describe(self) -> str:
        """Where the browser points, without the password."""
        return self.url.render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    # -- connections ----------------------------------------------------------------------

    def _connect(self) -> Connection:
        try:
            return self.engine.connect()
        except SQLAlchemyError as exc:
            raise DatabaseUnavailable(
                f"Cannot connect to the database {self.describe()}: {error_text(exc)}"
            ) from None

    # -- tables ---------------------------------------------------------------------------

    def table_names(self) -> list[str]:
        with self._connect() as conn:
            return sorted(inspect(conn).get_table_names())

    def _table(self, conn: Connection, name: str) -> Table:
        names = inspect(conn).get_table_names()
        if name not in names:
            known = ", ".join(sorted(names)) or "none"
            raise UnknownTable(f"Table '{name}' does not exist (tables: {known}).")
        return Table(name, MetaData(), autoload_with=conn)

    def tables(self) -> list[TableInfo]:
        """Every table of the default schema with its columns and row count."""
        with self._connect() as conn:
            names = sorted(inspect(conn).get_table_names())
            return [self._info(conn, self._table(conn, name)) for name in names]

    def table(self, name: str) -> TableInfo:
        with self._connect() as conn:
            return self._info(conn, self._table(conn, name))

    def _info(self, conn: Connection, table: Table) -> TableInfo:
        columns = tuple(ColumnInfo(c.name, str(c.type), bool(c.nullable), c.primary_key)
                        for c in table.columns)
        try:
            count = conn.execute(select(func.count()).select_from(table)).scalar_one()
        except SQLAlchemyError:
            conn.rollback()
            count = None
        return TableInfo(table.name, columns, count)

    # -- rows -----------------------------------------------------------------------------

    def rows(self, name: str, query: RowQuery | None = None, *, page: int = 1,
             page_size: int = DEFAULT_PAGE_SIZE) -> RowPage:
        """One page of a table's rows, sorted and filtered as `query` says."""
        query = query or RowQuery()
        page, page_size = max(1, page), max(1, min(page_size, MAX_PAGE_SIZE))
        with self._connect() as conn:
            table = self._table(conn, name)
            where = where_clause(table, query.filters or {})
            statement = select(table).where(where)
            if query.sort is not None:
                column = column_of(table, query.sort)
                statement = statement.order_by(column.desc() if query.descending
                                               else column.asc())
            elif table.primary_key.columns:
                statement = statement.order_by(*table.primary_key.columns)
            statement = statement.limit(page_size + 1).offset((page - 1) * page_size)
            try:
                total = conn.execute(
                    select(func.count()).select_from(table).where(where)).scalar_one()
                fetched = conn.execute(statement).fetchall()
            except SQLAlchemyError as exc:
                raise QueryFailed(error_text(exc)) from None
        rows = tuple(tuple(r) for r in fetched[:page_size])
        return RowPage(tuple(c.name for c in table.columns), rows, page, page_size,
                       len(fetched) > page_size, total)

    def query(self, sql: str, *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE) -> RowPage:
        """A page of a read-only statement's result, read from a server-side cursor.

        Earlier pages are skipped on the cursor, never held. WriteRefused (see
        `check_read_only`) before anything runs; QueryFailed with the database's message.
        """
        statement = check_read_only(sql)
        page, page_size = max(1, page), max(1, min(page_size, MAX_PAGE_SIZE))
        with self._connect() as conn:
            cursor = open_cursor(conn, statement, first_word(statement))
            try:
                columns = column_names(cursor)
                if not columns:
                    return RowPage((), (), page, page_size, False, None)
                skip = (page - 1) * page_size
                while skip > 0:
                    skipped = cursor.fetchmany(min(skip, 1000))
                    if not skipped:
                        break
                    skip -= len(skipped)
                fetched = cursor.fetchmany(page_size + 1)
            except self._driver_errors as exc:
                raise QueryFailed(error_text(exc, statement)) from None
            finally:
                cursor.close()
        rows = tuple(tuple(r) for r in fetched[:page_size])
        return RowPage(columns, rows, page, page_size, len(fetched) > page_size, None)

    @property
    def _driver_errors(self) -> tuple[type[BaseException], ...]:
        return (SQLAlchemyError, self.engine.dialect.loaded_dbapi.Error)

    # -- CSV ------------------------------------------------------------------------------

    def table_csv(self, name: str, query: RowQuery | None = None) -> Iterator[str]:
        """The whole (sorted, filtered) table as CSV text chunks; checks run before the
        first chunk is asked for, so a bad table or filter raises here, not mid-stream."""
        query = query or RowQuery()
        with self._connect() as conn:
            table = self._table(conn, name)
            statement = select(table).where(where_clause(table, query.filters or {}))
            if query.sort is not None:
                column = column_of(table, query.sort)
                statement = statement.order_by(column.desc() if query.descending
                                               else column.asc())
        return self._stream_csv(statement)

    def query_csv(self, sql: str) -> Iterator[str]:
        """A read-only statement's whole result as CSV chunks (streamed, not held)."""
        statement = check_read_only(sql)
        conn = self._connect()
        try:
            cursor = open_cursor(conn, statement, first_word(statement))
        except ToteError:
            conn.close()
            raise
        return _csv_chunks(conn, column_names(cursor), cursor.fetchmany, cursor.close)

    def _stream_csv(self, statement: Any) -> Iterator[str]:
        conn = self._connect()
        try:
            result = conn.execution_options(stream_results=True).execute(statement)
        except SQLAlchemyError as exc:
            conn.close()
            raise QueryFailed(error_text(exc)) from None
        return _csv_chunks(conn, tuple(result.keys()), result.fetchmany, result.close)


def _csv_chunks(conn: Connection, columns: tuple[str, ...], fetchmany: Callable[[int], Any],
                close: Callable[[], Any]) -> Iterator[str]:
    """Yield the header, then CSV_CHUNK_ROWS rows at a time; always closes `conn`."""
    try:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        while columns:
            rows = fetchmany(CSV_CHUNK_ROWS)
            if not rows:
                break
            writer.writerows([csv_value(v) for v in row] for row in rows)
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()
    finally:
        close()
        conn.close()


def csv_value(value: Any) -> Any:
    """How a database value is written in CSV: NULL is empty, bytes are hex."""
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    return value
