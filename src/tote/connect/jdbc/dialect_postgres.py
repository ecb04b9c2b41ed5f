"""PostgreSQL through psycopg 3: COPY for plain inserts, ON CONFLICT for upserts.

Rows straight from the Avro row decoder go as COPY text built in bulk (`copy_text.py`);
other rows go through psycopg's `write_row`. A put's offsets move in the same round trip
as its COMMIT (`commit_offsets`); a put of decoded rows is sent as one query and
finishes while the task reads on (`send_put`, `pg_sent.py`).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from itertools import chain
from typing import Any

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import psycopg as sa_psycopg
from sqlalchemy.engine import URL, Engine
from sqlalchemy.engine import Dialect as SaDialect
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from tote.connect.data import DATE, DECIMAL, TIME, TIMESTAMP, Schema, Type
from tote.connect.errors import ConnectException
from tote.connect.jdbc.copy_text import Formatter, compile_formatter
from tote.connect.jdbc.dialect import (
    ColumnSpec,
    Dialect,
    OffsetMove,
    OffsetsUpdate,
    SentPut,
    TableId,
)
from tote.connect.jdbc.pg_sent import SentQuery
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
_IDLE = psycopg.pq.TransactionStatus.IDLE
_DIVISION_BY_ZERO = "22012"  # SQLSTATE of the offsets CAS that misses (`_offsets_cas`)


class PostgresDialect(Dialect):
    name = "PostgreSqlDatabaseDialect"
    kind = "postgresql"
    commits_offsets = True
    sends_puts = True

    def __init__(self, quote_identifiers: bool, db_timezone: zoneinfo.ZoneInfo) -> None:
        super().__init__(quote_identifiers, db_timezone)
        # COPY text writers by the column (type, logical name) list they were built for.
        self._formatters: dict[tuple[tuple[Type, str | None], ...], Formatter | None] = {}

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

    def _formatter(self, specs: Sequence[ColumnSpec]) -> Formatter | None:
        key = tuple((spec.schema.type, spec.schema.name) for spec in specs)
        if key not in self._formatters:
            self._formatters[key] = compile_formatter(
                [s.schema for s in specs], [self.binder(s.schema) for s in specs])
        return self._formatters[key]

    def insert_rows(self, cursor: Any, table: TableId, specs: Sequence[ColumnSpec],
                    rows: Sequence[tuple[Any, ...]]) -> None:
        """COPY text for the whole chunk in one write, when the columns allow it."""
        formatter = self._formatter(specs)
        if formatter is None:
            super().insert_rows(cursor, table, specs, rows)
            return
        try:
            data = formatter(rows).encode(cursor.connection.info.encoding)
        except UnicodeEncodeError:  # let psycopg report what the database cannot take
            super().insert_rows(cursor, table, specs, rows)
            return
        names = [spec.name for spec in specs]
        statement = f"COPY {self.table_sql(table)} ({self._columns(names)}) FROM STDIN"
        with cursor.copy(statement) as copy:
            copy.write(data)

    @staticmethod
    def _offsets_cas(table: str, connector: str, moves: Sequence[OffsetMove]
                     ) -> tuple[str, list[Any]]:
        """The compare-and-set UPDATE of stored offsets, as one statement that fails
        when fewer rows moved than asked (a division by zero, the one error it can
        raise), and its parameters."""
        rows = ", ".join(["(%s, %s, %s, %s)"] * len(moves))
        statement = (
            f"WITH moved AS (UPDATE {table} AS o SET next_offset = v.next_offset "
            f"FROM (VALUES {rows}) AS v (topic, kafka_partition, before, next_offset) "
            "WHERE o.connector = %s AND o.topic = v.topic "
            "AND o.kafka_partition = v.kafka_partition AND o.next_offset = v.before "
            "RETURNING 1) SELECT 1 / (count(*) = %s)::int FROM moved")
        return statement, [*chain.from_iterable(moves), connector, len(moves)]

    def commit_offsets(self, cursor: Any, table: str, connector: str,
                       moves: Sequence[OffsetMove]) -> bool:
        """One simple-protocol message: the compare-and-set UPDATE, then COMMIT.

        A CAS that misses must stop the COMMIT behind it: the statement fails, PostgreSQL
        then skips the rest of the message and the transaction stays open, aborted, for
        the caller's rollback. Values are bound client-side (psycopg's `ClientCursor`
        quotes them): only the simple protocol takes two statements.
        """
        if not moves:
            return True
        statement, params = self._offsets_cas(table, connector, moves)
        with psycopg.ClientCursor(cursor.connection) as client:
            try:
                client.execute(statement + "; COMMIT", params)
            except psycopg.errors.DivisionByZero:
                return False
        return True

    def send_put(self, connection: Any, table: TableId, specs: Sequence[ColumnSpec],
                 rows: Sequence[tuple[Any, ...]], offsets: OffsetsUpdate | None
                 ) -> SentPut | None:
        """`BEGIN; COPY ... FROM STDIN; <offsets CAS>; COMMIT` as one query with the rows
        as COPY text (the order of `commit_offsets`' transactions), the text made while
        the database starts on the query; committed while the caller goes on."""
        formatter = self._formatter(specs)
        if formatter is None or not isinstance(connection, psycopg.Connection) \
                or connection.pgconn.transaction_status != _IDLE:
            return None
        encoding = connection.info.encoding
        names = [spec.name for spec in specs]
        statements = ["BEGIN",
                      f"COPY {self.table_sql(table)} ({self._columns(names)}) FROM STDIN"]
        if offsets is not None and offsets.moves:
            statement, params = self._offsets_cas(*offsets)
            with psycopg.ClientCursor(connection) as client:
                statements.append(client.mogrify(statement, params))
        statements.append("COMMIT")
        try:
            return SentQuery.send(connection, statements,
                                  lambda: formatter(rows).encode(encoding),
                                  missed=(2, _DIVISION_BY_ZERO) if len(statements) == 4
                                  else None)
        except UnicodeEncodeError:  # the step-by-step path lets psycopg report it
            return None
