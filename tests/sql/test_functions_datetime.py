"""DATE / TIME functions: Java patterns, time zones, interval arithmetic and the clock."""

from __future__ import annotations

import datetime

import pytest
from tests.sql.exprkit import evaluate

from tote.core import types as t
from tote.core.clock import ManualClock
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
