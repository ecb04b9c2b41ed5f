"""Pull queries on a windowed SOURCE table: key lookups, window bounds, timestamp text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tote.core.records import Record
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.codecs import EmptyCodec, WindowedKeyCodec
from tote.sql.engine import Engine
from tote.sql.errors import StatementError
from tote.sql.transient import TransientQueries, schema_text


@pytest.fixture
def queries() -> Iterator[TransientQueries]:
    log = MemoryLog()
    with Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute("CREATE SOURCE TABLE w (id STRING PRIMARY KEY, n INT) WITH "
                       "(kafka_topic='w', value_format='JSON', window_type='Tumbling', "
                       "window_size='1 SECOND', partitions=1);")
        source = engine.metastore.source("W")
        assert source is not None and source.window is not None
        codec = WindowedKeyCodec(EmptyCodec(), source.window)

        def record(key: str, start: int, value: bytes | None) -> Record:
            return Record(value, key.encode() + codec.encode((), start, start + 1000), (),
                          start + 1, 0)

        log.append("w", [record("10", 12000, b'{"N":1}'), record("10", 13000, b'{"N":2}'),
                         record("8", 12000, b'{"N":3}'), record("8", 14000, b'{"N":4}'),
                         record("8", 14000, None)])
        yield TransientQueries(engine)
        engine.close()


def _rows(queries: TransientQueries, sql: str) -> list[tuple[object, ...]]:
    batch = queries.start(sql).poll(1.0)
    return sorted(r.columns for r in batch.rows)


def test_key_lookup_marks_key_and_window_columns(queries: TransientQueries) -> None:
    query = queries.start("SELECT * FROM w WHERE id = '10';")
    assert schema_text(query.columns, query.is_pull) == (
        "`ID` STRING KEY, `WINDOWSTART` BIGINT KEY, `WINDOWEND` BIGINT KEY, `N` INTEGER")
    assert sorted(r.columns for r in query.poll(1.0).rows) == [
        ("10", 12000, 13000, 1), ("10", 13000, 14000, 2)]


def test_window_bounds_and_tombstones(queries: TransientQueries) -> None:
    assert _rows(queries, "SELECT * FROM w WHERE id = '10' AND windowstart = 13000;") == [
        ("10", 13000, 14000, 2)]
    assert _rows(queries, "SELECT id, n FROM w WHERE id IN ('8', '10') AND windowend <= 13000;"
                 ) == [("10", 1), ("8", 3)]
    # The tombstone removed the 14000 window of key 8.
    assert _rows(queries, "SELECT id, windowstart FROM w WHERE id = '8';") == [("8", 12000)]


def test_timestamp_text_for_window_bounds(queries: TransientQueries) -> None:
    assert _rows(queries, "SELECT id, n FROM w WHERE windowstart >= "
                 "'1970-01-01T00:00:12.500';") == [("10", 2)]
    assert _rows(queries, "SELECT id, n FROM w WHERE windowstart = "
                 "'1970-01-01T01:00:13.000+0100';") == [("10", 2)]


def test_scans_can_be_disabled(queries: TransientQueries) -> None:
    off = {"ksql.query.pull.table.scan.enabled": "false"}
    assert [r.columns for r in queries.start("SELECT n FROM w WHERE id = '10' AND n > 1;",
                                             off).poll(1.0).rows] == [(2,)]
    with pytest.raises(StatementError) as error:
        queries.start("SELECT * FROM w WHERE n > 1;", off)
    assert error.value.message == "WHERE clause missing key column for disjunct: (N > 1)"
    with pytest.raises(StatementError) as error:
        queries.start("SELECT * FROM w WHERE id != '10';", off)
    assert error.value.message == ("Bound on key columns '[`ID` STRING KEY]' must currently "
                                   "be '='. ")
