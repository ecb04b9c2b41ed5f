"""INSERT INTO source [(columns)] VALUES (...): one record, serialised like the source's.

Columns default to the key columns then the value columns; ROWTIME may be given (it is
the record timestamp, the wall clock otherwise). Values are constant expressions
evaluated and converted to each column's type. The record is appended straight to the
topic, where running queries pick it up like any other record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tote.core.clock import Clock
from tote.core.errors import SqlError
from tote.core.records import Record
from tote.core.types import SqlType
from tote.log.base import Log
from tote.log.partitioner import partition_for_key
from tote.registry import Registry
from tote.serde.errors import SerializationError
from tote.sql.ast.statements import InsertValues
from tote.sql.codecs import build_codec, encode_as_java
from tote.sql.codecs.growth import SchemaWriteError
from tote.sql.config import Config
from tote.sql.errors import StatementError
from tote.sql.expressions import evaluate_constant
from tote.sql.expressions.formatter import format_expression
from tote.sql.formats import check_value_serde
from tote.sql.functions import FunctionRegistry
from tote.sql.metastore import MetaStore
from tote.sql.reserved_topics import is_read_only
from tote.sql.results import InsertResult
from tote.sql.runtime.operators.sink import partition_of
from tote.sql.sources import (
    PSEUDO_COLUMNS,
    ROWOFFSET,
    ROWPARTITION,
    ROWTIME,
    DataSource,
    SourceType,
)

INSERT_VALUES_ENABLED = "ksql.insert.into.values.enabled"
INSERT_VALUES_DISABLED = ("The server has disabled INSERT INTO ... VALUES functionality. "
                          "To enable it, restart your ksqlDB server with "
                          "'ksql.insert.into.values.enabled'=true")


def insert_values_enabled(server: Mapping[str, str]) -> bool:
    """The server's `ksql.insert.into.values.enabled` (default true). ksqlDB reads it from
    the server's config alone (`getConfig(false)`): SET and request properties cannot
    turn it back on."""
    return Config(dict(server)).optional_flag(INSERT_VALUES_ENABLED) is not False


def alternatives(name: str, metastore: MetaStore, of_type: SourceType | None = None) -> str:
    """ksqlDB's hint after an unknown source: the sources whose names differ only in case
    (only those of `of_type`, when a statement names the kind, as DROP does)."""
    matches = sorted((s for s in metastore.sources.values() if s.name.upper() == name.upper()
                      and of_type in (None, s.type)), key=lambda s: s.name)
    if not matches:
        return ""
    if len(matches) > 1:
        parts = []
        for i, src in enumerate(matches):
            last = i == len(matches) - 1
            sep = "? " if last else (" or " if i == len(matches) - 2 and i == 0 else
                                     ", or " if i == len(matches) - 2 else ", ")
            parts.append(f'"{src.name}" ({src.type.value}){sep}')
        return ("\nDid you mean " + "".join(parts)
                + "Hint: wrap the source name in double quotes to make it case-sensitive.")
    found = matches[0].name
    if any(c.islower() for c in found):
        return (f'\nDid you mean "{found}"? Hint: wrap the source name in double quotes to make '
                "it case-sensitive.")
    return f"\nDid you mean {found}? Hint: try removing double quotes from the source name."


def target_of(statement: InsertValues, metastore: MetaStore, config: Config) -> DataSource:
    """The source INSERT VALUES writes, checked in InsertValuesExecutor's order; `config`
    is the session's (its `ksql.readonly.topics` and service id)."""
    source = metastore.source(statement.target)
    if source is None:
        raise StatementError("Cannot insert values into an unknown stream/table: "
                             f"`{statement.target}`"
                             + alternatives(statement.target, metastore))
    if source.window is not None:
        raise StatementError("Cannot insert values into windowed stream/table!")
    if is_read_only(source.topic, config):
        raise StatementError(f"Cannot insert values into read-only topic: {source.topic}")
    if source.is_source:
        raise StatementError(f"Cannot insert values into read-only {source.type.lower}: "
                             f"{source.name}")
    return source


def check_insertable(statement: InsertValues, source: DataSource,
                     server: Mapping[str, str]) -> None:
    """The checks ksqlDB's InsertValuesExecutor makes between finding the target and
    building the row, in its order: no HEADER column is written (all of the source's when
    the statement lists no columns), then the server allows INSERT VALUES at all."""
    headers = {c.name for c in source.header_columns}
    named = [c for c in statement.columns if c in headers] if statement.columns \
        else [c.name for c in source.header_columns]
    if named:
        raise StatementError(f"Cannot insert into HEADER columns: {', '.join(named)}")
    if not insert_values_enabled(server):
        raise StatementError(INSERT_VALUES_DISABLED)


