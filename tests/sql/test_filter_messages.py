"""WHERE and HAVING: which rows pass an IN list, and how an invalid filter is reported.

ksqlDB types a filter in two passes: type errors found first read "Error in WHERE (or
HAVING) expression: ...", and only the IN lists and casts checked while generating code
read "Invalid Predicate: ...". HAVING messages name the aggregate call as written, and a
join's columns print as the join names them (`O_QTY`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tote.core.errors import SqlError
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.testing import produce, rows

ORDERS = (
    "CREATE STREAM orders (id INT KEY, item STRING, qty INT, tags ARRAY<BIGINT>) "
    "WITH (kafka_topic='orders', partitions=1, value_format='JSON');"
    "CREATE STREAM returns (id INT KEY, item STRING, qty STRING) "
    "WITH (kafka_topic='returns', partitions=1, value_format='JSON');"
)


@pytest.fixture
def engine() -> Iterator[Engine]:
    log = MemoryLog()
    with Registry(log) as registry:
        eng = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
        try:
            eng.execute(ORDERS)
            yield eng
        finally:
            eng.close()


def failure(engine: Engine, sql: str) -> str:
    with pytest.raises(SqlError) as caught:
        engine.execute(sql)
    return caught.value.message


def test_in_list_literals_take_the_column_type(engine: Engine) -> None:
    engine.execute(
        "CREATE STREAM picked AS SELECT id, item FROM orders "
        "WHERE item IN (true, 42, 2.50) OR tags IN (ARRAY['7', NULL]);"
    )
    produce(engine, "ORDERS", [
        ((1,), ("true", 1, [1])),
        ((2,), ("42", 1, [1])),
        ((3,), ("2.5", 1, [1])),
        ((4,), ("2.50", 1, [1])),
        ((5,), ("pen", 1, [7, None])),
        ((6,), ("pen", 1, [7])),
    ])
    engine.run_until_idle()
    assert rows(engine, "PICKED") == [(1, "true"), (2, "42"), (4, "2.50"), (5, "pen")]


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        (
            "CREATE STREAM bad AS SELECT * FROM orders WHERE qty > 'many';",
            "Error in WHERE expression: Cannot compare QTY (INTEGER) to 'many' (STRING) "
            "with GREATER_THAN.",
        ),
        (
            "CREATE STREAM bad AS SELECT * FROM orders WHERE item IN ('a', qty);",
            "Invalid Predicate: operator does not exist: STRING = INTEGER (QTY)",
        ),
        (
            "CREATE STREAM bad AS SELECT * FROM orders WHERE qty IN ('one');",
            'Invalid Predicate: invalid input syntax for type INTEGER: "one".',
        ),
        (
            # the first pass does not look inside IN lists, so the comparison fails first
            "CREATE STREAM bad AS SELECT * FROM orders WHERE qty IN ('one') AND qty > 'many';",
            "Error in WHERE expression: Cannot compare QTY (INTEGER) to 'many' (STRING)",
        ),
        (
            "CREATE STREAM bad AS SELECT o.id, o.qty, r.qty FROM orders o "
            "JOIN returns r WITHIN 1 HOUR ON o.id = r.id WHERE o.qty < r.qty;",
            "Error in WHERE expression: Cannot compare O_QTY (INTEGER) to R_QTY (STRING) "
            "with LESS_THAN.",
        ),
        (
            "CREATE TABLE bad AS SELECT item, SUM(qty) AS total FROM orders GROUP BY item "
            "HAVING SUM(qty) > 'lots';",
            "Error in HAVING expression: Cannot compare SUM(QTY) (INTEGER) to 'lots' (STRING) "
            "with GREATER_THAN.",
        ),
        (
            "CREATE TABLE bad AS SELECT item, SUM(qty) AS total FROM orders GROUP BY item "
            "HAVING SUM(qty) + 1;",
            "Type error in HAVING expression: Should evaluate to boolean but is "
            "(SUM(QTY) + 1) (INTEGER) instead.",
        ),
    ],
)
def test_invalid_filters_read_as_ksqldb_reports_them(
    engine: Engine, statement: str, message: str
) -> None:
    assert message in failure(engine, statement)
    assert engine.metastore.source("BAD") is None
