"""Foreign-key table-table joins: `orders JOIN products ON orders.product_id = products.id`.

The result is keyed by the order (the left table's key); each order joins the product its
foreign key names; a product change updates every order referencing it; an order that
changes its foreign key moves. Records are fed one at a time and every output record of
the result table is checked (key, row or tombstone, timestamp), in the order written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tote.core.errors import SqlError
from tote.core.records import Record
from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.codecs import build_codec
from tote.sql.engine import Engine
from tote.sql.results import QueryDescriptionResult, SourceDescriptionResult
from tote.sql.runtime.operators.fk_join import SubscriptionStore
from tote.sql.runtime.state import KeyState
from tote.sql.testing import produce, records, source
from tote.sql.transient import TransientQueries

TABLES = """
CREATE TABLE ORDERS (ID BIGINT PRIMARY KEY, PRODUCT_ID BIGINT, QTY INT)
    WITH (kafka_topic='orders', partitions={orders}, value_format='JSON');
CREATE TABLE PRODUCTS (ID BIGINT PRIMARY KEY, NAME STRING, PRICE INT)
    WITH (kafka_topic='products', partitions={products}, value_format='JSON');
"""
INNER = (
    "CREATE TABLE J AS SELECT O.ID AS ID, PRODUCT_ID, QTY, NAME FROM ORDERS O "
    "JOIN PRODUCTS P ON O.PRODUCT_ID = P.ID;"
)
LEFT = (
    "CREATE TABLE J AS SELECT O.ID AS ID, PRODUCT_ID, QTY, NAME FROM ORDERS O "
    "LEFT JOIN PRODUCTS P ON O.PRODUCT_ID = P.ID;"
)

Item = tuple[str, int, tuple[Any, ...] | None, int]


def _engine(log: Log, registry: Registry) -> Engine:
    engine = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
    engine.start()
    return engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    log = MemoryLog()
    with Registry(log) as registry:
        eng = _engine(log, registry)
        eng.execute(TABLES.format(orders=1, products=1))
        yield eng
        eng.close()


def feed(engine: Engine, items: list[Item]) -> None:
    """(table, key, value columns or None for a deletion, timestamp), one at a time."""
    for table, key, value, at in items:
        produce_one(engine, table, key, value, at)
        engine.run_until_idle()


def produce_one(
    engine: Engine, table: str, key: int, value: tuple[Any, ...] | None, at: int
) -> None:
    if value is None:
        src = source(engine, table)
        keys = build_codec(
            src.key_columns, src.key_format, topic=src.topic, is_key=True, registry=engine.registry
        )
        engine.log.append(src.topic, [Record(None, keys.encode((key,)), (), at)])
    else:
        produce(engine, table, [((key,), value)], timestamp=at)


def out(engine: Engine, name: str = "J") -> list[tuple[Any, ...]]:
    """(key, columns... or None, timestamp) per output record."""
    result = []
    for key, value, ts in records(engine, name):
        assert key is not None
        result.append((*key, *(value if value is not None else (None,)), ts))
    return result


def test_inner_join_follows_products_orders_and_moves(engine: Engine) -> None:
    engine.execute(INNER)
    feed(
        engine,
        [
            ("PRODUCTS", 7, ("pen", 2), 1),
            ("ORDERS", 20, (7, 1), 2),  # matches pen
            ("ORDERS", 3, (7, 5), 3),  # matches pen
            ("ORDERS", 4, (99, 1), 4),  # no product 99: nothing (new order)
            ("PRODUCTS", 7, ("ink pen", 3), 5),  # both orders referencing 7, in key order
            ("PRODUCTS", 8, ("pad", 4), 6),  # nobody references 8 yet
            ("ORDERS", 3, (8, 5), 7),  # order 3 moves to the pad
            ("ORDERS", 20, (99, 1), 8),  # order 20 moves to a missing product: deleted
            ("PRODUCTS", 7, ("quill", 9), 9),  # nobody references 7 any more
            ("PRODUCTS", 8, None, 10),  # order 3 loses its product
            ("ORDERS", 3, None, 11),  # a deleted order is always a tombstone
        ],
    )
    assert out(engine) == [
        (20, 7, 1, "pen", 2),
        (3, 7, 5, "pen", 3),
        (3, 7, 5, "ink pen", 5),
        (20, 7, 1, "ink pen", 5),
        (3, 8, 5, "pad", 7),
        (20, None, 8),
        (3, None, 10),
        (3, None, 11),
    ]


def test_left_join_keeps_orders_without_products(engine: Engine) -> None:
    engine.execute(LEFT)
    feed(
        engine,
        [
            ("ORDERS", 1, (7, 2), 1),  # no product yet: null right columns
            ("PRODUCTS", 7, ("pen", 2), 2),
            ("ORDERS", 2, (8, 1), 3),
            ("ORDERS", 1, (8, 2), 4),  # moves to a missing product
            ("PRODUCTS", 8, ("pad", 1), 5),  # both orders now reference 8
            ("PRODUCTS", 8, None, 6),  # they keep their rows, without the product
            ("ORDERS", 2, None, 7),
        ],
    )
    assert out(engine) == [
        (1, 7, 2, None, 1),
        (1, 7, 2, "pen", 2),
        (2, 8, 1, None, 3),
        (1, 8, 2, None, 4),
        (1, 8, 2, "pad", 5),
        (2, 8, 1, "pad", 5),
        (1, 8, 2, None, 6),
        (2, 8, 1, None, 6),
        (2, None, 7),
    ]


def test_null_foreign_key_references_nothing(engine: Engine) -> None:
    engine.execute(LEFT)
    engine.execute(
        "CREATE TABLE K AS SELECT O.ID AS ID, QTY, NAME FROM ORDERS O "
        "JOIN PRODUCTS P ON O.PRODUCT_ID = P.ID;"
    )
    feed(
        engine,
        [
            ("PRODUCTS", 7, ("pen", 2), 1),
            ("ORDERS", 1, (None, 2), 2),
            ("ORDERS", 1, (7, 2), 3),
            ("ORDERS", 1, (None, 3), 4),
            ("PRODUCTS", 7, ("ink", 2), 5),  # order 1 no longer references 7
        ],
    )
    assert out(engine) == [(1, None, 2, None, 2), (1, 7, 2, "pen", 3), (1, None, 3, None, 4)]
    assert out(engine, "K") == [(1, 2, "pen", 3), (1, None, 4)]


def test_foreign_key_can_be_an_expression_over_left_columns(engine: Engine) -> None:
    engine.execute(
        "CREATE TABLE CODES (ID BIGINT PRIMARY KEY, CODE STRING) "
        "WITH (kafka_topic='codes', partitions=1, value_format='JSON');"
    )
    engine.execute(
        "CREATE TABLE J AS SELECT C.ID AS ID, NAME FROM CODES C "
        "JOIN PRODUCTS P ON P.ID = CAST(SUBSTRING(C.CODE, 3) AS BIGINT) + 1;"
    )
    feed(
        engine,
        [
            ("PRODUCTS", 42, ("pen", 2), 1),
            ("CODES", 5, ("P-41",), 2),
            ("CODES", 6, ("P-40",), 3),
        ],
    )
    assert out(engine) == [(5, "pen", 2)]


def test_select_star_is_keyed_by_the_left_key_and_keeps_the_right_key_as_a_value(
    engine: Engine,
) -> None:
    engine.execute(
        "CREATE TABLE J AS SELECT * FROM ORDERS JOIN PRODUCTS ON ORDERS.PRODUCT_ID = PRODUCTS.ID;"
    )
    sink = engine.metastore.source("J")
    assert sink is not None
    assert [(c.name, str(c.type), c.role.value) for c in sink.columns] == [
        ("ORDERS_ID", "BIGINT", "KEY"),
        ("ORDERS_PRODUCT_ID", "BIGINT", "VALUE"),
        ("ORDERS_QTY", "INTEGER", "VALUE"),
        ("PRODUCTS_ID", "BIGINT", "VALUE"),
        ("PRODUCTS_NAME", "STRING", "VALUE"),
        ("PRODUCTS_PRICE", "INTEGER", "VALUE"),
    ]
    feed(engine, [("PRODUCTS", 7, ("pen", 2), 1), ("ORDERS", 1, (7, 3), 2)])
    assert out(engine) == [(1, 7, 3, 7, "pen", 2, 2)]


def test_aggregating_the_join_retracts_an_order_that_moved(engine: Engine) -> None:
    engine.execute(INNER)
    engine.execute("CREATE TABLE PER_NAME AS SELECT NAME, SUM(QTY) AS QTY FROM J GROUP BY NAME;")
    feed(
        engine,
        [
            ("PRODUCTS", 7, ("pen", 2), 1),
            ("PRODUCTS", 8, ("pad", 2), 2),
            ("ORDERS", 1, (7, 2), 3),
            ("ORDERS", 2, (7, 5), 4),
            ("ORDERS", 1, (8, 2), 5),
        ],
    )
    final = {
        key[0]: value
        for key, value, _ in records(engine, "PER_NAME")
        if key is not None and value is not None
    }
    assert final == {"pen": (5,), "pad": (2,)}


def test_fk_join_at_the_start_of_an_n_way_join(engine: Engine) -> None:
    engine.execute(
        "CREATE TABLE NOTES (ID BIGINT PRIMARY KEY, TEXT STRING) "
        "WITH (kafka_topic='notes', partitions=1, value_format='JSON');"
    )
    engine.execute(
        "CREATE TABLE J AS SELECT O.ID AS ID, NAME, TEXT FROM ORDERS O "
        "JOIN PRODUCTS P ON O.PRODUCT_ID = P.ID "
        "LEFT JOIN NOTES N ON O.ID = N.ID;"
    )
    feed(
        engine,
        [
            ("PRODUCTS", 7, ("pen", 2), 1),
            ("ORDERS", 1, (7, 2), 2),
            ("NOTES", 1, ("gift",), 3),
            ("PRODUCTS", 7, ("ink", 2), 4),
        ],
    )
    assert out(engine) == [(1, "pen", None, 2), (1, "pen", "gift", 3), (1, "ink", "gift", 4)]


def _run_partitioned(orders: int, products: int) -> list[tuple[Any, ...]]:
    log = MemoryLog()
    with Registry(log) as registry:
        engine = _engine(log, registry)
        try:
            engine.execute(TABLES.format(orders=orders, products=products))
            engine.execute(INNER)
            items: list[Item] = [("PRODUCTS", p, (f"p{p}", p), p) for p in range(10)]
            items += [("ORDERS", o, (o % 10, o), 100 + o) for o in range(30)]
            items += [("PRODUCTS", p, (f"q{p}", p), 200 + p) for p in range(0, 10, 3)]
            items += [("ORDERS", o, ((o + 1) % 10, o), 300 + o) for o in range(0, 30, 4)]
            items += [("PRODUCTS", 4, None, 400), ("ORDERS", 5, None, 401)]
            feed(engine, items)
            return out(engine)
        finally:
            engine.close()


def per_order(rows: list[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """Output rows by order: records of one key keep their order on any partition."""
    grouped: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


def test_partitions_of_left_and_right_may_differ() -> None:
    """Subscriptions travel to the right table's partition, results back to the order's:
    each order's results are the same whatever the partition counts."""
    single = _run_partitioned(1, 1)
    assert len(single) > 40
    assert per_order(_run_partitioned(3, 2)) == per_order(single)


