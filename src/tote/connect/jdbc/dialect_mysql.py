"""MySQL and MariaDB through PyMySQL: multi-row INSERTs, ON DUPLICATE KEY UPDATE upserts.

String key columns are VARCHAR(255), not TEXT: MySQL refuses a TEXT column in a primary
key without a prefix length, which makes Confluent's own DDL fail (spec §5.3 notes this
as a known upstream limitation); value columns stay TEXT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.dialects import mysql
from sqlalchemy.dialects.mysql import pymysql as sa_pymysql
from sqlalchemy.engine import URL, Engine
from sqlalchemy.engine import Dialect as SaDialect
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from tote.connect.data import DATE, DECIMAL, TIME, TIMESTAMP, Schema, Type
from tote.connect.errors import ConnectException
from tote.connect.jdbc.dialect import Dialect, TableId
from tote.connect.jdbc.urls import JdbcTarget

_FOUND_ROWS = 2  # pymysql.constants.CLIENT.FOUND_ROWS: UPDATE counts matched rows
_TYPES: dict[Type, TypeEngine[Any]] = {
    Type.INT8: mysql.TINYINT(), Type.INT16: mysql.SMALLINT(), Type.INT32: mysql.INTEGER(),
    Type.INT64: mysql.BIGINT(), Type.FLOAT32: mysql.FLOAT(), Type.FLOAT64: mysql.DOUBLE(),
    Type.BOOLEAN: mysql.TINYINT(), Type.STRING: mysql.TEXT(),
    Type.BYTES: mysql.VARBINARY(1024),
}


class MySqlDialect(Dialect):
    name = "MySqlDatabaseDialect"
    kind = "mysql"

    def sa_dialect(self) -> SaDialect:
        return sa_pymysql.dialect()

    def engine(self, target: JdbcTarget, user: str | None, password: str | None,
               timeout_s: int) -> Engine:
        url = URL.create("mysql+pymysql", username=user or target.params.get("user"),
                         password=password or target.params.get("password"),
                         host=target.host, port=target.port, database=target.database or None,
                         query={"charset": "utf8mb4"})
        return create_engine(url, poolclass=NullPool, connect_args={
            "connect_timeout": timeout_s, "client_flag": _FOUND_ROWS})

    def column_type(self, schema: Schema, is_pk: bool) -> TypeEngine[Any]:
        name = schema.name
        if name == DECIMAL:
            return mysql.DECIMAL(65, schema.scale)
        if name == DATE:
            return mysql.DATE()
        if name == TIME:
            return mysql.TIME(fsp=3)
        if name == TIMESTAMP:
            return mysql.DATETIME(fsp=3)
        if schema.type is Type.STRING and is_pk:
            return mysql.VARCHAR(255)
        found = _TYPES.get(schema.type)
        if found is None:
            raise ConnectException(f"Unsupported type {schema.type.name}")
        return found

    def upsert_sql(self, table: TableId, keys: Sequence[str], others: Sequence[str]) -> str:
        columns = [*keys, *others]
        updates = others or keys[:1]
        assignments = ",".join(f"{self.quote(c)}=VALUES({self.quote(c)})" for c in updates)
        return (f"INSERT INTO {self.table_sql(table)} ({self._columns(columns)}) VALUES "
                f"({self._params(len(columns))}) ON DUPLICATE KEY UPDATE {assignments}")
