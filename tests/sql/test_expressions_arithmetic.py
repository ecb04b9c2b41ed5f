"""Arithmetic as ksqlDB computes it: Java int/long wrapping, truncating division, `%` with
the dividend's sign, IEEE doubles, and DECIMAL precision/scale from SqlDecimal's rules."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from tests.sql.exprkit import evaluate, evaluate_logged, typed

from tote.core import types as t

INTS = [("I", t.INTEGER), ("L", t.BIGINT), ("D", t.DOUBLE), ("E", t.decimal(4, 2))]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("2 * 3 + 4", 10),
        ("6 / 3 - 4", -2),
        ("16 % 6 - 4", 0),
        ("6 % 4 / 2 * 6", 6),
        ("10 - 2 + 5", 13),
        ("7 / 2", 3),
        ("-7 / 2", -3),
        ("7 / -2", -3),
        ("-7 % 3", -1),
        ("7 % -3", 1),
        ("2147483647 + 1", -2147483648),
        ("-2147483648 - 1", 2147483647),
        ("65536 * 65536", 0),
        ("9223372036854775807 + 1", -9223372036854775808),
        ("'a' + 'b'", "ab"),
    ],
)
def test_integer_and_string_operators(sql: str, expected: object) -> None:
    assert evaluate(sql) == expected


def test_overflow_wraps_in_columns_too() -> None:
    assert evaluate("I * 2", INTS, (2_000_000_000, 0, 0.0, None)) == -294967296
    assert evaluate("-I", INTS, (-2147483648, 0, 0.0, None)) == -2147483648


def test_integer_division_by_zero_is_null_and_reported() -> None:
    value, errors = evaluate_logged("I / 0", INTS, (5, 0, 0.0, None))
    assert value is None
    assert [(e.index, e.expression, e.message) for e in errors] == [(0, "(I / 0)", "/ by zero")]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [("D / 0", math.inf), ("-D / 0", -math.inf), ("D % 0", "nan"), ("(D - D) / 0", "nan")],
)
def test_double_division_by_zero(sql: str, expected: object) -> None:
    value = evaluate(sql, INTS, (1, 1, 2.5, None))
    if expected == "nan":
        assert math.isnan(value)
    else:
        assert value == expected


def test_double_modulus_is_java_fmod() -> None:
    assert evaluate("D % 2", INTS, (1, 1, -5.5, None)) == -1.5


def test_null_operand_makes_null_without_error() -> None:
    value, errors = evaluate_logged("I + 1", INTS, (None, 0, 0.0, None))
    assert value is None
    assert errors == []


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("I + L", "BIGINT"),
        ("I + D", "DOUBLE"),
        ("E + D", "DOUBLE"),
        ("E + E", "DECIMAL(5, 2)"),
        ("E - I", "DECIMAL(13, 2)"),
        ("E * E", "DECIMAL(9, 4)"),
        ("E / E", "DECIMAL(11, 7)"),
        ("E % E", "DECIMAL(4, 2)"),
        ("E + L", "DECIMAL(22, 2)"),
        ("1.50", "DECIMAL(3, 2)"),
        ("0.005", "DECIMAL(4, 3)"),
        ("-E", "DECIMAL(4, 2)"),
    ],
)
def test_result_types(sql: str, expected: str) -> None:
    assert str(typed(sql, INTS)) == expected


@pytest.mark.parametrize(
    ("sql", "a", "b", "expected"),
    [
        ("A + B", "10.01", "5.10", Decimal("15.11")),
        ("A - B", "10.10", "-5.00", Decimal("15.10")),
        ("A * B", "10.10", "2.00", Decimal("20.2000")),
        ("A / B", "10.10", "2.00", Decimal("5.0500000")),
        ("A / B", "10.10", "-2.00", Decimal("-5.0500000")),
        ("A % B", "10.10", "-2.00", Decimal("0.10")),
        ("A / B", "10.10", "0.00", None),
        ("A % B", "10.10", "0.00", None),
        ("A / B", "10.00", "3.00", None),
        ("A + A + B", "10.01", "5.10", Decimal("25.12")),
    ],
)
def test_decimal_operations(sql: str, a: str, b: str, expected: Decimal | None) -> None:
    columns = [("A", t.decimal(4, 2)), ("B", t.decimal(4, 2))]
    result = evaluate(sql, columns, (Decimal(a), Decimal(b)))
    assert result == expected
    if expected is not None:
        assert str(result) == str(expected)


def test_decimal_with_int_and_double() -> None:
    columns = [("A", t.decimal(4, 2)), ("B", t.INTEGER), ("C", t.DOUBLE)]
    row = (Decimal("10.01"), 5, 5.1)
    assert str(evaluate("A + B", columns, row)) == "15.01"
    assert evaluate("A + C", columns, row) == pytest.approx(15.11)
    assert isinstance(evaluate("A + C", columns, row), float)
