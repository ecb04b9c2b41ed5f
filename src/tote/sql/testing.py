"""Helpers for tests and examples that drive the SQL engine on a real log.

    engine.execute("CREATE STREAM ...; CREATE TABLE ... AS SELECT ...;")
    produce(engine, "SOURCE", [(key, value), ...])   # rows in the source's formats
    engine.run_until_idle()
    assert rows(engine, "SINK") == [...]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tote.core.errors import SqlError
from tote.core.records import LogRecord, Record, TopicPartition
from tote.sql.codecs import WindowedKeyCodec, build_codec
from tote.sql.engine import Engine
from tote.sql.sources import DataSource


def source(engine: Engine, name: str) -> DataSource:
    found = engine.metastore.source(name)
    if found is None:
        raise KeyError(f"no stream or table {name}")
    return found


def records(engine: Engine, name: str) -> list[tuple[tuple[Any, ...] | None,
                                                     tuple[Any, ...] | None, int]]:
    """(key values, value values, timestamp) of every record on a source's topic, in
    partition then offset order."""
    src = source(engine, name)
    keys = build_codec(src.key_columns, src.key_format, topic=src.topic, is_key=True,
                       registry=engine.registry, prefer_registered=not src.from_query)
    values = build_codec(src.value_columns, src.value_format, topic=src.topic, is_key=False,
                         registry=engine.registry, prefer_registered=not src.from_query)
    out = []
    partitions = engine.log.describe_topic(src.topic).spec.partitions
    for partition in range(partitions):
        offset = 0
        while True:
            batch = engine.log.read(TopicPartition(src.topic, partition), offset, 1000)
            if not batch:
                break
            for record in batch:
                out.append((keys.decode(record.key), values.decode(record.value),
                            record.timestamp))
            offset = batch[-1].offset + 1
    return out


def windowed_records(engine: Engine, name: str) -> list[tuple[tuple[Any, ...],
                                                              tuple[int, int],
                                                              tuple[Any, ...] | None, int]]:
    """(key values, (window start, window end), value values or None, timestamp) of every
    record on a windowed table's topic, in partition then offset order."""
    src = source(engine, name)
    assert src.window is not None, f"{name} is not windowed"
    keys = WindowedKeyCodec(build_codec(src.key_columns, src.key_format, topic=src.topic,
                                        is_key=True, registry=engine.registry,
                                        prefer_registered=not src.from_query), src.window)
    values = build_codec(src.value_columns, src.value_format, topic=src.topic, is_key=False,
                         registry=engine.registry, prefer_registered=not src.from_query)
    out = []
    for record in _read(engine, src.topic):
        key, start, end = keys.decode(record.key)
        value = values.decode(record.value)
        out.append((tuple(key or ()), (start, end),
                    tuple(value) if value is not None else None, record.timestamp))
    return out


def _read(engine: Engine, topic: str) -> list[LogRecord]:
    out: list[LogRecord] = []
    for partition in range(engine.log.describe_topic(topic).spec.partitions):
        offset = 0
        while batch := engine.log.read(TopicPartition(topic, partition), offset, 1000):
            out.extend(batch)
            offset = batch[-1].offset + 1
    return out


def rows(engine: Engine, name: str) -> list[tuple[Any, ...]]:
    """Key values followed by value values of every record (None for a tombstone)."""
    out: list[tuple[Any, ...]] = []
    for key, value, _ in records(engine, name):
        out.append(tuple(key or ()) + (tuple(value) if value is not None else (None,)))
    return out


def produce(engine: Engine, name: str, items: Iterable[tuple[Sequence[Any], Sequence[Any]]],
            timestamp: int | None = None) -> None:
    """Append rows (key values, value values) to a source's topic in its formats, one
    batch, each keyed record on the partition Kafka would choose."""
    src = source(engine, name)
    keys = build_codec(src.key_columns, src.key_format, topic=src.topic, is_key=True,
                       registry=engine.registry, prefer_registered=not src.from_query)
    values = build_codec(src.value_columns, src.value_format, topic=src.topic, is_key=False,
                         registry=engine.registry, prefer_registered=not src.from_query)
    batch = [Record(values.encode(tuple(value)), keys.encode(tuple(key)), (), timestamp)
             for key, value in items]
    engine.log.append(src.topic, batch)


def catalogue(engine: Engine) -> list[Any]:
    """Everything a failed statement must leave as it was: what SHOW lists (streams with
    their schemas, tables, topics, queries, types), the running queries and the registry's
    subjects. Compare it before and after."""
    shown = [engine.execute(s)[0] for s in (
        "SHOW STREAMS EXTENDED;", "SHOW TABLES;", "SHOW ALL TOPICS;", "SHOW QUERIES;",
        "SHOW TYPES;")]
    subjects = engine.registry.subjects() if engine.registry is not None else []
    return [shown, sorted(engine.runtime.queries), subjects]


def refused(engine: Engine, sql: str) -> SqlError:
    """Run `sql`, which must be refused with a user's error and leave the catalogue as it
    was (a failed statement leaves nothing behind); the error."""
    before = catalogue(engine)
    try:
        engine.execute(sql)
    except SqlError as error:
        if catalogue(engine) != before:
            raise AssertionError(f"a refused statement changed the catalogue: {sql}") from None
        return error
    raise AssertionError(f"not refused: {sql}")
