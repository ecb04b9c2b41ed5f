"""A stream-table join's table side fed straight from the table's topic (no `Rec` is built
for a table change there; `join.Store`): what reaches the join's table, and what its
state store holds, must be what a change pushed along as a record gave.

Covered: upserts, a tombstone of a present and of an absent row, a record with a null
key, a table read with a TIMESTAMP column (the general source entry), and a table made by
a filtering query (whose deletions arrive as tombstones).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tote.core.records import Record
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.codecs import build_codec
from tote.sql.engine import Engine
from tote.sql.runtime import values
from tote.sql.testing import produce, records, source

TABLES = """
CREATE STREAM S (ID INT KEY, A STRING) WITH (kafka_topic='s', partitions=1,
    value_format='JSON');
CREATE TABLE T (ID INT PRIMARY KEY, C STRING) WITH (kafka_topic='t', partitions=1,
    value_format='JSON');
CREATE TABLE TT (ID INT PRIMARY KEY, C STRING, STAMP BIGINT) WITH (kafka_topic='tt',
    partitions=1, value_format='JSON', timestamp='STAMP');
"""


@pytest.fixture
def engine() -> Iterator[Engine]:
    log = MemoryLog()
    with Registry(log) as registry:
        eng = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
        eng.start()
        eng.execute(TABLES)
        yield eng
        eng.close()


def _tombstone(engine: Engine, name: str, key: int | None, at: int) -> None:
    """A record with no value (and, for `key` None, no key either)."""
    src = source(engine, name)
    keys = build_codec(src.key_columns, src.key_format, topic=src.topic, is_key=True,
                       registry=engine.registry)
    raw_key = None if key is None else keys.encode((key,))
    engine.log.append(src.topic, [Record(None, raw_key, (), at)])


def _rows(engine: Engine, name: str) -> list[tuple[Any, ...]]:
    return [(*(k or ()), *(v or ()), ts) for k, v, ts in records(engine, name)]


def _join_stores(engine: Engine) -> dict[bytes, Any]:
    """Every stream-table join's table store, merged: stored key bytes → entry."""
    log = engine.log
    assert isinstance(log, MemoryLog)
    return {key: values.unpack_state(value) for name, store in log.stores.items()
            if name.endswith("-right-store.0") for key, value in store.items()}


def _step(engine: Engine, name: str, items: list[tuple[int, str]], at: int) -> None:
    produce(engine, name, [((k,), (text,)) for k, text in items], timestamp=at)
    engine.run_until_idle()


def test_the_join_table_follows_upserts_and_tombstones(engine: Engine) -> None:
    engine.execute("CREATE STREAM J AS SELECT S.ID AS ID, A, C FROM S LEFT JOIN T "
                   "ON S.ID = T.ID;")
    _step(engine, "T", [(1, "c1"), (2, "c2")], 10)
    _tombstone(engine, "T", 2, 11)  # present: deleted
    _tombstone(engine, "T", 3, 12)  # absent: nothing to delete
    _tombstone(engine, "T", None, 13)  # no key: dropped
    produce(engine, "T", [((None,), ("lost",))], timestamp=14)  # null key: dropped
    engine.run_until_idle()
    _step(engine, "S", [(1, "a1"), (2, "a2"), (3, "a3")], 20)
    assert _rows(engine, "J") == [(1, "a1", "c1", 20), (2, "a2", None, 20),
                                  (3, "a3", None, 20)]
    # The stored entry is (row, timestamp); deleted and never-present keys are gone.
    stored = _join_stores(engine)
    assert list(stored.values()) == [(("c1", 10, 0, 0, 1), 10)]
    _step(engine, "T", [(1, "c1b")], 30)
    _step(engine, "S", [(1, "a4")], 40)
    assert _rows(engine, "J")[-1] == (1, "a4", "c1b", 40)


def test_a_join_table_stored_in_the_earlier_form_still_joins(engine: Engine) -> None:
    """Stores written before hold each entry as [row as a list, timestamp], pickled: a
    restarted engine reads them as the entries they were."""
    engine.execute("CREATE STREAM J AS SELECT S.ID AS ID, A, C FROM S LEFT JOIN T "
                   "ON S.ID = T.ID;")
    _step(engine, "T", [(1, "c1"), (2, "c2")], 10)
    log = engine.log
    assert isinstance(log, MemoryLog)
    engine.close()
    for name, store in log.stores.items():
        if name.endswith("-right-store.0"):
            for key, value in list(store.items()):
                row, ts = values.unpack_state(value)
                store[key] = values.pack([list(row), ts])
    assert list(_join_stores(engine).values()) == [[["c1", 10, 0, 0, 1], 10],
                                                   [["c2", 10, 0, 1, 2], 10]]
    with Registry(log) as registry:
        again = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
        again.start()
        _step(again, "T", [(2, "c2b")], 15)
        _step(again, "S", [(1, "a1"), (2, "a2")], 20)
        assert _rows(again, "J") == [(1, "a1", "c1", 20), (2, "a2", "c2b", 20)]
        assert list(_join_stores(again).values()) == [[["c1", 10, 0, 0, 1], 10],
                                                      (("c2b", 15, 0, 2, 2), 15)]
        again.close()


def test_a_table_with_a_timestamp_column_fills_the_join_table(engine: Engine) -> None:
    engine.execute("CREATE STREAM J AS SELECT S.ID AS ID, A, C FROM S JOIN TT "
                   "ON S.ID = TT.ID;")
    produce(engine, "TT", [((1,), ("c1", 7)), ((2,), ("c2", 8))], timestamp=100)
    engine.run_until_idle()
    _tombstone(engine, "TT", 2, 101)
    engine.run_until_idle()
    _step(engine, "S", [(1, "a1"), (2, "a2")], 200)
    assert _rows(engine, "J") == [(1, "a1", "c1", 200)]
    assert list(_join_stores(engine).values()) == [(("c1", 7, 7, 0, 0, 1), 7)]


def test_a_filtering_tables_deletions_reach_the_join_table(engine: Engine) -> None:
    engine.execute("CREATE TABLE F AS SELECT * FROM T WHERE C <> 'no';")
    engine.execute("CREATE STREAM J AS SELECT S.ID AS ID, A, C FROM S LEFT JOIN F "
                   "ON S.ID = F.ID;")
    _step(engine, "T", [(1, "yes")], 10)
    _step(engine, "T", [(1, "no")], 11)
    _step(engine, "S", [(1, "a1")], 20)
    assert _rows(engine, "J") == [(1, "a1", None, 20)]


def test_a_projection_generated_into_the_join_reads_both_sides(engine: Engine) -> None:
    """The projection after a stream-table join runs in the join's function, reading the
    stream's and the table's rows (nulls for a missing one) without joining them; a
    failing expression is NULL there as anywhere."""
    engine.execute("CREATE STREAM J AS SELECT T.ID AS K, C, A, 10 / (S.ID - 1) AS Q "
                   "FROM S LEFT JOIN T ON S.ID + 1 = T.ID;")
    _step(engine, "T", [(2, "c2")], 10)
    _step(engine, "S", [(1, "a1"), (2, "a2")], 20)
    assert _rows(engine, "J") == [(2, "c2", "a1", None, 20), (3, None, "a2", 10, 20)]
