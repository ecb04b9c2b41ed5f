"""Choosing a dialect: from `dialect.name`, else from the JDBC URL's sub-protocol."""

from __future__ import annotations

import zoneinfo

from tote.connect.errors import ConfigException
from tote.connect.jdbc.dialect import Dialect
from tote.connect.jdbc.dialect_mysql import MySqlDialect
from tote.connect.jdbc.dialect_postgres import PostgresDialect
from tote.connect.jdbc.dialect_sqlite import SqliteDialect
from tote.connect.jdbc.urls import JdbcTarget

DIALECTS: dict[str, type[Dialect]] = {
    "postgresql": PostgresDialect, "mysql": MySqlDialect, "sqlite": SqliteDialect}


def dialect_for(target: JdbcTarget, dialect_name: str, quote_identifiers: bool,
                db_timezone: zoneinfo.ZoneInfo) -> Dialect:
    """The dialect for a target; a `dialect.name` must match the URL's database."""
    chosen = DIALECTS[target.kind]
    if dialect_name:
        by_name = {cls.name: cls for cls in DIALECTS.values()}
        named = by_name.get(dialect_name)
        if named is None:
            raise ConfigException(
                f"Invalid value {dialect_name} for configuration dialect.name: tote supports "
                f"{', '.join(sorted(by_name))}")
        if named is not chosen:
            raise ConfigException(f"dialect.name {dialect_name} does not match the JDBC URL's "
                                  f"database ({target.kind})")
    return chosen(quote_identifiers, db_timezone)
