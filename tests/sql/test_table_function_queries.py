"""Table functions (EXPLODE, CUBE_EXPLODE, user table functions) in queries: the FlatMap
stage, ksqlDB's semantics (one row per element; several calls zipped, the shorter padded
with NULL; calls inside expressions), its errors, and a failing user function."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tote.core import types as t
from tote.core.errors import SqlError
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.functions import default_functions
from tote.sql.functions.base import ResolvedTableFunction, TableFunction, variant
from tote.sql.server import KsqlServer
from tote.sql.testing import produce, rows

ORDERS = (
    "CREATE STREAM orders (id STRING KEY, items ARRAY<STRING>, qty ARRAY<INT>, "
    "lines ARRAY<STRUCT<sku STRING, n INT>>) "
    "WITH (kafka_topic='orders', partitions=1, value_format='JSON');"
)


def _fails_on_boom(types: Any) -> ResolvedTableFunction:
    def run(items: list[str] | None) -> list[str]:
        if items and "boom" in items:
            raise ValueError("boom in the list")
        return list(items or [])

    return ResolvedTableFunction(t.STRING, run)


@pytest.fixture
def engine() -> Iterator[Engine]:
    log = MemoryLog()
    with Registry(log) as registry:
        functions = default_functions().with_functions(
            [
                TableFunction(
                    "SPLIT_ALL",
                    "EXPLODE that fails on 'boom'",
                    (variant("ARRAY<STRING> a -> STRING"),),
                    _fails_on_boom,
                )
            ]
        )
        eng = Engine(log, registry, functions=functions)
        eng.execute("SET 'auto.offset.reset' = 'earliest';")
        eng.execute(ORDERS)
        yield eng
        eng.close()


def _orders(engine: Engine, *orders: tuple[str, list[str] | None, list[int] | None]) -> None:
    produce(engine, "ORDERS", [((key,), (items, qty, None)) for key, items, qty in orders])


def test_explode_gives_one_row_per_element_in_order(engine: Engine) -> None:
    engine.execute("CREATE STREAM items AS SELECT id, EXPLODE(items) AS item FROM orders;")
    _orders(
        engine,
        ("o1", ["a", "b", "c"], None),
        ("o2", [], None),
        ("o3", None, None),
        ("o4", ["d"], None),
    )
    engine.run_until_idle()
    assert rows(engine, "ITEMS") == [("o1", "a"), ("o1", "b"), ("o1", "c"), ("o4", "d")]


def test_several_calls_are_zipped_and_the_shorter_padded_with_null(engine: Engine) -> None:
    engine.execute(
        "CREATE STREAM lines AS SELECT id, EXPLODE(items) AS item, "
        "EXPLODE(qty) AS qty, 'x' AS tag FROM orders;"
    )
    _orders(engine, ("o1", ["a", "b", "c"], [1, 2]), ("o2", ["d"], [4, 5]))
    engine.run_until_idle()
    assert rows(engine, "LINES") == [
        ("o1", "a", 1, "x"),
        ("o1", "b", 2, "x"),
        ("o1", "c", None, "x"),
        ("o2", "d", 4, "x"),
        ("o2", None, 5, "x"),
    ]


def test_a_call_inside_an_expression_and_one_call_used_twice(engine: Engine) -> None:
    engine.execute(
        "CREATE STREAM skus AS SELECT id, EXPLODE(lines)->sku AS sku, "
        "EXPLODE(lines)->n * 10 AS tens, EXPLODE(qty) + 1 AS next "
        "FROM orders WHERE id <> 'skip';"
    )
    produce(
        engine,
        "ORDERS",
        [
            (("o1",), (None, [7], [{"SKU": "s1", "N": 1}, {"SKU": "s2", "N": 2}])),
            (("skip",), (None, [1], [{"SKU": "s9", "N": 9}])),
        ],
    )
    engine.run_until_idle()
    assert rows(engine, "SKUS") == [("o1", "s1", 10, 8), ("o1", "s2", 20, None)]


def test_table_functions_are_refused_where_ksqldb_refuses_them(engine: Engine) -> None:
    engine.execute("CREATE TABLE totals AS SELECT id, COUNT(*) AS n FROM orders GROUP BY id;")
    refusals = [
        (
            "CREATE TABLE t1 AS SELECT id, EXPLODE(ARRAY[n]) AS x FROM totals;",
            "Table source is not supported with table functions",
        ),
        (
            "CREATE TABLE t2 AS SELECT id, EXPLODE(items) AS x, COUNT(*) AS c FROM orders "
            "GROUP BY id;",
            "Table functions cannot be used with aggregations.",
        ),
        (
            "CREATE STREAM t3 AS SELECT id, EXPLODE(EXPLODE(ARRAY[items])) AS x FROM orders;",
            "Table functions cannot be nested",
        ),
    ]
    for statement, message in refusals:
        with pytest.raises(SqlError) as failed:
            engine.execute(statement)
        assert message in failed.value.message, statement


def test_a_failing_user_table_function_skips_the_row_and_is_logged(engine: Engine) -> None:
    engine.execute("CREATE STREAM parts AS SELECT id, SPLIT_ALL(items) AS part FROM orders;")
    _orders(engine, ("o1", ["a", "boom"], None), ("o2", ["b"], None))
    engine.run_until_idle()
    assert rows(engine, "PARTS") == [("o2", "b")]
    assert any("boom in the list" in e.message for e in engine.processing_log.errors)


def test_explode_in_a_pull_query_on_a_stream(engine: Engine) -> None:
    _orders(engine, ("o1", ["a", "b"], None))
    server = KsqlServer(engine.log, engine.registry, engine=engine)
    query = server.queries.start("SELECT id, EXPLODE(items) AS item FROM orders;")
    found: list[tuple[Any, ...]] = []
    while True:
        batch = query.poll(5.0)
        found.extend(row.columns for row in batch.rows)
        if batch.final is not None:
            break
    assert found == [("o1", "a"), ("o1", "b")]


def test_explode_in_a_push_query(engine: Engine) -> None:
    server = KsqlServer(engine.log, engine.registry, engine=engine)
    query = server.queries.start(
        "SELECT id, EXPLODE(items) AS item FROM orders EMIT CHANGES LIMIT 3;",
        properties={"auto.offset.reset": "earliest"},
    )
    _orders(engine, ("o1", ["a", "b"], None), ("o2", ["c", "d"], None))
    found: list[tuple[Any, ...]] = []
    while True:
        batch = query.poll(5.0)
        found.extend(row.columns for row in batch.rows)
        if batch.final is not None:
            break
    assert found == [("o1", "a"), ("o1", "b"), ("o2", "c")]
