"""DATE / TIME functions: Java patterns, time zones, interval arithmetic and the clock."""

from __future__ import annotations

import datetime

import pytest
from tests.sql.exprkit import evaluate, evaluate_logged

from tote.core import types as t
from tote.core.clock import ManualClock
from tote.core.errors import SqlError
from tote.sql.functions import default_functions

UTC = datetime.UTC
TS = datetime.datetime(2022, 4, 28, 21, 44, 47, 943000, tzinfo=UTC)
COLS = [("TS", t.TIMESTAMP), ("D", t.DATE), ("TM", t.TIME), ("S", t.STRING)]
ROW = (TS, datetime.date(2022, 4, 28), datetime.time(23, 30), "2022-02-02")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd HH:mm:ss.SSS')", "2022-04-28 21:44:47.943"),
        ("FORMAT_TIMESTAMP(TS, 'dd/MM/yy hh:mm a', 'America/New_York')", "28/04/22 05:44 PM"),
        ("FORMAT_TIMESTAMP(TS, 'EEE, d MMM yyyy')", "Thu, 28 Apr 2022"),
        ("FORMAT_TIMESTAMP(TS, 'EEEE MMMM D')", "Thursday April 118"),
        (
            "FORMAT_TIMESTAMP(TS, 'yyyy-MM-dd''T''HH:mm:ssXXX', '+05:30')",
            "2022-04-29T03:14:47+05:30",
        ),
        ("TIMESTAMPTOSTRING(1651182287943, 'yyyy-MM-dd HH:mm:ss')", "2022-04-28 21:44:47"),
        ("TIMESTAMPTOSTRING(0, 'yyyy-MM-dd HH:mm', 'Europe/London')", "1970-01-01 01:00"),
        ("STRINGTOTIMESTAMP('2022-04-28 21:44:47.943', 'yyyy-MM-dd HH:mm:ss.SSS')", 1651182287943),
        (
            "STRINGTOTIMESTAMP('2022-04-28 17:44', 'yyyy-MM-dd HH:mm', 'America/New_York')",
            1651182240000,
        ),
        (
            "PARSE_TIMESTAMP('28 Apr 2022 21:44:47 +0100', 'dd MMM yyyy HH:mm:ss Z')",
            datetime.datetime(2022, 4, 28, 20, 44, 47, tzinfo=UTC),
        ),
        ("PARSE_DATE(S, 'yyyy-MM-dd')", datetime.date(2022, 2, 2)),
        ("PARSE_DATE('abcd', 'yyyy-MM-dd')", None),
        ("FORMAT_DATE(D, 'dd.MM.yyyy')", "28.04.2022"),
        ("DATETOSTRING(19110, 'yyyy-MM-dd')", "2022-04-28"),
        ("STRINGTODATE('2022-04-28', 'yyyy-MM-dd')", 19110),
        ("FORMAT_TIME(TM, 'HH:mm')", "23:30"),
        ("PARSE_TIME('10:15:30', 'HH:mm:ss')", datetime.time(10, 15, 30)),
        ("UNIX_TIMESTAMP(TS)", 1651182287943),
        ("UNIX_DATE(D)", 19110),
        ("FROM_UNIXTIME(1651182287943)", TS),
        ("FROM_DAYS(19110)", datetime.date(2022, 4, 28)),
        ("DATEADD(DAYS, 3, D)", datetime.date(2022, 5, 1)),
        ("DATESUB(DAYS, 28, D)", datetime.date(2022, 3, 31)),
        ("TIMEADD(HOURS, 1, TM)", datetime.time(0, 30)),
        ("TIMESUB(MINUTES, 31, TM)", datetime.time(22, 59)),
        ("TIMESTAMPADD(SECONDS, 5, TS)", TS + datetime.timedelta(seconds=5)),
        ("TIMESTAMPSUB(MILLISECONDS, 943, TS)", TS.replace(microsecond=0)),
        (
            "CONVERT_TZ(TS, 'UTC', 'America/Los_Angeles')",
            datetime.datetime(2022, 4, 28, 14, 44, 47, 943000, tzinfo=UTC),
        ),
    ],
)
def test_date_time_functions(sql: str, expected: object) -> None:
    assert evaluate(sql, COLS, ROW) == expected


def test_parse_errors_make_null() -> None:
    assert (
        evaluate("IFNULL(CAST(PARSE_DATE(S, 'yyyy-MM-dd') AS STRING), '1900-01-01')", COLS, ROW)
        == "2022-02-02"
    )
    bad = (TS, None, None, "abcd")
    assert (
        evaluate("IFNULL(CAST(PARSE_DATE(S, 'yyyy-MM-dd') AS STRING), '1900-01-01')", COLS, bad)
        == "1900-01-01"
    )


