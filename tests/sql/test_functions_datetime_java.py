"""Date functions where ksqlDB's Java differs from the obvious: DATEADD's truncating day
conversion, PARSE_DATE's SimpleDateFormat letters, and the hour letters' resolving."""

from __future__ import annotations

import datetime

import pytest
from tests.sql.exprkit import evaluate, evaluate_logged

from tote.core.clock import ManualClock
from tote.sql.functions import default_functions

EPOCH = datetime.date(1970, 1, 1)


def _day(days: int) -> datetime.date:
    return EPOCH + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("sql", "days"),
    [
        # TimeUnit#toDays truncates toward zero: part of a day before the epoch is day 0.
        ("DATEADD(HOURS, -1, FROM_DAYS(0))", 0),
        ("DATESUB(HOURS, 1, FROM_DAYS(0))", 0),
        ("DATEADD(HOURS, 1, FROM_DAYS(-1))", 0),
        ("DATEADD(HOURS, -1, FROM_DAYS(-5))", -5),
        ("DATEADD(HOURS, -25, FROM_DAYS(0))", -1),
        ("DATEADD(HOURS, 25, FROM_DAYS(0))", 1),
        ("DATESUB(MINUTES, 1, FROM_DAYS(10))", 9),
        ("DATEADD(MILLISECONDS, -2147483648, FROM_DAYS(0))", -24),
        ("DATEADD(SECONDS, 2147483647, FROM_DAYS(-30000))", -5144),
        ("DATESUB(DAYS, -2147483, FROM_DAYS(0))", 2147483),
    ],
)
def test_dateadd_truncates_sub_day_units_toward_zero(sql: str, days: int) -> None:
    assert evaluate_logged(sql) == (_day(days), [])


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # `u` is SimpleDateFormat's day number of week; with a day of month it is unused.
        ("PARSE_DATE('2021-02-03 3', 'yyyy-MM-dd u')", datetime.date(2021, 2, 3)),
        # Without one, a weekday picks the first such day of the month.
        ("PARSE_DATE('2021-02 7', 'yyyy-MM u')", datetime.date(2021, 2, 7)),
        ("PARSE_DATE('2021-03 wed', 'yyyy-MM EEEE')", datetime.date(2021, 3, 3)),
        # `Y` is read as the year; numbers take all their digits unless a number follows.
        ("PARSE_DATE('2021-06-15', 'YYYY-MM-dd')", datetime.date(2021, 6, 15)),
        ("PARSE_DATE('20210615', 'yyyyMMdd')", datetime.date(2021, 6, 15)),
        ("PARSE_DATE('2021-6-5', 'yyyy-MM-dd')", datetime.date(2021, 6, 5)),
        # A lenient calendar: fields roll over, the last of a repeated field wins.
        ("PARSE_DATE('2021-02-30', 'yyyy-MM-dd')", datetime.date(2021, 3, 2)),
        ("PARSE_DATE('2020-2021', 'yyyy-yyyy')", datetime.date(2021, 1, 1)),
        # Before the Gregorian cutover the fields are Julian.
        ("PARSE_DATE('1500-03-01', 'yyyy-MM-dd')", datetime.date(1500, 3, 11)),
        ("PARSE_DATE('1582-10-15', 'yyyy-MM-dd')", datetime.date(1582, 10, 15)),
        # A time of midnight is allowed, also through an offset.
        ("PARSE_DATE('2021-01-02 01:00 +0100', 'yyyy-MM-dd HH:mm Z')",
         datetime.date(2021, 1, 2)),
    ],
)
def test_parse_date_reads_simpledateformat_patterns(sql: str, expected: object) -> None:
    assert evaluate_logged(sql) == (expected, [])


