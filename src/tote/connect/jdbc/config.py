"""The JDBC sink's configuration keys (spec §5.1) and their parsed form.

Keys, defaults, groups and documentation follow Confluent's `JdbcSinkConfig`, so
`config/validate` answers as Connect does. tote adds one group, "Exactly Once":
`tote.exactly.once` (default true) stores the consumed offsets in the target database in
the same transaction as the rows, and `tote.offsets.table.name` names that table.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tote.connect.configdef import (
    NO_DEFAULT,
    ConfigDef,
    ConfigKey,
    ConfigType,
    ConfigValue,
    Importance,
    Width,
    at_least,
    invalid,
    non_empty_string,
    one_of,
)
from tote.connect.errors import ConfigException

DEFAULT_KAFKA_PK_NAMES = ("__connect_topic", "__connect_partition", "__connect_offset")
OFFSETS_TABLE = "__tote_connect_offsets"


class InsertMode(Enum):
    INSERT = "insert"
    UPSERT = "upsert"
    UPDATE = "update"


class PkMode(Enum):
    NONE = "none"
    KAFKA = "kafka"
    RECORD_KEY = "record_key"
    RECORD_VALUE = "record_value"


def _enum(kind: type[Enum]) -> Any:
    allowed = {str(m.value) for m in kind} | {str(m.value).upper() for m in kind}

    def check(name: str, value: Any) -> None:
        if value not in allowed:
            raise invalid(name, value, "Invalid enumerator")
    return check


def _time_zone(name: str, value: Any) -> None:
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise invalid(name, value, "Invalid time zone. See the list of valid time zones at "
                      "https://docs.oracle.com/javase/8/docs/api/java/time/ZoneId.html#shortIds"
                      ) from None


def _quote(name: str, value: Any) -> None:
    if str(value).lower() not in ("always", "never"):
        raise invalid(name, value, "String must be one of: always, never")


def _table_types(name: str, value: Any) -> None:
    for item in value or []:
        if item.upper() not in ("TABLE", "VIEW", "PARTITIONED TABLE"):
            raise invalid(name, value, "String must be one of: TABLE, VIEW, PARTITIONED TABLE")


S, INT, L, B, LST, P = (ConfigType.STRING, ConfigType.INT, ConfigType.LONG, ConfigType.BOOLEAN,
                      ConfigType.LIST, ConfigType.PASSWORD)
H, M, LO = Importance.HIGH, Importance.MEDIUM, Importance.LOW
CONN, WRITES, MAPPING, DDL, RETRIES, EOS = ("Connection", "Writes", "Data Mapping",
                                            "DDL Support", "Retries", "Exactly Once")

CONFIG_DEF = ConfigDef([
    ConfigKey("connection.url", S, NO_DEFAULT, H, "JDBC connection URL. For example: "
         "``jdbc:postgresql://localhost:5432/db_name``, ``jdbc:mysql://localhost/db_name``, "
         "``jdbc:sqlite:/path/db.sqlite``", CONN, 1, Width.LONG, "JDBC URL"),
    ConfigKey("connection.user", S, None, H, "JDBC connection user.", CONN, 2, Width.MEDIUM,
         "JDBC User"),
    ConfigKey("connection.password", P, None, H, "JDBC connection password.", CONN, 3,
         Width.MEDIUM, "JDBC Password"),
    ConfigKey("dialect.name", S, "", LO, "The name of the database dialect that should be used for "
         "this connector. By default this is empty, and the connector automatically determines "
         "the dialect based upon the JDBC connection URL.", CONN, 4, Width.LONG,
         "Database Dialect", recommended=("", "PostgreSqlDatabaseDialect",
                                          "MySqlDatabaseDialect", "SqliteDatabaseDialect")),
    ConfigKey("connection.attempts", INT, 3, LO, "Maximum number of attempts to retrieve a "
         "valid JDBC connection. Must be a positive integer.", CONN, 5, Width.SHORT,
         "JDBC connection attempts", at_least(1)),
    ConfigKey("connection.backoff.ms", L, 10000, LO, "Backoff time in milliseconds between "
         "connection attempts.", CONN, 6, Width.SHORT, "JDBC connection backoff in milliseconds"),
    ConfigKey("insert.mode", S, "insert", H, "The insertion mode to use. Supported modes are: "
         "``insert`` (standard SQL INSERT), ``upsert`` (the database's upsert on the primary "
         "key), ``update`` (UPDATE by primary key).", WRITES, 1, Width.MEDIUM, "Insert Mode",
         _enum(InsertMode), ("insert", "upsert", "update")),
    ConfigKey("batch.size", INT, 3000, M, "Specifies how many records to attempt to batch together "
         "for insertion into the destination table, when possible.", WRITES, 2, Width.SHORT,
         "Batch Size", at_least(0)),
    ConfigKey("delete.enabled", B, False, M, "Whether to treat ``null`` record values as deletes. "
         "Requires ``pk.mode`` to be ``record_key``.", WRITES, 3, Width.SHORT, "Enable deletes"),
    ConfigKey("table.types", LST, ["TABLE"], LO, "The comma-separated types of database tables to "
         "which the sink connector can write: ``TABLE``, ``PARTITIONED TABLE``, ``VIEW``.",
         WRITES, 4, Width.MEDIUM, "Table Types", _table_types,
         ("TABLE", "VIEW", "PARTITIONED TABLE")),
    ConfigKey("replace.null.with.default", B, True, LO, "Whether to replace ``null`` value with "
         "default value", WRITES, 5, Width.MEDIUM, "Replace null value with default value"),
    ConfigKey("table.name.format", S, "${topic}", M, "A format string for the destination table "
         "name, which may contain '${topic}' as a placeholder for the originating topic name. "
         "For example, ``kafka_${topic}`` for the topic 'orders' will map to the table name "
         "'kafka_orders'.", MAPPING, 1, Width.LONG, "Table Name Format", non_empty_string),
    ConfigKey("pk.mode", S, "none", H, "The primary key mode: ``none`` (no keys), ``kafka`` (Kafka "
         "coordinates), ``record_key`` (fields of the record key, primitive or struct), "
         "``record_value`` (fields of the record value, a struct).", MAPPING, 2, Width.MEDIUM,
         "Primary Key Mode", _enum(PkMode), ("none", "kafka", "record_key", "record_value")),
    ConfigKey("pk.fields", LST, [], M, "List of comma-separated primary key field names; its "
         "meaning depends on ``pk.mode``.", MAPPING, 3, Width.LONG, "Primary Key Fields"),
    ConfigKey("fields.whitelist", LST, [], M, "List of comma-separated record value field names. "
         "If empty, all fields from the record value are utilized, otherwise used to filter to "
         "the desired fields.", MAPPING, 4, Width.LONG, "Fields Whitelist"),
    ConfigKey("db.timezone", S, "UTC", M, "Name of the JDBC timezone that should be used in the "
         "connector when inserting time-based values. Defaults to UTC.", MAPPING, 5,
         Width.MEDIUM, "DB Time Zone", _time_zone),
    ConfigKey("date.timezone", S, "DB_TIMEZONE", LO, "The time zone for DATE values: "
         "``DB_TIMEZONE`` (db.timezone) or ``UTC``. tote writes a Connect Date as the calendar "
         "day it names under both.", MAPPING, 6, Width.MEDIUM, "Time Zone used for Date",
         one_of("DB_TIMEZONE", "UTC"), ("DB_TIMEZONE", "UTC")),
    ConfigKey("auto.create", B, False, M, "Whether to automatically create the destination table "
         "based on record schema if it is found to be missing by issuing ``CREATE``.", DDL, 1,
         Width.SHORT, "Auto-Create"),
    ConfigKey("auto.evolve", B, False, M, "Whether to automatically add columns in the table "
         "schema when found to be missing relative to the record schema by issuing ``ALTER``.",
         DDL, 2, Width.SHORT, "Auto-Evolve"),
    ConfigKey("quote.sql.identifiers", S, "always", M, "When to quote table names, column names, "
         "and other identifiers in SQL statements: ``always`` or ``never``.", DDL, 3,
         Width.MEDIUM, "Quote Identifiers", _quote, ("always", "never")),
    ConfigKey("max.retries", INT, 10, M, "The maximum number of times to retry on errors before "
         "failing the task.", RETRIES, 1, Width.SHORT, "Maximum Retries", at_least(0)),
    ConfigKey("retry.backoff.ms", INT, 3000, M, "The time in milliseconds to wait following an "
         "error before a retry attempt is made.", RETRIES, 2, Width.SHORT, "Retry Backoff (millis)",
         at_least(0)),
    ConfigKey("tote.exactly.once", B, True, M, "Write the consumed offsets into the target "
         "database in the same transaction as the rows and resume from them, so every record is "
         "written exactly once. False gives Confluent's at-least-once behaviour.", EOS, 1,
         Width.SHORT, "Exactly Once"),
    ConfigKey("tote.offsets.table.name", S, OFFSETS_TABLE, LO, "The table (in the target database) "
         "holding the consumed offsets when ``tote.exactly.once`` is true.", EOS, 2,
         Width.MEDIUM, "Offsets Table", non_empty_string),
])


@dataclass(frozen=True)
class JdbcSinkConfig:
    """A JDBC sink's parsed configuration."""

    connector: str
    url: str
    user: str | None
    password: str | None
    dialect_name: str
    attempts: int
    backoff_ms: int
    insert_mode: InsertMode
    batch_size: int
    delete_enabled: bool
    table_types: frozenset[str]
    replace_null_with_default: bool
    table_name_format: str
    pk_mode: PkMode
    pk_fields: tuple[str, ...]
    fields_whitelist: frozenset[str]
    db_timezone: zoneinfo.ZoneInfo
    auto_create: bool
    auto_evolve: bool
    quote_identifiers: bool
    max_retries: int
    retry_backoff_ms: int
    exactly_once: bool
    offsets_table: str
    login_timeout_s: int | None

    @classmethod
    def parse(cls, props: Mapping[str, str]) -> JdbcSinkConfig:
        """Parse and check; raises ConfigException with Connect's message."""
        values = CONFIG_DEF.parse(props)
        errors = cross_check(values)
        if errors:
            raise ConfigException(errors[0][1])
        login = props.get("connection.loginTimeout")
        return cls(
            connector=props.get("name", ""), url=values["connection.url"],
            user=values["connection.user"], password=values["connection.password"],
            dialect_name=values["dialect.name"], attempts=values["connection.attempts"],
            backoff_ms=values["connection.backoff.ms"],
            insert_mode=InsertMode(values["insert.mode"].lower()),
            batch_size=values["batch.size"], delete_enabled=values["delete.enabled"],
            table_types=frozenset(t.upper() for t in values["table.types"]),
            replace_null_with_default=values["replace.null.with.default"],
            table_name_format=values["table.name.format"].strip(),
            pk_mode=PkMode(values["pk.mode"].lower()),
            pk_fields=tuple(f for f in values["pk.fields"] if f),
            fields_whitelist=frozenset(f for f in values["fields.whitelist"] if f),
            db_timezone=zoneinfo.ZoneInfo(values["db.timezone"]),
            auto_create=values["auto.create"], auto_evolve=values["auto.evolve"],
            quote_identifiers=values["quote.sql.identifiers"].lower() == "always",
            max_retries=values["max.retries"], retry_backoff_ms=values["retry.backoff.ms"],
            exactly_once=values["tote.exactly.once"],
            offsets_table=values["tote.offsets.table.name"].strip(),
            login_timeout_s=int(login) if login and str(login).strip().isdigit() else None,
        )


