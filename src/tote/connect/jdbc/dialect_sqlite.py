"""SQLite through the standard library's sqlite3.

Transactions start with `BEGIN IMMEDIATE` (SQLAlchemy's recipe for sqlite3 with its own
transaction handling switched off), so two tasks writing one file serialise and the
offsets compare-and-set holds. Date, time and timestamp values are stored as ISO-8601
text (the form SQLite's date functions read) in NUMERIC columns, decimals as text.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.engine import Dialect as SaDialect
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from tote.connect.data import DATE, DECIMAL, TIME, TIMESTAMP, Schema, Type
from tote.connect.errors import ConnectException
from tote.connect.jdbc.dialect import Binder, Dialect, TableId
from tote.connect.jdbc.urls import JdbcTarget

_BUSY_TIMEOUT_S = 30
_TYPES: dict[Type, TypeEngine[Any]] = {
    Type.INT8: sqlite.INTEGER(), Type.INT16: sqlite.INTEGER(), Type.INT32: sqlite.INTEGER(),
    Type.INT64: sqlite.INTEGER(), Type.FLOAT32: sqlite.REAL(), Type.FLOAT64: sqlite.REAL(),
    Type.BOOLEAN: sqlite.INTEGER(), Type.STRING: sqlite.TEXT(), Type.BYTES: sqlite.BLOB(),
}


def _begin_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _autocommit_driver(dbapi_connection: Any, record: Any) -> None:
    dbapi_connection.isolation_level = None


class SqliteDialect(Dialect):
    name = "SqliteDatabaseDialect"
    kind = "sqlite"
    placeholder = "?"

    def sa_dialect(self) -> SaDialect:
        return pysqlite.dialect()

    def engine(self, target: JdbcTarget, user: str | None, password: str | None,
               timeout_s: int) -> Engine:
        engine = create_engine(f"sqlite:///{target.path}", poolclass=NullPool,
                               connect_args={"timeout": _BUSY_TIMEOUT_S})
        event.listen(engine, "connect", _autocommit_driver)
        event.listen(engine, "begin", _begin_immediate)
        return engine

    def column_type(self, schema: Schema, is_pk: bool) -> TypeEngine[Any]:
        if schema.name in (DECIMAL, DATE, TIME, TIMESTAMP):
            return sqlite.NUMERIC()
        found = _TYPES.get(schema.type)
        if found is None:
            raise ConnectException(f"Unsupported type {schema.type.name}")
        return found

    def alter_table_sql(self, table: TableId, specs: Sequence[Any]) -> list[str]:
        """SQLite adds one column per ALTER TABLE statement."""
        statements: list[str] = []
        for spec in specs:
            statements += super().alter_table_sql(table, [spec])
        return statements

    def upsert_sql(self, table: TableId, keys: Sequence[str], others: Sequence[str]) -> str:
        columns = [*keys, *others]
        action = "DO NOTHING" if not others else "DO UPDATE SET " + ",".join(
            f"{self.quote(c)}=excluded.{self.quote(c)}" for c in others)
        return (f"INSERT INTO {self.table_sql(table)} ({self._columns(columns)}) VALUES "
                f"({self._params(len(columns))}) ON CONFLICT ({self._columns(keys)}) {action}")

    def binder(self, schema: Schema) -> Binder | None:
        name = schema.name
        if name == TIMESTAMP:
            zone = self.db_timezone

            def timestamp(value: Any) -> Any:
                if isinstance(value, datetime.datetime):
                    if value.tzinfo is not None:
                        value = value.astimezone(zone).replace(tzinfo=None)
                    return value.isoformat(sep=" ", timespec="milliseconds")
                return value
            return timestamp
        if name in (DATE, TIME):
            return _iso
        if name == DECIMAL:
            return _decimal_text
        if schema.type is Type.BOOLEAN:
            return _bool_int
        return None


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (datetime.date, datetime.time)) else value


def _decimal_text(value: Any) -> Any:
    return str(value) if isinstance(value, decimal.Decimal) else value


def _bool_int(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value
