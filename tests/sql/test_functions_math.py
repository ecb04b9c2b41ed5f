"""MATHEMATICAL and CONDITIONAL functions, with Java rounding and NULL rules."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

import pytest
from tests.sql.exprkit import evaluate, typed

from tote.core import types as t
from tote.core.errors import SqlError

NUMS = [("I", t.INTEGER), ("D", t.DOUBLE), ("E", t.decimal(5, 2))]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("ABS(-3)", 3),
        ("ABS(-2147483648)", -2147483648),
        ("ABS(-1.5E0)", 1.5),
        ("CEIL(1.2E0)", 2.0),
        ("FLOOR(-1.2E0)", -2.0),
        ("ROUND(2.5E0)", 3),
        ("ROUND(-2.5E0)", -2),
        ("ROUND(1.25E0, 1)", 1.3),
        ("ROUND(-1.25E0, 1)", -1.2),
        ("ROUND(7)", 7),
        ("TRUNC(-1.9E0)", -1),
        ("TRUNC(1.289E0, 2)", 1.28),
        ("SQRT(16)", 4.0),
        ("SQRT(-1)", "nan"),
        ("EXP(0)", 1.0),
        ("LN(1)", 0.0),
        ("LN(0)", -math.inf),
        ("LOG(100)", math.log(100)),
        ("LOG(2, 8)", 3.0),
        ("LOG(1, 8)", "nan"),
        ("POWER(2, 10)", 1024.0),
        ("POWER(2.0E0, 0.5E0)", math.sqrt(2)),
        ("SIGN(-5)", -1),
        ("SIGN(0)", 0),
        ("SIGN(2.5E0)", 1),
        ("GREATEST(1, 5, 3)", 5),
        ("GREATEST(1, CAST(NULL AS INT), 3)", 3),
        ("LEAST(1, 0.5E0)", 0.5),
        ("LEAST('b', 'a')", "a"),
        ("CBRT(27)", 3.0),
        ("PI()", math.pi),
        ("DEGREES(PI())", 180.0),
    ],
)
def test_math(sql: str, expected: object) -> None:
    value = evaluate(sql)
    if expected == "nan":
        assert math.isnan(value)
    elif isinstance(expected, float):
        assert value == pytest.approx(expected)
        assert isinstance(value, float)
    else:
        assert value == expected
        assert type(value) is type(expected)


@pytest.mark.parametrize(
    ("sql", "type_text", "expected"),
    [
        ("ROUND(E)", "DECIMAL(3, 0)", "123"),
        ("ROUND(E, 1)", "DECIMAL(5, 2)", "123.50"),
        ("TRUNC(E, 1)", "DECIMAL(5, 2)", "123.40"),
        ("CEIL(E)", "DECIMAL(5, 2)", "124.00"),
        ("FLOOR(E)", "DECIMAL(5, 2)", "123.00"),
        ("ABS(-E)", "DECIMAL(5, 2)", "123.45"),
    ],
)
def test_decimal_math_keeps_ksqldb_types(sql: str, type_text: str, expected: str) -> None:
    assert str(typed(sql, NUMS)) == type_text
    assert str(evaluate(sql, NUMS, (1, 1.0, Decimal("123.45")))) == expected


def test_random_is_in_unit_interval() -> None:
    values = {evaluate("RANDOM()") for _ in range(5)}
    assert all(0.0 <= v < 1.0 for v in values)
    assert len(values) > 1


@pytest.mark.parametrize(
    ("sql", "row", "expected"),
    [
        ("COALESCE(I, 10)", (None, None, None), 10),
        ("COALESCE(I, 10)", (3, None, None), 3),
        ("COALESCE(CAST(NULL AS INT), I, 7)", (None, None, None), 7),
        ("IFNULL(I, 10)", (None, None, None), 10),
        ("IFNULL(D, 1)", (None, None, None), 1.0),
        ("NULLIF(I, 10)", (10, None, None), None),
        ("NULLIF(I, 10)", (3, None, None), 3),
        ("COALESCE(ARRAY[I], ARRAY[10, 20])", (None, None, None), [None]),
    ],
)
def test_conditional(sql: str, row: tuple[object, ...], expected: object) -> None:
    value = evaluate(sql, NUMS, row)
    assert value == expected
    assert type(value) is type(expected)


UTC = datetime.UTC
TEMPORAL = [("DT", t.DATE), ("TM", t.TIME), ("TS", t.TIMESTAMP), ("I", t.INTEGER),
            ("B", t.BIGINT), ("S", t.STRING)]


@pytest.mark.parametrize(
    ("sql", "row", "expected"),
    [
        # A text literal converts implicitly to the DATE, TIME or TIMESTAMP it is compared with.
        ("GREATEST(DT, NULL, '2024-03-01')", (datetime.date(2022, 1, 9), *[None] * 5),
         datetime.date(2024, 3, 1)),
        ("LEAST(TM, '10:30:00')", (None, datetime.time(11, 6, 40), *[None] * 4),
         datetime.time(10, 30)),
        ("GREATEST(TS, '2024-03-01')",
         (None, None, datetime.datetime(2023, 11, 14, tzinfo=UTC), None, None, None),
         datetime.datetime(2024, 3, 1, tzinfo=UTC)),
        # Only the DOUBLE variant takes INT, BIGINT and DOUBLE together.
        ("GREATEST(I, B, 2.5E0)", (None, None, None, 1, 2, None), 2.5),
    ],
)
def test_greatest_least_convert_text_to_time_types(
    sql: str, row: tuple[object, ...], expected: object
) -> None:
    assert evaluate(sql, TEMPORAL, row) == expected


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        # INT and BIGINT fit the BIGINT, DECIMAL and DOUBLE variants equally well.
        ("GREATEST(I, B)", "Function 'greatest' cannot be resolved due to ambiguous method "
         "parameters (INTEGER, BIGINT).\nUse CAST() to explicitly cast"),
        ("LEAST(NULL, NULL)", "Function 'least' cannot be resolved due to ambiguous method "
         "parameters (null, null)."),
        ("GREATEST(S, I)", "Function 'greatest' does not accept parameters (STRING, INTEGER)."),
        ("GREATEST()", "Function 'greatest' does not accept parameters ()."),
    ],
)
def test_greatest_least_refuse_ambiguous_or_mixed_arguments(sql: str, message: str) -> None:
    with pytest.raises(SqlError) as caught:
        typed(sql, TEMPORAL)
    assert caught.value.message.startswith(message)
