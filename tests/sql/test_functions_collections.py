"""ARRAY, MAP and lambda functions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.sql.exprkit import evaluate, typed

from tote.core import types as t

COLS = [
    ("A", t.array(t.INTEGER)),
    ("M", t.map_of(t.STRING, t.INTEGER)),
    ("E", t.array(t.decimal(3, 1))),
]
ROW = ([3, 1, None, 3, 2], {"b": 2, "a": 1}, [Decimal("1.5"), Decimal("0.5")])


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("ARRAY_CONTAINS(A, 2)", True),
        ("ARRAY_CONTAINS(A, 7)", False),
        ("ARRAY_DISTINCT(A)", [3, 1, None, 2]),
        ("ARRAY_EXCEPT(A, ARRAY[3])", [1, None, 2]),
        ("ARRAY_INTERSECT(A, ARRAY[2, 3, 9])", [3, 2]),
        ("ARRAY_UNION(A, ARRAY[9])", [3, 1, None, 2, 9]),
        ("ARRAY_JOIN(A)", "3,1,null,3,2"),
        ("ARRAY_JOIN(A, '|')", "3|1|null|3|2"),
        ("ARRAY_LENGTH(A)", 5),
        ("ARRAY_MAX(A)", 3),
        ("ARRAY_MIN(A)", 1),
        ("ARRAY_MAX(E)", Decimal("1.5")),
        ("ARRAY_SORT(A)", [1, 2, 3, 3, None]),
        ("ARRAY_SORT(A, 'desc')", [3, 3, 2, 1, None]),
        ("ARRAY_REMOVE(A, 3)", [1, None, 2]),
        ("ARRAY_CONCAT(A, ARRAY[9])", [3, 1, None, 3, 2, 9]),
        ("SLICE(A, 2, 3)", [1, None]),
        ("SLICE(A, 4, 5)", [3, 2]),
        ("SLICE(A, 4, 10)", None),
        ("SLICE(A, CAST(NULL AS INT), 2)", [3, 1]),
        ("GENERATE_SERIES(1, 4)", [1, 2, 3, 4]),
        ("GENERATE_SERIES(5, 1, -2)", [5, 3, 1]),
        ("GENERATE_SERIES(5, 1)", [5, 4, 3, 2, 1]),
        ("ENTRIES(M, true)", [{"K": "a", "V": 1}, {"K": "b", "V": 2}]),
        ("AS_MAP(ARRAY['x', 'y'], ARRAY[1, 2])", {"x": 1, "y": 2}),
        ("MAP_KEYS(M)", ["b", "a"]),
        ("MAP_VALUES(M)", [2, 1]),
        ("MAP_UNION(M, MAP('a' := 10, 'c' := 3))", {"b": 2, "a": 10, "c": 3}),
        ("TRANSFORM(A, x => IFNULL(x, 0) * 10)", [30, 10, 0, 30, 20]),
        ("FILTER(A, x => x > 1)", [3, 3, 2]),
        ("REDUCE(ARRAY[1, 2, 3], 10, (s, x) => s + x)", 16),
        ("TRANSFORM(M, (k, v) => CONCAT(k, '!'), (k, v) => v * v)", {"b!": 4, "a!": 1}),
        ("FILTER(M, (k, v) => k = 'a')", {"a": 1}),
    ],
)
def test_collection_functions(sql: str, expected: object) -> None:
    assert evaluate(sql, COLS, ROW) == expected


def test_null_collections() -> None:
    nulls = (None, None, None)
    assert evaluate("ARRAY_CONTAINS(A, 2)", COLS, nulls) is False
    assert evaluate("ARRAY_LENGTH(A)", COLS, nulls) is None
    assert evaluate("ARRAY_CONCAT(A, ARRAY[1])", COLS, nulls) == [1]
    assert evaluate("TRANSFORM(A, x => x + 1)", COLS, nulls) is None
    assert evaluate("GENERATE_SERIES(1, 5, 0)", COLS, nulls) is None


def test_lambda_result_types() -> None:
    assert str(typed("TRANSFORM(A, x => x > 1)", COLS)) == "ARRAY<BOOLEAN>"
    assert str(typed("TRANSFORM(M, (k, v) => v, (k, v) => k)", COLS)) == "MAP<INTEGER, STRING>"
    assert str(typed("REDUCE(A, '', (s, x) => s + CAST(x AS STRING))", COLS)) == "STRING"
    assert str(typed("ENTRIES(M, false)", COLS)) == "ARRAY<STRUCT<`K` STRING, `V` INTEGER>>"