def test_subscriptions_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "tote.db"
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = _engine(log, registry)
        engine.execute(TABLES.format(orders=2, products=2) + INNER)
        feed(
            engine,
            [
                ("PRODUCTS", 7, ("pen", 2), 1),
                ("ORDERS", 1, (7, 2), 2),
                ("ORDERS", 2, (7, 3), 3),
                ("ORDERS", 3, (8, 3), 4),
                ("ORDERS", 2, (8, 3), 5),
            ],
        )
        engine.close()
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = _engine(log, registry)
        try:
            feed(engine, [("PRODUCTS", 8, ("pad", 1), 6), ("PRODUCTS", 7, ("ink", 2), 7)])
            assert per_order(out(engine)) == {
                1: [(1, 7, 2, "pen", 2), (1, 7, 2, "ink", 7)],
                2: [(2, 7, 3, "pen", 3), (2, None, 5), (2, 8, 3, "pad", 6)],
                3: [(3, 8, 3, "pad", 6)],  # rebuilt subscriptions of product 8
            }
        finally:
            engine.close()


def test_deletions_of_rows_that_never_were_emit_nothing(engine: Engine) -> None:
    engine.execute(LEFT)
    feed(
        engine,
        [
            ("ORDERS", 1, (7, 2), 1),
            ("PRODUCTS", 7, None, 2),  # product 7 never existed: order 1 keeps its row
            ("ORDERS", 5, None, 3),  # order 5 never existed: no tombstone
            ("PRODUCTS", 7, ("pen", 2), 4),
        ],
    )
    assert out(engine) == [(1, 7, 2, None, 1), (1, 7, 2, "pen", 4)]


