"""Time zone names and offsets in DateTimeFormatter patterns, as ksqlDB's date functions
print and read them in a zone given (each value checked against JDK 17, Locale.US)."""

from __future__ import annotations

import datetime

import pytest
from tests.sql.exprkit import evaluate_logged

NOVEMBER = 1_700_000_000_000  # 2023-11-14T22:13:20Z
JULY = 1_690_000_000_000  # 2023-07-22T04:26:40Z
ZONE_LETTERS = "z|zzzz|Z|X|XXX|VV|ZZZZ|ZZZZZ"


@pytest.mark.parametrize(("millis", "tz", "expected"), [
    (NOVEMBER, "America/New_York",
     "EST|Eastern Standard Time|-0500|-05|-05:00|America/New_York|GMT-05:00|-05:00"),
    (JULY, "America/New_York",
     "EDT|Eastern Daylight Time|-0400|-04|-04:00|America/New_York|GMT-04:00|-04:00"),
    (NOVEMBER, "Europe/London", "GMT|Greenwich Mean Time|+0000|Z|Z|Europe/London|GMT|Z"),
    (JULY, "Europe/London",
     "BST|British Summer Time|+0100|+01|+01:00|Europe/London|GMT+01:00|+01:00"),
    (NOVEMBER, "Asia/Kolkata",
     "IST|India Standard Time|+0530|+0530|+05:30|Asia/Kolkata|GMT+05:30|+05:30"),
    # Dublin's tzdata winter time is a negative daylight saving; Java's is standard time.
    (NOVEMBER, "Europe/Dublin", "GMT|Greenwich Mean Time|+0000|Z|Z|Europe/Dublin|GMT|Z"),
    (JULY, "Europe/Dublin",
     "IST|Irish Standard Time|+0100|+01|+01:00|Europe/Dublin|GMT+01:00|+01:00"),
    # tzdata's abbreviations are numbers here; Java keeps its own names.
    (NOVEMBER, "America/Sao_Paulo",
     "BRT|Brasilia Standard Time|-0300|-03|-03:00|America/Sao_Paulo|GMT-03:00|-03:00"),
    (NOVEMBER, "Asia/Kathmandu",
     "NPT|Nepal Time|+0545|+0545|+05:45|Asia/Kathmandu|GMT+05:45|+05:45"),
    (NOVEMBER, "America/Detroit",
     "EST|Eastern Standard Time|-0500|-05|-05:00|America/Detroit|GMT-05:00|-05:00"),
    (NOVEMBER, "Australia/Sydney",
     "AEDT|Australian Eastern Daylight Time|+1100|+11|+11:00|Australia/Sydney|GMT+11:00|+11:00"),
    (NOVEMBER, "UTC", "UTC|Coordinated Universal Time|+0000|Z|Z|UTC|GMT|Z"),
    # A fixed offset is named by its normalised zone ID.
    (NOVEMBER, "GMT+2", "GMT+02:00|GMT+02:00|+0200|+02|+02:00|GMT+02:00|GMT+02:00|+02:00"),
    (NOVEMBER, "+05:30", "+05:30|+05:30|+0530|+0530|+05:30|+05:30|GMT+05:30|+05:30"),
])
def test_zone_letters_print_as_javas(millis: int, tz: str, expected: str) -> None:
    sql = f"TIMESTAMPTOSTRING({millis}, '{ZONE_LETTERS}', '{tz}')"
    assert evaluate_logged(sql) == (expected, [])


def test_format_timestamp_names_the_zone_given() -> None:
    sql = f"FORMAT_TIMESTAMP(FROM_UNIXTIME({JULY}), 'HH:mm z (zzzz)', 'America/Los_Angeles')"
    assert evaluate_logged(sql) == ("21:26 PDT (Pacific Daylight Time)", [])


@pytest.mark.parametrize(("text", "pattern", "millis"), [
    ("2023-01-15 10:00 EST", "yyyy-MM-dd HH:mm z", 1_673_794_800_000),
    # A name stands for its zone: `EST` in July is New York's daylight time, and `EDT` in
    # January its standard time.
    ("2023-07-15 10:00 EST", "yyyy-MM-dd HH:mm z", 1_689_429_600_000),
    ("2023-01-15 10:00 EDT", "yyyy-MM-dd HH:mm z", 1_673_794_800_000),
    ("2023-07-15 10:00 PDT", "yyyy-MM-dd HH:mm z", 1_689_440_400_000),
    ("2023-07-15 10:00 CST", "yyyy-MM-dd HH:mm z", 1_689_433_200_000),
    # Java reads `IST` as Africa/Abidjan's.
    ("2023-01-15 10:00 IST", "yyyy-MM-dd HH:mm z", 1_673_776_800_000),
    ("2023-07-15 10:00 India Standard Time", "yyyy-MM-dd HH:mm zzzz", 1_689_395_400_000),
    ("2023-07-15 10:00 America/New_York", "yyyy-MM-dd HH:mm z", 1_689_429_600_000),
    ("2023-07-15 10:00 Asia/Kolkata", "yyyy-MM-dd HH:mm VV", 1_689_395_400_000),
    ("2023-07-15 10:00 GMT+02:00", "yyyy-MM-dd HH:mm z", 1_689_408_000_000),
])
def test_zone_names_read_as_javas(text: str, pattern: str, millis: int) -> None:
    assert evaluate_logged(f"STRINGTOTIMESTAMP('{text}', '{pattern}', 'UTC')") == (millis, [])
    assert evaluate_logged(f"PARSE_TIMESTAMP('{text}', '{pattern}')") == (
        datetime.datetime.fromtimestamp(millis / 1000, datetime.UTC), [])