def build_row(statement: InsertValues, source: DataSource, functions: FunctionRegistry,
              now_ms: int) -> tuple[tuple[Any, ...], tuple[Any, ...], int]:
    """(key values, value values, timestamp) for the statement's row."""
    keys = source.key_columns
    value_cols = source.value_columns
    columns: Sequence[str] = statement.columns or [c.name for c in keys + value_cols]
    if len(columns) != len(statement.values):
        expected = "[" + ", ".join(f"`{c}`" for c in columns) + "]"
        got = "[" + ", ".join(format_expression(v) for v in statement.values) + "]"
        raise StatementError(f"Expected a value for each column. Expected Columns: {expected}."
                             f" Got {got}")
    types: dict[str, SqlType] = {}
    for col in source.columns:  # a name ALTER gave a key column's too: the key's type
        types.setdefault(col.name, col.type)
    for name, sql_type in PSEUDO_COLUMNS.items():
        if any(c.name == name for c in value_cols):  # only ALTER ... ADD makes one
            raise StatementError("Duplicate value columns found in schema: "
                                 f"`{name}` {sql_type}")
        types[name] = sql_type
    values: dict[str, Any] = {}
    for column, expr in zip(columns, statement.values, strict=True):
        if column not in types:
            raise StatementError(f"Column name `{column}` does not exist.")
        if column in (ROWPARTITION, ROWOFFSET):
            raise StatementError(f"Inserting into column `{column}` is not allowed.")
        try:
            values[column] = evaluate_constant(expr, functions, types[column])
        except SqlError as err:
            raise StatementError(err.message) from None
    if source.is_table:
        missing = [c.name for c in keys if c.name not in values]
        if missing:
            raise StatementError(f"Value for primary key column(s) {', '.join(missing)} is "
                                 "required for tables")
    timestamp = values.get(ROWTIME)
    ts = int(timestamp) if timestamp is not None else now_ms
    return (tuple(values.get(c.name) for c in keys),
            tuple(values.get(c.name) for c in value_cols), ts)


def encode_row(statement: InsertValues, source: DataSource, *, registry: Registry | None,
               functions: FunctionRegistry, now_ms: int, server: Mapping[str, str]
               ) -> tuple[bytes | None, bytes | None, int]:
    """The record INSERT VALUES appends (key, value, timestamp), or its refusal: shared
    with the request's validation, which encodes without writing. `server` is the
    server's own properties (a server may disable INSERT VALUES)."""
    check_insertable(statement, source, server)
    try:
        key, value, ts = build_row(statement, source, functions, now_ms)
        key_codec = build_codec(source.key_columns, source.key_format, topic=source.topic,
                                is_key=True, registry=registry,
                                prefer_registered=not source.from_query)
        key_bytes = encode_as_java(key_codec.encode, key)
        check_value_serde(source.value_format, source.value_columns)  # see alter.py
        value_codec = build_codec(source.value_columns, source.value_format,
                                  topic=source.topic, is_key=False, registry=registry,
                                  prefer_registered=not source.from_query, pin_subject=True)
        value_bytes = encode_as_java(value_codec.encode, value)
    except SchemaWriteError as exc:  # InsertValuesExecutor.serializeValue's wording
        raise StatementError(f"Failed to insert values into '{source.name}'. Could not "
                             f"serialize value{exc.message}") from None
    except (StatementError, SerializationError) as exc:
        raise StatementError(f"Failed to insert values into '{source.name}'. {exc.message}"
                             ) from None
    return key_bytes, value_bytes, ts


def insert_values(statement: InsertValues, metastore: MetaStore, log: Log, *,
                  registry: Registry | None, functions: FunctionRegistry, clock: Clock,
                  single_partition: bool, server: Mapping[str, str], session: Config
                  ) -> InsertResult:
    source = target_of(statement, metastore, session)
    key_bytes, value_bytes, ts = encode_row(statement, source, registry=registry,
                                            functions=functions, now_ms=clock.now_ms(),
                                            server=server)
    partitions = log.describe_topic(source.topic).spec.partitions
    if single_partition:
        partition = 0
    elif key_bytes is not None:
        partition = partition_for_key(key_bytes, partitions)
    else:
        partition = partition_of(None, value_bytes, partitions)
    position = log.append(source.topic, [Record(value_bytes, key_bytes, (), ts, partition)])[0]
    return InsertResult(statement.text, source.topic, position.partition, position.offset)
