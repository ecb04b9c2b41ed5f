"""What differs between databases: types, quoting, upserts, bulk inserts, connections.

One `Dialect` per database family (Confluent's `DatabaseDialect`): SQLAlchemy Core
compiles the DDL and quotes identifiers (each dialect supplies SQLAlchemy's dialect and
the Connect → SQL type mapping of spec §5.3); the DML strings are written for the DBAPI
driver's placeholder style because the data path runs on the raw driver cursor (COPY on
PostgreSQL, executemany elsewhere). Nothing outside `tote.connect.jdbc` sees SQLAlchemy.
"""

from __future__ import annotations

import datetime
import decimal
import zoneinfo
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Column, MetaData, Table, text
from sqlalchemy.engine import Dialect as SaDialect
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateTable
from sqlalchemy.sql.elements import quoted_name
from sqlalchemy.types import TypeEngine

from tote.connect.data import TIMESTAMP, Schema
from tote.connect.errors import ConnectException
from tote.connect.jdbc.urls import JdbcTarget

Binder = Callable[[Any], Any]


@dataclass(frozen=True)
class TableId:
    """A destination table, optionally qualified by a schema (`schema.table`)."""

    name: str
    schema: str | None = None

    @classmethod
    def parse(cls, text_: str) -> TableId:
        parts = text_.split(".")
        if len(parts) == 1:
            return cls(parts[0])
        return cls(parts[-1], parts[-2])

    def __str__(self) -> str:
        return f"\"{self.schema}\".\"{self.name}\"" if self.schema else f"\"{self.name}\""


@dataclass(frozen=True)
class ColumnSpec:
    """A column the sink needs: name, Connect schema, and whether it is in the key."""

    name: str
    schema: Schema
    is_pk: bool

    @property
    def optional(self) -> bool:
        return self.schema.optional

    def __str__(self) -> str:
        return (f"SinkRecordField{{schema={self.schema.describe()}, name='{self.name}', "
                f"isPrimaryKey={'true' if self.is_pk else 'false'}}}")


class OffsetMove(NamedTuple):
    """One partition's stored offset moving from `before` to `next_offset`."""

    topic: str
    partition: int
    before: int
    next_offset: int


class OffsetsUpdate(NamedTuple):
    """The stored-offset moves a put makes, in the connector's offsets table."""

    table: str  # quoted, as it goes into SQL
    connector: str
    moves: Sequence[OffsetMove]


class SentPut(Protocol):
    """A whole put sent to the database (`Dialect.send_put`), its outcome still coming."""

    def ready(self) -> bool:
        """Whether `finish` would return without waiting for the database."""

    def finish(self) -> bool:
        """Wait for the outcome: True committed; False the offsets did not match (nothing
        was kept); the driver's error for any other failure (rolled back)."""


