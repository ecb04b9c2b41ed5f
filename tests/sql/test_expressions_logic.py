"""Comparisons, boolean logic, BETWEEN, IN, LIKE and CASE with ksqlDB's NULL rules:
a comparison with NULL is false (never NULL), IS DISTINCT FROM is NULL-aware, and
AND/OR/NOT follow three-valued logic."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.sql.exprkit import evaluate, matches, typed

from tote.core import types as t
from tote.core.errors import SqlError

COLS = [
    ("A", t.INTEGER),
    ("B", t.BOOLEAN),
    ("D", t.DOUBLE),
    ("E", t.decimal(4, 3)),
    ("F", t.STRING),
    ("G", t.array(t.INTEGER)),
    ("H", t.map_of(t.STRING, t.INTEGER)),
    ("S", t.struct(("ID", t.INTEGER))),
    ("TS", t.TIMESTAMP),
    ("DT", t.DATE),
]
ROW = (
    1,
    True,
    1.1,
    Decimal("1.200"),
    "foo",
    [1, 2],
    {"a": 1},
    {"ID": 2},
    datetime.datetime(2022, 4, 28, 12, 0, tzinfo=datetime.UTC),
    datetime.date(2022, 4, 28),
)
NULLS = (None,) * len(COLS)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("A = 1", True),
        ("B = true", True),
        ("D = 1.1", True),
        ("E = 1.20", True),
        ("F = 'foo'", True),
        ("G = ARRAY[1, 2]", True),
        ("H = MAP('a' := 1)", True),
        ("S = STRUCT(ID := 2)", True),
        ("A <> 1", False),
        ("E <> 1.20", False),
        ("D < 1.2", True),
        ("E >= 1.2", True),
        ("F > 'eoo'", True),
        ("A BETWEEN 0 AND 2", True),
        ("D BETWEEN 1.0 AND 1.11", True),
        ("E BETWEEN 1.19 AND 1.21", True),
        ("F NOT BETWEEN 'eoo' AND 'goo'", False),
        ("TS > '2022-04-28T11:59:59'", True),
        ("TS = DT", False),
        ("TS >= DT", True),
        ("DT = '2022-04-28'", True),
        ("A IS DISTINCT FROM 1", False),
        ("A IS NOT DISTINCT FROM 1", True),
        ("G IS DISTINCT FROM ARRAY[1]", True),
    ],
)
def test_comparisons(sql: str, expected: bool) -> None:
    assert evaluate(sql, COLS, ROW) is expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("A = 1", False),
        ("A <> 1", False),
        ("A < 1", False),
        ("A BETWEEN 0 AND 2", False),
        ("A NOT BETWEEN 0 AND 2", True),
        ("A IN (1, 2)", False),
        ("A IS DISTINCT FROM 1", True),
        ("A IS NOT DISTINCT FROM 1", False),
        ("A IS NULL", True),
        ("A IS NOT NULL", False),
        ("A IS DISTINCT FROM CAST(NULL AS INT)", False),
    ],
)
def test_comparisons_with_null_are_false(sql: str, expected: bool) -> None:
    assert evaluate(sql, COLS, NULLS) is expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("B AND true", None),
        ("B AND false", False),
        ("false AND B", False),
        ("B OR true", True),
        ("true OR B", True),
        ("true AND B", None),
        ("false OR B", None),
        ("B AND B", None),
        ("(A = 1) OR B", None),
        ("B OR false", None),
        ("NOT B", None),
        ("true OR false AND true", True),
        ("NOT false AND NOT false", True),
        ("NOT 4 > 11", True),
    ],
)
def test_three_valued_logic(sql: str, expected: bool | None) -> None:
    assert evaluate(sql, COLS, NULLS) is expected


def test_predicate_treats_null_as_false() -> None:
    assert matches("B", COLS, NULLS) is False
    assert matches("B OR A = 1", COLS, ROW) is True
    assert matches("A IS NULL", COLS, NULLS) is True


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("A IN (3, 2, 1)", True),
        ("A IN (2, 3)", False),
        ("A NOT IN (2, 3)", True),
        ("A IN (NULL, 1)", True),
        ("A IN (1.0)", True),
        ("A IN ('1')", True),
        ("F IN ('bar', 'foo')", True),
        ("G IN (ARRAY[1, 2])", True),
        ("E IN (1.2)", True),
    ],
)
def test_in_list(sql: str, expected: bool) -> None:
    assert evaluate(sql, COLS, ROW) is expected


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("this", "%hi%", True),
        ("this", "t_is", True),
        ("this", "t_s", False),
        ("a.c", "a.c", True),
        ("abc", "a.c", False),
        ("", "%", True),
        ("100%", "100!%", True),
        ("1000", "100!%", False),
        ("line\nbreak", "line%", False),
    ],
)
def test_like(value: str, pattern: str, expected: bool) -> None:
    escape = " ESCAPE '!'" if "!" in pattern else ""
    quoted = pattern.replace("'", "''")
    assert (
        evaluate(f"F LIKE '{quoted}'{escape}", COLS, (None,) * 4 + (value,) + (None,) * 5)
        is expected
    )


def test_like_with_null_and_computed_pattern() -> None:
    assert evaluate("F LIKE 'x%'", COLS, NULLS) is None
    assert evaluate("F NOT LIKE F || '%'", COLS, ROW) is False


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("CASE WHEN A > 0 THEN 'pos' WHEN A < 0 THEN 'neg' ELSE 'zero' END", "pos"),
        ("CASE WHEN A > 5 THEN 'big' END", None),
        ("CASE WHEN B THEN 1 ELSE 2.5 END", Decimal("1.0")),
        ("CASE A WHEN 0 THEN 'zero' WHEN 1 THEN 'one' ELSE 'many' END", "one"),
        ("CASE F WHEN 'foo' THEN 1 END", 1),
        ("CASE WHEN A = 1 THEN NULL ELSE 'x' END", None),
    ],
)
def test_case(sql: str, expected: object) -> None:
    result = evaluate(sql, COLS, ROW)
    assert result == expected
    assert str(result) == str(expected)


def test_case_evaluates_only_the_chosen_branch() -> None:
    (value,) = (evaluate("CASE WHEN A = 0 THEN A / 0 ELSE 7 END", COLS, (1,) + (None,) * 9),)
    assert value == 7


# IN lists take the tested value's type: literals coerce to it (`true` and `10.50` become
# STRINGs beside a STRING), constructors coerce element by element, STRUCTs compare over
# the union of their fields (a missing field is NULL).
IN_ROW = (
    7,
    True,
    1.1,
    Decimal("1.200"),
    "10.50",
    [3, None],
    {"k": 5},
    {"ID": 4},
    datetime.datetime(2022, 4, 28, 12, 0, tzinfo=datetime.UTC),
    datetime.date(2022, 4, 28),
)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("F IN (false, 3, 10.50)", True),
        ("F IN (10.5)", False),
        ("CAST(B AS STRING) IN (true)", True),
        ("G IN (ARRAY['3', NULL])", True),
        ("G IN (ARRAY[3])", False),
        ("H IN (MAP('k' := '5'))", True),
        ("S IN (STRUCT(ID := '4'))", True),
        ("S IN (STRUCT(ID := 4, EXTRA := 1))", False),
        ("S IN (STRUCT(ID := 4, EXTRA := CAST(NULL AS INT)))", True),
    ],
)
def test_in_list_coerces_to_the_tested_type(sql: str, expected: bool) -> None:
    assert evaluate(sql, COLS, IN_ROW) is expected


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("F IN (1, D)", "operator does not exist: STRING = DOUBLE (D)"),
        ("A IN (B)", "operator does not exist: INTEGER = BOOLEAN (B)"),
        ("G IN (ARRAY[B])", "operator does not exist: ARRAY<INTEGER> = ARRAY<BOOLEAN> (ARRAY[B])"),
        ("G IN (ARRAY['1', 'one'])", 'invalid input syntax for type INTEGER: "one".'),
        ("S IN (STRUCT(ID := 'four'))", 'invalid input syntax for type INTEGER: "four".'),
        ("H IN (A)", "operator does not exist: MAP<STRING, INTEGER> = INTEGER (A)"),
    ],
)
def test_in_list_refuses_what_cannot_coerce(sql: str, message: str) -> None:
    with pytest.raises(SqlError) as caught:
        typed(sql, COLS)
    assert message in caught.value.message