def test_orders_move_and_go_after_a_restart(tmp_path: Path) -> None:
    """Where each order was subscribed survives a restart: an order that moves after it
    leaves its old product, and a deleted order is a tombstone."""
    db = tmp_path / "tote.db"
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = _engine(log, registry)
        engine.execute(TABLES.format(orders=2, products=2) + INNER)
        feed(
            engine,
            [
                ("PRODUCTS", 7, ("pen", 2), 1),
                ("PRODUCTS", 8, ("pad", 1), 2),
                ("ORDERS", 1, (7, 2), 3),
                ("ORDERS", 2, (7, 3), 4),
            ],
        )
        engine.close()
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = _engine(log, registry)
        try:
            feed(
                engine,
                [
                    ("ORDERS", 1, (8, 2), 5),  # moves to the pad
                    ("ORDERS", 2, None, 6),
                    ("PRODUCTS", 7, ("ink", 3), 7),  # nobody references the pen now
                ],
            )
            assert per_order(out(engine)) == {
                1: [(1, 7, 2, "pen", 3), (1, 8, 2, "pad", 5)],
                2: [(2, 7, 3, "pen", 4), (2, None, 6)],
            }
        finally:
            engine.close()


def test_subscription_index_follows_a_rolled_back_step() -> None:
    log = MemoryLog()
    store = SubscriptionStore(KeyState(log, "subs"), lambda key: repr(key).encode())
    store.subscribe(7, (1,), ("a",))
    store.subscribe(7, (2,), ("b",))
    store.commit()
    store.unsubscribe(7, (1,))
    store.subscribe(8, (1,), ("a2",))
    assert store.subscribers(7) == [((2,), ("b",))]
    store.rollback()
    assert store.subscribers(7) == [((1,), ("a",)), ((2,), ("b",))]
    assert store.subscribers(8) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "SELECT O.ID, NAME FROM ORDERS O RIGHT JOIN PRODUCTS P ON O.PRODUCT_ID = P.ID",
            "RIGHT OUTER JOIN on a foreign key is not supported",
        ),
        (
            "SELECT O.ID, NAME FROM ORDERS O FULL OUTER JOIN PRODUCTS P ON O.PRODUCT_ID = P.ID",
            "Invalid join type: full-outer join not supported for foreign-key table-table join. "
            "Got ORDERS [FULL] OUTER JOIN PRODUCTS.",
        ),
        (
            "SELECT O.ID, NAME FROM ORDERS O JOIN PRODUCTS P ON O.QTY = P.ID",
            "Invalid join condition: types don't match. Got O.QTY{INTEGER} = P.ID{BIGINT}.",
        ),
        (
            "SELECT O.ID, NAME FROM ORDERS O JOIN PRODUCTS P ON P.ID = O.QTY",
            "Invalid join condition: types don't match. Got P.ID{BIGINT} = O.QTY{INTEGER}.",
        ),
        (
            "SELECT QTY, NAME FROM ORDERS O JOIN PRODUCTS P ON O.PRODUCT_ID = P.ID",
            "Primary key column missing in projection. For foreign-key table-table joins, the "
            "projection must include all primary key columns from the left input table (`O`). "
            "Missing column: `ID`.",
        ),
        (
            "SELECT O.ID, NAME FROM ORDERS O JOIN PRODUCTS P ON O.ID = P.ID "
            "JOIN NOTES N ON O.PRODUCT_ID = N.ID",
            "Invalid join condition: foreign-key table-table joins are not supported as part of "
            "n-way joins. Got O.PRODUCT_ID = N.ID.",
        ),
    ],
)
def test_unsupported_fk_joins_fail_with_ksqldb_messages(
    engine: Engine, query: str, message: str
) -> None:
    engine.execute(
        "CREATE TABLE NOTES (ID BIGINT PRIMARY KEY, TEXT STRING) "
        "WITH (kafka_topic='notes', partitions=1, value_format='JSON');"
    )
    topics = set(engine.log.list_topics())
    with pytest.raises(SqlError) as caught:
        engine.execute(f"CREATE TABLE J AS {query};")
    assert caught.value.message == message
    assert engine.metastore.source("J") is None
    assert set(engine.log.list_topics()) == topics


