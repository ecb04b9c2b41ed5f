"""PostgreSQL through psycopg 3: COPY for plain inserts, ON CONFLICT for upserts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import psycopg as sa_psycopg
from sqlalchemy.engine import URL, Engine
from sqlalchemy.engine import Dialect as SaDialect
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from tote.connect.data import DATE, DECIMAL, TIME, TIMESTAMP, Schema, Type
from tote.connect.errors import ConnectException
from tote.connect.jdbc.dialect import Dialect, TableId
from tote.connect.jdbc.urls import JdbcTarget

_TYPES: dict[Type, TypeEngine[Any]] = {
    Type.INT8: postgresql.SMALLINT(), Type.INT16: postgresql.SMALLINT(),
    Type.INT32: postgresql.INTEGER(), Type.INT64: postgresql.BIGINT(),
    Type.FLOAT32: postgresql.REAL(), Type.FLOAT64: postgresql.DOUBLE_PRECISION(),
    Type.BOOLEAN: postgresql.BOOLEAN(), Type.STRING: postgresql.TEXT(),
    Type.BYTES: postgresql.BYTEA(),
}
_LOGICAL: dict[str, TypeEngine[Any]] = {
    DECIMAL: postgresql.NUMERIC(), DATE: postgresql.DATE(), TIME: postgresql.TIME(),
    TIMESTAMP: postgresql.TIMESTAMP(),
}


class PostgresDialect(Dialect):
    name = "PostgreSqlDatabaseDialect"
    kind = "postgresql"

    def sa_dialect(self) -> SaDialect:
        return sa_psycopg.dialect()  # type: ignore[no-untyped-call]

    def engine(self, target: JdbcTarget, user: str | None, password: str | None,
               timeout_s: int) -> Engine:
        url = URL.create("postgresql+psycopg", username=user or target.params.get("user"),
                         password=password or target.params.get("password"),
                         host=target.host, port=target.port, database=target.database)
        return create_engine(url, poolclass=NullPool, connect_args={
            "connect_timeout": timeout_s, "application_name": "tote-connect"})

    def stored_name(self, name: str) -> str:
        return name if self.quote_identifiers else name.lower()

    def bool_literal(self, value: bool) -> str:
        return "TRUE" if value else "FALSE"

    def column_type(self, schema: Schema, is_pk: bool) -> TypeEngine[Any]:
        if schema.name in _LOGICAL:
            return _LOGICAL[schema.name]
        if schema.type is Type.ARRAY:
            assert schema.value_schema is not None
            return postgresql.ARRAY(self.column_type(schema.value_schema, False))
        found = _TYPES.get(schema.type)
        if found is None:
            raise ConnectException(f"Unsupported type {schema.type.name}")
        return found

    def upsert_sql(self, table: TableId, keys: Sequence[str], others: Sequence[str]) -> str:
        columns = [*keys, *others]
        action = "DO NOTHING" if not others else "DO UPDATE SET " + ",".join(
            f"{self.quote(c)}=EXCLUDED.{self.quote(c)}" for c in others)
        return (f"INSERT INTO {self.table_sql(table)} ({self._columns(columns)}) VALUES "
                f"({self._params(len(columns))}) ON CONFLICT ({self._columns(keys)}) {action}")

    def bulk_insert(self, cursor: Any, table: TableId, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
        """COPY ... FROM STDIN: the fastest way into PostgreSQL, in the open transaction."""
        statement = f"COPY {self.table_sql(table)} ({self._columns(columns)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            write = copy.write_row
            for row in rows:
                write(row)