def test_now_comes_from_the_injected_clock() -> None:
    functions = default_functions(clock=ManualClock(86_400_000 * 3 + 5))
    assert evaluate("UNIX_TIMESTAMP()", functions=functions) == 259_200_005
    assert evaluate("UNIX_DATE()", functions=functions) == 3


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # `u` is the proleptic year, `y` the year of era: one pattern may print both.
        ("FORMAT_TIMESTAMP(TS, 'yyyy-uu')", "2022-22"),
        ("TIMESTAMPTOSTRING(0, 'uuuu-MM-dd yyyy')", "1970-01-01 1970"),
        ("DATETOSTRING(19110, 'uuuu yy')", "2022 22"),
        ("STRINGTODATE('2022-04-28 2022', 'uuuu-MM-dd yyyy')", 19110),
        ("STRINGTOTIMESTAMP('2020-20', 'yyyy-uu')", 1577836800000),
    ],
)
def test_patterns_with_both_year_letters(sql: str, expected: object) -> None:
    assert evaluate_logged(sql, COLS, ROW) == (expected, [])


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "STRINGTOTIMESTAMP('2020-21', 'uuuu-yy')",
            "Failed to parse timestamp '2020-21' with formatter 'uuuu-yy': Text '2020-21' "
            "could not be parsed: Conflict found: Year 2020 differs from Year 2021",
        ),
        (
            "PARSE_TIMESTAMP('2021 2020', 'yyyy uuuu')",
            "Failed to parse timestamp '2021 2020' at timezone 'GMT' with formatter "
            "'yyyy uuuu': Text '2021 2020' could not be parsed: Conflict found: "
            "Year 2020 differs from Year 2021",
        ),
        (
            "STRINGTODATE('2020-04-28 2021', 'uuuu-MM-dd yyyy')",
            "Failed to parse date '2020-04-28 2021' with formatter 'uuuu-MM-dd yyyy': "
            "Text '2020-04-28 2021' could not be parsed: Conflict found: "
            "Year 2020 differs from Year 2021",
        ),
        (
            "STRINGTOTIMESTAMP('2020-2021', 'yyyy-yyyy', 'UTC')",
            "Failed to parse timestamp '2020-2021' at timezone 'UTC' with formatter "
            "'yyyy-yyyy': Text '2020-2021' could not be parsed at index 5",
        ),
        (
            "STRINGTODATE('0000', 'yyyy')",
            "Failed to parse date '0000' with formatter 'yyyy': Text '0000' could not be "
            "parsed: Invalid value for YearOfEra (valid values 1 - 999999999/1000000000): 0",
        ),
    ],
)
def test_conflicting_year_fields_fail_as_in_java(sql: str, message: str) -> None:
    value, errors = evaluate_logged(sql, COLS, ROW)
    assert value is None
    assert [e.message for e in errors] == [message]


@pytest.mark.parametrize("name", ["TIMESTAMPADD", "TIMESTAMPSUB"])
def test_timestamp_intervals_are_int_as_in_ksqldb(name: str) -> None:
    assert evaluate(f"{name}(SECONDS, 2147483647, TS)", COLS, ROW) == TS + (
        datetime.timedelta(seconds=2147483647) * (1 if name == "TIMESTAMPADD" else -1)
    )
    with pytest.raises(SqlError) as caught:  # 2147483648 is a BIGINT literal
        evaluate(f"{name}(SECONDS, 2147483648, TS)", COLS, ROW)
    assert caught.value.message == (
        f"Function '{name.lower()}' does not accept parameters (null, BIGINT, TIMESTAMP).\n"
        "Valid alternatives are:\n"
        f"{name}(INTERVAL UNIT unit, INT interval, TIMESTAMP timestamp)\n"
        "For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"
    )


@pytest.mark.parametrize(
    ("sql", "args", "signature"),
    [
        ("DATEADD(DAYS, CAST(1 AS BIGINT), D)", "null, BIGINT, DATE",
         "DATEADD(INTERVAL UNIT unit, INT interval, DATE date)"),
        ("TIMEADD(HOURS, CAST(1 AS BIGINT), TM)", "null, BIGINT, TIME",
         "TIMEADD(INTERVAL UNIT unit, INT interval, TIME time)"),
        # A time unit is a keyword, not a string.
        ("TIMESTAMPADD('SECONDS', 1, TS)", "STRING, INTEGER, TIMESTAMP",
         "TIMESTAMPADD(INTERVAL UNIT unit, INT interval, TIMESTAMP timestamp)"),
    ],
)
def test_interval_functions_take_a_unit_keyword_and_an_int(
    sql: str, args: str, signature: str
) -> None:
    with pytest.raises(SqlError) as caught:
        evaluate(sql, COLS, ROW)
    name = sql.split("(", maxsplit=1)[0]
    assert caught.value.message == (
        f"Function '{name.lower()}' does not accept parameters ({args}).\n"
        f"Valid alternatives are:\n{signature}\n"
        "For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"
    )