def test_explain_and_describe_show_the_fk_join(engine: Engine) -> None:
    engine.execute(INNER)
    query_id = next(iter(engine.runtime.queries))
    [explained] = engine.execute(f"EXPLAIN {query_id};")
    assert isinstance(explained, QueryDescriptionResult)
    plan = explained.description
    assert "foreign-key INNER join" in plan.logical_plan
    assert any(t.endswith("-subscription-registration-topic") for t in plan.internal_topics)
    assert any(t.endswith("-subscription-response-topic") for t in plan.internal_topics)
    assert "subscription-store" in plan.physical_plan
    [described] = engine.execute("DESCRIBE J EXTENDED;")
    assert isinstance(described, SourceDescriptionResult)
    assert [f.name for f in described.description.fields] == ["ID", "PRODUCT_ID", "QTY", "NAME"]


def test_push_query_over_an_fk_join(engine: Engine) -> None:
    feed(
        engine, [("PRODUCTS", 7, ("pen", 2), 1), ("ORDERS", 1, (7, 3), 2), ("ORDERS", 2, (8, 1), 3)]
    )
    query = TransientQueries(engine).start(
        "SELECT O.ID, NAME, QTY FROM ORDERS O LEFT JOIN PRODUCTS P ON O.PRODUCT_ID = P.ID "
        "EMIT CHANGES;",
        {"auto.offset.reset": "earliest"},
    )
    try:
        assert [c.name for c in query.columns] == ["O_ID", "NAME", "QTY"]
        assert [r.columns for r in query.poll(1.0).rows] == [(1, "pen", 3), (2, None, 1)]
    finally:
        query.close()
