"""`/inserts-stream`: rows given as JSON objects, written to a stream's or table's topic.

Each row names columns case-insensitively (`{"ID": 1, "name": "a"}`); missing columns
are null, `ROWTIME` sets the record timestamp. Values are coerced as ksqlDB's JSON
format coerces them and serialised with the stream's key and value formats (the
registry's latest schema for AVRO / JSON_SR / PROTOBUF sources).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tote.core.clock import Clock
from tote.core.errors import BadRequest, ToteError
from tote.core.records import Record
from tote.log.base import Log
from tote.log.partitioner import partition_for_key
from tote.registry import Registry
from tote.serde.errors import SerializationError
from tote.serde.json_format import from_json_value
from tote.sql.codecs import build_codec
from tote.sql.config import Config
from tote.sql.execution.inserts import alternatives
from tote.sql.formats import check_value_serde
from tote.sql.lexer import unquote
from tote.sql.metastore import MetaStore
from tote.sql.reserved_topics import is_read_only
from tote.sql.runtime.operators.sink import partition_of
from tote.sql.sources import DataSource


def target_name(target: str) -> str:
    """The source name a target names, as ksqlDB's `Identifiers.getIdentifierText`:
    upper-cased, or unquoted (a doubled quote inside is one quote) when it starts with
    a double quote or a backtick. ValueError as its IllegalArgumentException."""
    if not target or target[0] not in "\"`":
        return target.upper()
    quote = target[0]
    if len(target) < 2 or target[-1] != quote:
        raise ValueError("Expected matching quote at end of value")
    i = 1
    while i < len(target) - 1:
        if target[i] == quote:
            if target[i + 1] != quote or i + 1 == len(target) - 1:
                raise ValueError(f"Un-escaped quote in middle of value at index {i}")
            i += 2
        else:
            i += 1
    return unquote(target, quote)


def find_target(metastore: MetaStore, target: str, config: Config) -> DataSource:
    """The source `/inserts-stream` writes, checked as ksqlDB 8's InsertsStreamEndpoint
    checks it (tables and SOURCE streams are allowed); `config` is the server's."""
    try:
        name = target_name(target)
    except ValueError as exc:
        raise BadRequest(f"Invalid target name: {exc}", 40001) from None
    source = metastore.source(name)
    if source is None:
        raise BadRequest(f"Cannot insert values into an unknown stream/table: `{name}`"
                         + alternatives(name, metastore), 40001)
    if source.window is not None:
        raise BadRequest("Cannot insert values into windowed stream/table", 40001)
    if is_read_only(source.topic, config):
        raise BadRequest(f"Cannot insert values into read-only topic: {source.topic}", 40001)
    return source


class RowInserter:
    """Encodes and writes rows to one source. Built before any row, as ksqlDB builds the
    serdes: a StatementError if the value format cannot carry the value columns."""

    def __init__(self, log: Log, registry: Registry | None, source: DataSource,
                 clock: Clock) -> None:
        self.log = log
        self.source = source
        self.clock = clock
        self.key_codec = build_codec(source.key_columns, source.key_format,
                                     topic=source.topic, is_key=True, registry=registry,
                                     prefer_registered=not source.from_query)
        check_value_serde(source.value_format, source.value_columns)
        self.value_codec = build_codec(source.value_columns, source.value_format,
                                       topic=source.topic, is_key=False, registry=registry,
                                       prefer_registered=not source.from_query)
        self.partitions = log.describe_topic(source.topic).spec.partitions

    def insert(self, row: Mapping[str, Any]) -> None:
        self.log.append(self.source.topic, [self.record(row)])

    def insert_many(self, rows: Sequence[object]) -> list[ToteError | None]:
        """Write the rows that encode in one append; per row, None or why it was refused."""
        outcomes: list[ToteError | None] = []
        records: list[Record] = []
        for row in rows:
            try:
                if not isinstance(row, Mapping):
                    raise BadRequest("Invalid JSON in request: a row must be a JSON object")
                records.append(self.record(row))
                outcomes.append(None)
            except ToteError as exc:
                outcomes.append(exc)
        if records:
            self.log.append(self.source.topic, records)
        return outcomes

    def record(self, row: Mapping[str, Any]) -> Record:
        """The row as the record its stream's formats and partitioning make of it."""
        upper = {str(k).upper(): v for k, v in row.items()}

        def value_of(name: str) -> Any:
            return row[name] if name in row else upper.get(name.upper())

        try:
            keys = tuple(from_json_value(c.type, value_of(c.name))
                         for c in self.source.key_columns)
            values = tuple(from_json_value(c.type, value_of(c.name))
                           for c in self.source.value_columns)
            key = self.key_codec.encode(keys)
            value = self.value_codec.encode(values)
        except SerializationError as exc:
            raise BadRequest(f"Failed to insert values into '{self.source.name}'. "
                             f"{exc.message}") from None
        rowtime = value_of("ROWTIME")
        ts = rowtime if isinstance(rowtime, int) and not isinstance(rowtime, bool) \
            else self.clock.now_ms()
        if key is not None:
            partition = partition_for_key(key, self.partitions)
        else:
            partition = partition_of(None, value, self.partitions)
        return Record(value, key, (), ts, partition)
