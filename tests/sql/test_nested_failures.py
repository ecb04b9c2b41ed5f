"""Where a failure inside an expression stops, as in ksqlDB: an ARRAY/MAP/STRUCT
constructor keeps its other elements; arithmetic on NULL inside a lambda fails the whole
lambda function call; TRANSFORM of a map fails on colliding keys or NULL values. Plus a
few functions' edge cases (SPLIT, SPLIT_TO_MAP, URL_EXTRACT_PATH, GEO_DISTANCE units)."""

from __future__ import annotations

import pytest
from tests.sql.exprkit import evaluate, evaluate_logged

from tote.core import types as t

COLS = [
    ("S", t.STRING),
    ("A", t.array(t.INTEGER)),
    ("M", t.map_of(t.STRING, t.INTEGER)),
    ("D", t.map_of(t.STRING, t.DOUBLE)),
]
ROW = ("not a date", [4, None, 6], {"a": 2, "b": None}, {"x": 1.5, "y": None})


@pytest.mark.parametrize(("sql", "expected"), [
    ("ARRAY[7, STRINGTODATE(S, 'yyyyMMdd')]", [7, None]),
    ("MAP('ok' := 1, 'bad' := STRINGTODATE(S, 'yyyyMMdd'))",
     {"ok": 1, "bad": None}),
    ("STRUCT(N := 1, BAD := STRINGTODATE(S, 'yyyyMMdd'))", {"N": 1, "BAD": None}),
])
def test_a_failing_constructor_element_is_null_in_place(sql: str, expected: object) -> None:
    value, errors = evaluate_logged(sql, COLS, ROW)
    assert value == expected
    assert len(errors) == 1  # the failure is still reported


@pytest.mark.parametrize("sql", [
    "TRANSFORM(A, x => x * 2)",
    "FILTER(M, (k, v) => v % 2 = 0)",
    "REDUCE(A, 0, (s, x) => s + x)",
    "REDUCE(D, 1.0, (s, k, v) => s * v)",
    "TRANSFORM(M, (k, v) => k, (k, v) => v + 1)",
])
def test_arithmetic_on_null_inside_a_lambda_fails_the_whole_call(sql: str) -> None:
    value, errors = evaluate_logged(sql, COLS, ROW)
    assert value is None
    assert errors


@pytest.mark.parametrize(("sql", "expected"), [
    # NULL-tolerant lambda bodies keep going.
    ("TRANSFORM(A, x => ABS(x))", [4, None, 6]),
    ("TRANSFORM(A, x => IFNULL(x, 0) * 2)", [8, 0, 12]),
    ("FILTER(M, (k, v) => v IS NULL)", {"b": None}),
    # Outside lambdas arithmetic on NULL is NULL, as before.
    ("ARRAY[A[2] + 1, 3]", [None, 3]),
])
def test_null_tolerant_lambdas_and_plain_arithmetic_are_unchanged(sql: str,
                                                                   expected: object) -> None:
    assert evaluate(sql, COLS, ROW) == expected


@pytest.mark.parametrize(("sql", "expected"), [
    ("TRANSFORM(M, (k, v) => 'same', (k, v) => IFNULL(v, 0))", None),
    ("TRANSFORM(M, (k, v) => k, (k, v) => v)", None),
    ("TRANSFORM(M, (k, v) => UCASE(k), (k, v) => IFNULL(v, 0))", {"A": 2, "B": 0}),
])
def test_transforming_a_map_refuses_colliding_keys_and_null_values(sql: str,
                                                                     expected: object) -> None:
    assert evaluate(sql, COLS, ROW) == expected


@pytest.mark.parametrize(("sql", "expected"), [
    ("SPLIT('', '')", [""]),
    ("SPLIT(TO_BYTES('', 'utf8'), TO_BYTES('', 'utf8'))", [b""]),
    ("SPLIT('xy', '')", ["x", "y"]),
    ("SPLIT_TO_MAP('k1=v1=extra;k2=v2', ';', '=')", {"k1": "v1", "k2": "v2"}),
    ("SPLIT_TO_MAP('k1=v1;;novalue;k2=v2', ';', '=')", {"k1": "v1", "k2": "v2"}),
    ("SPLIT_TO_MAP('k1=v1', '', '=')", None),
    ("SPLIT_TO_MAP('k1=v1', ';', '')", None),
    ("SPLIT_TO_MAP('k1=v1', '=', '=')", None),
    ("URL_EXTRACT_PATH('https://shop.example?item=3#top')", ""),
    ("URL_EXTRACT_PATH('https://shop.example/cart/3?x=1')", "/cart/3"),
    ("URL_EXTRACT_PATH('mailto:someone@shop.example')", None),
])
def test_function_edge_cases(sql: str, expected: object) -> None:
    assert evaluate(sql) == expected


@pytest.mark.parametrize("units", ["CAST(NULL AS STRING)", "''", "'  '"])
def test_geo_distance_without_units_is_in_kilometres(units: str) -> None:
    km = evaluate("GEO_DISTANCE(48.8566, 2.3522, 52.52, 13.405, 'KM')")
    assert evaluate(f"GEO_DISTANCE(48.8566, 2.3522, 52.52, 13.405, {units})") == km
    assert 870 < km < 890  # Paris to Berlin