def cross_check(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Rules spanning several keys, as (key, message) pairs."""
    errors: list[tuple[str, str]] = []
    pk_mode = str(values.get("pk.mode") or "none").lower()
    if values.get("delete.enabled") is True and pk_mode != "record_key":
        message = "Deletes are only supported for pk.mode record_key"
        errors += [("pk.mode", message), ("delete.enabled", message)]
    mode = str(values.get("insert.mode") or "insert").lower()
    if mode in ("upsert", "update") and pk_mode == "none":
        errors.append(("insert.mode", f"insert.mode {mode} requires the primary key to be "
                                      "known: set pk.mode to kafka, record_key or record_value"))
    fields = [f for f in values.get("pk.fields") or [] if f]
    if pk_mode == "kafka" and fields and len(fields) != 3:
        errors.append(("pk.fields", "PK mode kafka needs no pk.fields (for the defaults "
                                    f"{', '.join(DEFAULT_KAFKA_PK_NAMES)}) or exactly 3, "
                                    f"got: {', '.join(fields)}"))
    return errors


def validate(props: Mapping[str, str]) -> dict[str, ConfigValue]:
    """Every key's value and errors, with the cross-key rules applied."""
    values = CONFIG_DEF.validate(props)
    parsed = {name: value.value for name, value in values.items() if not value.errors}
    for key, message in cross_check(parsed):
        values[key].errors.append(message)
    return values