class Dialect(ABC):
    """One database family. Instances are per task (they hold the quoting choice)."""

    name: str
    kind: str
    placeholder = "%s"
    supports_savepoints = True
    # Whether `commit_offsets` can move offsets and commit in one round trip.
    commits_offsets = False
    # Whether `send_put` can send a whole put without waiting for it.
    sends_puts = False

    def __init__(self, quote_identifiers: bool, db_timezone: zoneinfo.ZoneInfo) -> None:
        self.quote_identifiers = quote_identifiers
        self.db_timezone = db_timezone
        self.sa = self.sa_dialect()
        self._preparer = self.sa.identifier_preparer

    # -- subclass hooks -------------------------------------------------------------------

    @abstractmethod
    def sa_dialect(self) -> SaDialect:
        """SQLAlchemy's dialect object (used to compile DDL and quote names)."""

    @abstractmethod
    def engine(self, target: JdbcTarget, user: str | None, password: str | None,
               timeout_s: int) -> Engine:
        """A SQLAlchemy engine (no pooling: a task holds one connection)."""

    @abstractmethod
    def column_type(self, schema: Schema, is_pk: bool) -> TypeEngine[Any]:
        """The SQL type for a Connect schema (spec §5.3); ConnectException if none."""

    @abstractmethod
    def upsert_sql(self, table: TableId, keys: Sequence[str], others: Sequence[str]) -> str:
        """The dialect's upsert on the primary key."""

    def bool_literal(self, value: bool) -> str:
        return "1" if value else "0"

    # -- names ----------------------------------------------------------------------------

    def quote(self, name: str) -> str:
        return self._preparer.quote_identifier(name) if self.quote_identifiers else name

    def stored_name(self, name: str) -> str:
        """The name as the database stores it (unquoted names fold to lower case on PG)."""
        return name

    def table_sql(self, table: TableId) -> str:
        if table.schema:
            return f"{self.quote(table.schema)}.{self.quote(table.name)}"
        return self.quote(table.name)

    def _name(self, name: str) -> quoted_name:
        return quoted_name(name, self.quote_identifiers)

    # -- DDL ------------------------------------------------------------------------------

    def _unsupported(self, schema: Schema, name: str = "") -> ConnectException:
        what = schema.name or schema.type.name
        where = f" for column '{name}'" if name else ""
        return ConnectException(f"{self.name} does not support the type {what}{where}")

    def default_literal(self, schema: Schema, value: Any) -> str | None:
        """A Connect default as a SQL literal (None: no DEFAULT clause)."""
        if value is None:
            return None
        if isinstance(value, bool):
            return self.bool_literal(value)
        if isinstance(value, (int, float, decimal.Decimal)):
            return str(value)
        if isinstance(value, (str, datetime.date, datetime.time)):
            shown = value if isinstance(value, str) else value.isoformat(sep=" ") \
                if isinstance(value, datetime.datetime) else value.isoformat()
            return "'" + shown.replace("'", "''") + "'"
        return None

    def _column(self, spec: ColumnSpec) -> Column[Any]:
        try:
            sql_type = self.column_type(spec.schema, spec.is_pk)
        except ConnectException:
            raise self._unsupported(spec.schema, spec.name) from None
        literal = self.default_literal(spec.schema, spec.schema.default)
        return Column(self._name(spec.name), sql_type, primary_key=spec.is_pk,
                      autoincrement=False,
                      nullable=spec.optional and not spec.is_pk,
                      server_default=text(literal) if literal is not None else None)

    def _table(self, table: TableId, specs: Sequence[ColumnSpec]) -> Table:
        schema = self._name(table.schema) if table.schema else None
        return Table(self._name(table.name), MetaData(), *(self._column(s) for s in specs),
                     schema=schema)

    def create_table_sql(self, table: TableId, specs: Sequence[ColumnSpec]) -> list[str]:
        return [str(CreateTable(self._table(table, specs)).compile(dialect=self.sa)).strip()]

    def alter_table_sql(self, table: TableId, specs: Sequence[ColumnSpec]) -> list[str]:
        """ALTER TABLE ... ADD for each spec (one statement; SQLite overrides)."""
        compiled = self._table(table, specs)
        compiler = self.sa.ddl_compiler(self.sa, None)  # type: ignore[arg-type]
        clauses = [f"ADD {compiler.get_column_specification(col)}" for col in compiled.columns]
        return [f"ALTER TABLE {self.table_sql(table)} " + ", ".join(clauses)]

    # -- DML ------------------------------------------------------------------------------

    def _columns(self, names: Sequence[str]) -> str:
        return ",".join(self.quote(n) for n in names)

    def _params(self, count: int) -> str:
        return ",".join([self.placeholder] * count)

    def insert_sql(self, table: TableId, columns: Sequence[str]) -> str:
        return (f"INSERT INTO {self.table_sql(table)} ({self._columns(columns)}) "
                f"VALUES ({self._params(len(columns))})")

    def update_sql(self, table: TableId, keys: Sequence[str], others: Sequence[str]) -> str:
        sets = ", ".join(f"{self.quote(c)} = {self.placeholder}" for c in others)
        where = " AND ".join(f"{self.quote(k)} = {self.placeholder}" for k in keys)
        return f"UPDATE {self.table_sql(table)} SET {sets} WHERE {where}"

    def delete_sql(self, table: TableId, keys: Sequence[str]) -> str:
        where = " AND ".join(f"{self.quote(k)} = {self.placeholder}" for k in keys)
        return f"DELETE FROM {self.table_sql(table)} WHERE {where}"

    def bulk_insert(self, cursor: Any, table: TableId, columns: Sequence[str],
                    rows: Sequence[Sequence[Any]]) -> None:
        """Plain inserts of many rows (PostgreSQL overrides this with COPY)."""
        cursor.executemany(self.insert_sql(table, columns), rows)

    def insert_rows(self, cursor: Any, table: TableId, specs: Sequence[ColumnSpec],
                    rows: Sequence[tuple[Any, ...]]) -> None:
        """Plain inserts of rows whose values are as converters make them (not yet bound);
        PostgreSQL overrides this with COPY text written in bulk."""
        binders = [self.binder(spec.schema) for spec in specs]
        if any(b is not None for b in binders):
            rows = [tuple(v if b is None or v is None else b(v)
                          for b, v in zip(binders, row, strict=True)) for row in rows]
        self.bulk_insert(cursor, table, [spec.name for spec in specs], rows)

    def commit_offsets(self, cursor: Any, table: str, connector: str,
                       moves: Sequence[OffsetMove]) -> bool:
        """Move stored offsets (compare-and-set on `before`) and COMMIT the open
        transaction in one round trip; False, with nothing committed, if a row did not
        match. Only for dialects with `commits_offsets`."""
        raise NotImplementedError(f"{self.name} cannot commit offsets in one round trip")

    def send_put(self, connection: Any, table: TableId, specs: Sequence[ColumnSpec],
                 rows: Sequence[tuple[Any, ...]], offsets: OffsetsUpdate | None
                 ) -> SentPut | None:
        """Send one whole transaction — the offsets update, a plain insert of `rows` (as
        converters make them) and the COMMIT — on the driver `connection` (idle, no
        transaction open), returning before the database has done it, so the caller can
        go on working meanwhile. None: not with this dialect or these columns (write it
        step by step in a transaction instead)."""
        return None

    # -- values ---------------------------------------------------------------------------

    def binder(self, schema: Schema) -> Binder | None:
        """How to turn a Connect value into what the driver binds (None: as it is)."""
        if schema.name == TIMESTAMP:
            zone = self.db_timezone

            def timestamp(value: Any) -> Any:
                if isinstance(value, datetime.datetime) and value.tzinfo is not None:
                    return value.astimezone(zone).replace(tzinfo=None)
                return value
            return timestamp
        return None
