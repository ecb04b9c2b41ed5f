"""CAST between ksqlDB's types, with Java's conversions and String.valueOf formats."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.sql.exprkit import evaluate, evaluate_logged

from tote.core import types as t
from tote.core.errors import SqlError

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("sql", "kind", "value", "expected"),
    [
        ("CAST(V AS STRING)", t.array(t.INTEGER), [1, 3], "[1, 3]"),
        ("CAST(V AS STRING)", t.map_of(t.STRING, t.INTEGER), {"this": 1}, "{this=1}"),
        (
            "CAST(V AS STRING)",
            t.struct(("F0", t.INTEGER), ("f1", t.INTEGER), ("F2", t.STRING)),
            {"F0": 1, "f1": 3, "F2": None},
            "Struct{F0=1,f1=3}",
        ),
        ("CAST(V AS ARRAY<INTEGER>)", t.array(t.BIGINT), [1, 3, 2147483648], [1, 3, -2147483648]),
        ("CAST(V AS ARRAY<STRING>)", t.array(t.BIGINT), [1, None], ["1", None]),
        (
            "CAST(V AS MAP<STRING, MAP<STRING, INTEGER>>)",
            t.map_of(t.STRING, t.map_of(t.STRING, t.STRING)),
            {"k1": {"k2": "10"}},
            {"k1": {"k2": 10}},
        ),
        (
            "CAST(V AS STRUCT<F0 STRING, F3 STRING>)",
            t.struct(("F0", t.BIGINT), ("F1", t.STRING)),
            {"F0": 1, "F1": "3"},
            {"F0": "1", "F3": None},
        ),
        ("CAST(V AS DECIMAL(5, 3))", t.decimal(4, 2), Decimal("10.12"), Decimal("10.120")),
        ("CAST(V AS DECIMAL(2, 1))", t.INTEGER, 1, Decimal("1.0")),
        ("CAST(V AS DECIMAL(2, 1))", t.INTEGER, 10, None),
        ("CAST(V AS DECIMAL(2, 1))", t.DOUBLE, 0.99, Decimal("1.0")),
        ("CAST(V AS DECIMAL(2, 1))", t.DOUBLE, 0.01, Decimal("0.0")),
        ("CAST(V AS DECIMAL(2, 1))", t.STRING, "0.99", Decimal("1.0")),
        ("CAST(V AS DECIMAL(2, 1))", t.STRING, " 0.10 ", Decimal("0.1")),
        ("CAST(V AS INT)", t.decimal(4, 2), Decimal("10.01"), 10),
        ("CAST(V AS BIGINT)", t.decimal(4, 2), Decimal("-10.99"), -10),
        ("CAST(V AS DOUBLE)", t.decimal(4, 2), Decimal("0.01"), 0.01),
        ("CAST(V AS STRING)", t.decimal(4, 2), Decimal("0.00"), "0.00"),
        ("CAST(V AS INT)", t.DOUBLE, 1.2, 1),
        ("CAST(V AS INT)", t.DOUBLE, -1.9, -1),
        ("CAST(V AS INT)", t.DOUBLE, 1e20, 2147483647),
        ("CAST(V AS INT)", t.BIGINT, 2147483648, -2147483648),
        ("CAST(V AS STRING)", t.DOUBLE, 10.0, "10.0"),
        ("CAST(V AS STRING)", t.DOUBLE, 1e7, "1.0E7"),
        ("CAST(V AS STRING)", t.BOOLEAN, True, "true"),
        ("CAST(V AS STRING)", t.INTEGER, -1, "-1"),
        ("CAST(V AS INT)", t.STRING, " 42 ", 42),
        ("CAST(V AS INT)", t.STRING, "4.2", None),
        ("CAST(V AS INT)", t.STRING, "2147483648", None),
        ("CAST(V AS BIGINT)", t.STRING, "2147483648", 2147483648),
        ("CAST(V AS DOUBLE)", t.STRING, "1.5e3", 1500.0),
        ("CAST(V AS DOUBLE)", t.STRING, "NaN", None),
        ("CAST(V AS BOOLEAN)", t.STRING, "Yes", True),
        ("CAST(V AS BOOLEAN)", t.STRING, "t", True),
        ("CAST(V AS BOOLEAN)", t.STRING, "nope", False),
        ("CAST(V AS BYTES)", t.STRING, "aGk=", b"hi"),
        (
            "CAST(V AS TIMESTAMP)",
            t.STRING,
            "2022-04-28T21:44:47.943",
            datetime.datetime(2022, 4, 28, 21, 44, 47, 943000, tzinfo=UTC),
        ),
        (
            "CAST(V AS TIMESTAMP)",
            t.STRING,
            "2022-04-28T21:44:47.943+01:00",
            datetime.datetime(2022, 4, 28, 20, 44, 47, 943000, tzinfo=UTC),
        ),
        ("CAST(V AS TIMESTAMP)", t.STRING, "2022-04", datetime.datetime(2022, 4, 1, tzinfo=UTC)),
        ("CAST(V AS DATE)", t.STRING, "2020-05-26", datetime.date(2020, 5, 26)),
        ("CAST(V AS TIME)", t.STRING, "01:34:20.123", datetime.time(1, 34, 20, 123000)),
        (
            "CAST(V AS STRING)",
            t.TIMESTAMP,
            datetime.datetime(2022, 4, 28, 21, 44, 47, 943000, tzinfo=UTC),
            "2022-04-28T21:44:47.943",
        ),
        ("CAST(V AS STRING)", t.TIME, datetime.time(1, 34), "01:34"),
        ("CAST(V AS STRING)", t.TIME, datetime.time(1, 34, 20, 123000), "01:34:20"),
        ("CAST(V AS STRING)", t.DATE, datetime.date(2020, 5, 26), "2020-05-26"),
        (
            "CAST(V AS DATE)",
            t.TIMESTAMP,
            datetime.datetime(2022, 4, 28, 23, 59, tzinfo=UTC),
            datetime.date(2022, 4, 28),
        ),
        (
            "CAST(V AS TIMESTAMP)",
            t.DATE,
            datetime.date(2022, 4, 28),
            datetime.datetime(2022, 4, 28, tzinfo=UTC),
        ),
        ("CAST(V AS STRING)", t.STRING, None, None),
    ],
)
def test_cast(sql: str, kind: t.SqlType, value: object, expected: object) -> None:
    result = evaluate(sql, [("V", kind)], (value,))
    assert result == expected
    assert type(result) is type(expected)
    if isinstance(expected, Decimal):
        assert str(result) == str(expected)


def test_failed_cast_is_null_and_reported() -> None:
    value, errors = evaluate_logged("CAST(V AS DECIMAL(2, 1))", [("V", t.INTEGER)], (10,))
    assert value is None
    assert errors[0].message == (
        "Numeric field overflow: A field with precision 2 and scale 1 must round to an "
        "absolute value less than 10^1. Got 10"
    )


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("CAST(V AS ARRAY<INTEGER>)", "Cast of STRING to ARRAY<INTEGER> is not supported"),
        (
            "CAST(V AS MAP<VARCHAR, INTEGER>)",
            "Cast of STRING to MAP<STRING, INTEGER> is not supported",
        ),
        (
            "CAST(V AS STRUCT<F0 VARCHAR, F1 INTEGER>)",
            "Cast of STRING to STRUCT<`F0` STRING, `F1` INTEGER> is not supported",
        ),
        ("CAST(B AS INT)", "Cast of BOOLEAN to INTEGER is not supported"),
    ],
)
def test_unsupported_casts(sql: str, message: str) -> None:
    with pytest.raises(SqlError) as caught:
        evaluate(sql, [("V", t.STRING), ("B", t.BOOLEAN)], ("x", True))
    assert caught.value.message == message
    assert (caught.value.line, caught.value.column) == (1, 1)