def test_parse_date_two_digit_years_are_within_80_years_before_now() -> None:
    functions = default_functions(clock=ManualClock(1_780_000_000_000))  # in 2026
    assert evaluate("PARSE_DATE('15/06/85', 'dd/MM/yy')", functions=functions) == (
        datetime.date(1985, 6, 15))
    assert evaluate("PARSE_DATE('15/06/45', 'dd/MM/yy')", functions=functions) == (
        datetime.date(2045, 6, 15))
    assert evaluate("PARSE_DATE('15/06/46', 'dd/MM/yy')", functions=functions) == (
        datetime.date(1946, 6, 15))


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("PARSE_DATE('2021-01-01 10', 'yyyy-MM-dd HH')",
         "Failed to parse date '2021-01-01 10' with formatter 'yyyy-MM-dd HH': "
         "Date format contains time field."),
        ("PARSE_DATE('abcd', 'yyyy-MM-dd')",
         "Failed to parse date 'abcd' with formatter 'yyyy-MM-dd': Unparseable date: abcd"),
        ("PARSE_DATE('2021', 'yyyy nn')",
         "Failed to parse date '2021' with formatter 'yyyy nn': "
         "java.lang.IllegalArgumentException: Illegal pattern component: nn"),
    ],
)
def test_parse_date_failures_as_in_ksqldb(sql: str, message: str) -> None:
    value, errors = evaluate_logged(sql)
    assert value is None
    assert [e.message for e in errors] == [message]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("STRINGTOTIMESTAMP('10 11', 'HH k')",
         "Failed to parse timestamp '10 11' with formatter 'HH k': Text '10 11' could not be "
         "parsed: Conflict found: HourOfDay 10 differs from HourOfDay 11 while resolving  "
         "ClockHourOfDay"),
        ("PARSE_TIME('10 11', 'hh K')",
         "Failed to parse time '10 11' with formatter 'hh K': Text '10 11' could not be "
         "parsed: Conflict found: HourOfAmPm 11 differs from HourOfAmPm 10 while resolving  "
         "ClockHourOfAmPm"),
        ("PARSE_TIME('10:00 11 PM', 'HH:mm hh a')",
         "Failed to parse time '10:00 11 PM' with formatter 'HH:mm hh a': Text '10:00 11 PM' "
         "could not be parsed: Conflict found: HourOfDay 10 differs from HourOfDay 23 while "
         "resolving  AmPmOfDay"),
        ("PARSE_TIME('10:15:30 PM', 'HH:mm:ss a')",
         "Failed to parse time '10:15:30 PM' with formatter 'HH:mm:ss a': Text '10:15:30 PM' "
         "could not be parsed: Conflict found: Field AmPmOfDay 0 differs from AmPmOfDay 1 "
         "derived from 10:15:30"),
        ("PARSE_TIME('21 10', 'HH K')",
         "Failed to parse time '21 10' with formatter 'HH K': Text '21 10' could not be "
         "parsed: Conflict found: Field HourOfAmPm 9 differs from HourOfAmPm 10 derived from "
         "21:00"),
        ("PARSE_TIME('00 25', 'HH kk')",
         "Failed to parse time '00 25' with formatter 'HH kk': Text '00 25' could not be "
         "parsed: Invalid value for ClockHourOfDay (valid values 1 - 24): 25"),
    ],
)
def test_mixed_hour_letters_fail_with_javas_resolver_messages(sql: str, message: str) -> None:
    value, errors = evaluate_logged(sql)
    assert value is None
    assert [e.message for e in errors] == [message]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("PARSE_TIME('24:00', 'kk:mm')", datetime.time(0, 0)),
        ("PARSE_TIME('00 24', 'HH kk')", datetime.time(0, 0)),
        ("PARSE_TIME('22 10', 'HH hh')", datetime.time(22, 0)),
        ("PARSE_TIME('12:30 AM', 'hh:mm a')", datetime.time(0, 30)),
        ("PARSE_TIME('11 PM 23', 'K a HH')", datetime.time(23, 0)),
    ],
)
def test_agreeing_hour_letters_resolve(sql: str, expected: object) -> None:
    assert evaluate_logged(sql) == (expected, [])


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("PARSE_TIME('10:15abc', 'HH:mm')",
         "Failed to parse time '10:15abc' with formatter 'HH:mm': Text '10:15abc' could not "
         "be parsed, unparsed text found at index 5"),
        ("PARSE_TIME('2021-01-02 10:15', 'yyyy-MM-dd HH:mm')",
         "Failed to parse time '2021-01-02 10:15' with formatter 'yyyy-MM-dd HH:mm': Time "
         "format contains date field."),
        ("PARSE_TIMESTAMP('2021-01-02 10:15 x', 'yyyy-MM-dd HH:mm')",
         "Failed to parse timestamp '2021-01-02 10:15 x' at timezone 'GMT' with formatter "
         "'yyyy-MM-dd HH:mm': Text '2021-01-02 10:15 x' could not be parsed, unparsed text "
         "found at index 16"),
    ],
)
def test_datetimeformatter_parses_the_whole_text_and_parse_time_no_date(
        sql: str, message: str) -> None:
    """ParseTime and ParseTimestamp use DateTimeFormatter.parse: trailing text fails, and
    a time format with a date field is refused."""
    value, errors = evaluate_logged(sql)
    assert value is None
    assert [e.message for e in errors] == [message]
