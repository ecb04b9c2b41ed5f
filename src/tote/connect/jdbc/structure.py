"""Making the destination table fit the records: CREATE (auto.create), ALTER (auto.evolve).

Confluent's `DbStructure`: table definitions are reflected (SQLAlchemy's inspector) and
cached; a missing table is created when `auto.create` is on; columns the records have
and the table lacks (compared ignoring case) are added when `auto.evolve` is on, after
one fresh look at the table (another task may have added them). It never drops columns,
changes types, or relaxes NOT NULL; a missing field that is required and has no default
cannot be added, and the error names it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from tote.connect.errors import ConnectException
from tote.connect.jdbc.config import JdbcSinkConfig
from tote.connect.jdbc.dialect import ColumnSpec, Dialect, TableId
from tote.connect.jdbc.fields import FieldsMetadata

_logger = logging.getLogger(__name__)


class TableAlterOrCreateError(ConnectException):
    """The table cannot be made to fit the records (Confluent's TableAlterOrCreateException)."""


@dataclass(frozen=True)
class TableDefinition:
    """What the database says about a table: its columns (as stored) and its kind."""

    table: TableId
    columns: tuple[str, ...]
    kind: str  # TABLE, VIEW or PARTITIONED TABLE

    @property
    def lower_columns(self) -> frozenset[str]:
        return frozenset(c.lower() for c in self.columns)


class DbStructure:
    """Table definitions of one task's database, and the DDL that keeps them current."""

    def __init__(self, dialect: Dialect, config: JdbcSinkConfig) -> None:
        self.dialect = dialect
        self.config = config
        self._tables: dict[TableId, TableDefinition] = {}

    def forget(self) -> None:
        self._tables.clear()

    def definition(self, conn: Connection, table: TableId, *, fresh: bool = False
                   ) -> TableDefinition | None:
        if not fresh and table in self._tables:
            return self._tables[table]
        name = self.dialect.stored_name(table.name)
        schema = self.dialect.stored_name(table.schema) if table.schema else None
        with conn.begin():
            inspector = inspect(conn)
            if not inspector.has_table(name, schema=schema):
                self._tables.pop(table, None)
                return None
            columns = tuple(str(c["name"]) for c in inspector.get_columns(name, schema=schema))
            kind = "VIEW" if name in inspector.get_view_names(schema=schema) else "TABLE"
        found = TableDefinition(table, columns, kind)
        self._tables[table] = found
        return found

    def ensure(self, conn: Connection, table: TableId, fields: FieldsMetadata) -> None:
        """Create or amend `table` so every column of `fields` exists."""
        found = self.definition(conn, table)
        if found is None:
            self._create(conn, table, fields)
            found = self.definition(conn, table, fresh=True)
            if found is None:
                raise TableAlterOrCreateError(f"Table {table} was created but cannot be found")
        self._check_kind(found)
        if self._missing(found, fields.columns):
            found = self.definition(conn, table, fresh=True) or found
            missing = self._missing(found, fields.columns)
            if missing:
                self._amend(conn, found, missing)

    def _check_kind(self, found: TableDefinition) -> None:
        if found.kind not in self.config.table_types:
            kinds = ", ".join(sorted(self.config.table_types))
            raise TableAlterOrCreateError(
                f"{found.kind.capitalize()} {found.table} cannot be written: table.types is "
                f"[{kinds}]")

    @staticmethod
    def _missing(found: TableDefinition, columns: Sequence[ColumnSpec]) -> list[ColumnSpec]:
        present = found.lower_columns
        return [c for c in columns if c.name.lower() not in present]

    def _create(self, conn: Connection, table: TableId, fields: FieldsMetadata) -> None:
        if not self.config.auto_create:
            raise TableAlterOrCreateError(
                f"Table {table} is missing and auto-creation is disabled")
        statements = self.dialect.create_table_sql(table, fields.columns)
        _logger.info("Creating table with sql: %s", statements[0])
        try:
            self._apply(conn, statements)
        except SQLAlchemyError as exc:
            # Another task may have created it meanwhile; if so, carry on with it.
            if self.definition(conn, table, fresh=True) is None:
                raise TableAlterOrCreateError(
                    f"Failed to create table {table}: {_reason(exc)}") from None

    def _amend(self, conn: Connection, found: TableDefinition, missing: list[ColumnSpec]
               ) -> None:
        table = found.table
        shown = ", ".join(str(c) for c in missing)
        if found.kind == "VIEW":
            raise TableAlterOrCreateError(
                f"View {table} is missing fields ({shown}) and ALTER VIEW is unsupported")
        for column in missing:
            if not column.optional and column.schema.default is None:
                raise TableAlterOrCreateError(
                    f"Cannot ALTER TABLE {table} to add missing field {column}, as the field is "
                    "not optional and does not have a default value")
        if not self.config.auto_evolve:
            raise TableAlterOrCreateError(
                f"Table {table} is missing fields ({shown}) and auto-evolution is disabled")
        statements = self.dialect.alter_table_sql(table, missing)
        _logger.info("Amending TABLE to add missing fields:%s with SQL: %s", shown, statements)
        try:
            self._apply(conn, statements)
        except SQLAlchemyError as exc:
            refreshed = self.definition(conn, table, fresh=True)
            if refreshed is None or self._missing(refreshed, missing):
                raise TableAlterOrCreateError(
                    f"Failed to amend TABLE '{table}' to add missing fields: {shown}: "
                    f"{_reason(exc)}") from None
        self.definition(conn, table, fresh=True)

    @staticmethod
    def _apply(conn: Connection, statements: Sequence[str]) -> None:
        with conn.begin():
            for statement in statements:
                conn.exec_driver_sql(statement)


def _reason(exc: SQLAlchemyError) -> str:
    original = getattr(exc, "orig", None)
    return str(original if original is not None else exc).strip().splitlines()[0]
