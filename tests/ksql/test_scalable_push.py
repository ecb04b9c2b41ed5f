"""Scalable push queries (`ksql.query.push.v2.enabled`): which push queries ksqlDB
serves from a persistent query's output, how they are named, and the records they skip."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest

from tote.core.records import Record
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.transient import TransientQueries, TransientQuery

LATEST = {"auto.offset.reset": "latest"}


@pytest.fixture
def setup() -> Iterator[tuple[MemoryLog, TransientQueries]]:
    log = MemoryLog()
    with Registry(log) as registry:
        engine = Engine(log, registry, properties={"ksql.query.push.v2.enabled": "true"})
        engine.start()
        engine.execute("CREATE STREAM readings (sensor INT KEY, level INT) WITH "
                       "(kafka_topic='readings', value_format='JSON', partitions=1);")
        engine.execute("CREATE STREAM copied AS SELECT * FROM readings;")
        engine.execute("CREATE STREAM keyless (note STRING) WITH (kafka_topic='keyless', "
                       "value_format='JSON', partitions=1);")
        engine.execute("CREATE STREAM keyless_copy AS SELECT * FROM keyless;")
        yield log, TransientQueries(engine)
        engine.close()


def _key(sensor: int) -> bytes:
    return struct.pack(">i", sensor)


def _all_rows(query: TransientQuery) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for _ in range(100):
        batch = query.poll(0.2)
        rows.extend(r.columns for r in batch.rows)
        if batch.final is not None:
            return rows
    raise AssertionError(f"the query did not reach its LIMIT: {rows}")


def test_a_simple_push_on_a_derived_stream_is_scalable(
        setup: tuple[MemoryLog, TransientQueries]) -> None:
    _, queries = setup
    query = queries.start("SELECT * FROM copied WHERE level > 1 EMIT CHANGES;", LATEST)
    try:
        assert query.query_id.startswith("SCALABLE_PUSH_QUERY_")
    finally:
        queries.close(query.query_id)


@pytest.mark.parametrize(("sql", "properties"), [
    ("SELECT * FROM copied EMIT CHANGES;", {"auto.offset.reset": "earliest"}),
    ("SELECT * FROM copied EMIT CHANGES;",
     {**LATEST, "ksql.query.push.v2.enabled": "false"}),
    # No persistent query writes READINGS.
    ("SELECT * FROM readings EMIT CHANGES;", LATEST),
    ("SELECT sensor, COUNT(*) FROM copied GROUP BY sensor EMIT CHANGES;", LATEST),
    ("SELECT * FROM copied PARTITION BY level EMIT CHANGES;", LATEST),
    ("SELECT sensor, ROWOFFSET FROM copied EMIT CHANGES;", LATEST),
    ("SELECT * FROM copied WHERE ROWPARTITION = 0 EMIT CHANGES;", LATEST),
])
def test_other_push_queries_stay_transient(
        setup: tuple[MemoryLog, TransientQueries], sql: str,
        properties: dict[str, str]) -> None:
    _, queries = setup
    query = queries.start(sql, properties)
    try:
        assert query.query_id.startswith("transient_"), query.query_id
    finally:
        queries.close(query.query_id)


def test_scalable_push_skips_records_without_key_or_value(
        setup: tuple[MemoryLog, TransientQueries]) -> None:
    log, queries = setup
    query = queries.start("SELECT * FROM copied EMIT CHANGES LIMIT 2;", LATEST)
    log.append("COPIED", [Record(b'{"LEVEL":1}', None, (), 1, None),
                          Record(None, _key(7), (), 2, None),
                          Record(b'{"LEVEL":2}', _key(7), (), 3, None),
                          Record(b'{"LEVEL":3}', _key(8), (), 4, None)])
    assert _all_rows(query) == [(7, 2), (8, 3)]


def test_a_transient_push_still_sees_records_without_key(
        setup: tuple[MemoryLog, TransientQueries]) -> None:
    log, queries = setup
    query = queries.start("SELECT * FROM readings EMIT CHANGES LIMIT 2;", LATEST)
    log.append("readings", [Record(b'{"LEVEL":1}', None, (), 1, None),
                            Record(b'{"LEVEL":2}', _key(7), (), 2, None)])
    assert _all_rows(query) == [(None, 1), (7, 2)]


def test_a_keyless_source_keeps_its_records(
        setup: tuple[MemoryLog, TransientQueries]) -> None:
    log, queries = setup
    query = queries.start("SELECT * FROM keyless_copy EMIT CHANGES LIMIT 1;", LATEST)
    assert query.query_id.startswith("SCALABLE_PUSH_QUERY_")
    log.append("KEYLESS_COPY", [Record(b'{"NOTE":"hi"}', None, (), 1, None)])
    assert _all_rows(query) == [("hi",)]
