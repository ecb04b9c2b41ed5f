"""`tote.core.java.simple_date_format`: SimpleDateFormat and FastDateFormat's differences
(each SimpleDateFormat value checked against JDK 17 in UTC, Locale.US)."""

from __future__ import annotations

import pytest

from tote.core.java.simple_date_format import DatePatternError, SimpleDateFormat, UnparseableDate

NOW = 1_795_718_903_159  # 2026-11-26, so the two-digit year window starts 1946-11-26


@pytest.mark.parametrize(("text", "millis"), [
    # SimpleDateFormat's window starts at the very moment 80 years ago.
    ("01/01/46", 2_398_377_600_000),  # before 1946-11-26: 2046
    ("12/31/46", -725_932_800_000),  # 1946
    ("12/31/45", 2_398_291_200_000),  # 2045
    ("01/01/47", -725_846_400_000),  # 1947
])
def test_simple_date_format_two_digit_years(text: str, millis: int) -> None:
    assert SimpleDateFormat("MM/dd/yy", now_ms=NOW).parse(text) == millis


def test_fast_date_format_places_two_digit_years_by_year_alone() -> None:
    fast = SimpleDateFormat("MM/dd/yy", now_ms=NOW, fast=True)
    assert fast.parse("01/01/46") == fast.parse("12/31/46") - 364 * 86_400_000  # both 1946
    # ...and any value under 100, where SimpleDateFormat needs exactly two digits.
    assert SimpleDateFormat("y", now_ms=NOW).parse("5") == -62_009_539_200_000  # 0005
    assert SimpleDateFormat("y", now_ms=NOW, fast=True).parse("5") == 1_104_537_600_000  # 2005


@pytest.mark.parametrize(("pattern", "text", "millis"), [
    ("yyyy-MM-dd", "2021-02--3", 1_611_792_000_000),  # a sign, rolled over
    ("yyyy-MM-dd'T'HH", "2021-02-03T25", 1_612_400_400_000),
    ("yyyy G", "0001 BC", -62_167_392_000_000),
    ("HH:mm z", "10:00 GMT-5:30", 55_800_000),
    ("HH:mm X", "10:00 +05:30", 18_000_000),
    ("yyyy-MMM-dd", "2021-fEbRuary-03", 1_612_310_400_000),
])
def test_parse_as_simple_date_format(pattern: str, text: str, millis: int) -> None:
    assert SimpleDateFormat(pattern).parse(text) == millis


@pytest.mark.parametrize(("pattern", "text"), [
    ("HH:mm z", "10:00 GMT+5"), ("HH:mm Z", "10:00 Z"), ("HH:mm XXX", "10:00 +0530"),
    ("yyyy-MM-dd", "2021-02-+3"),
])
def test_unparseable_as_in_simple_date_format(pattern: str, text: str) -> None:
    with pytest.raises(UnparseableDate, match=f'^Unparseable date: "{text}"$'.replace("+", r"\+")):
        SimpleDateFormat(pattern).parse(text)


@pytest.mark.parametrize(("pattern", "millis", "text"), [
    ("yyyy-MM-dd'T'HH:mm:ss.SSSZ z zzzz X", 1_612_345_678_901,
     "2021-02-03T09:47:58.901+0000 UTC Coordinated Universal Time Z"),
    ("EEE EEEE MMM MMMM a h K k u F w W D", 1_612_345_678_901,
     "Wed Wednesday Feb February AM 9 9 9 3 1 6 1 34"),
    ("yy y yyy yyyyy Y YY", 1_612_345_678_901, "21 2021 2021 02021 2021 21"),
    ("w W", 1_609_372_800_000, "1 5"),
    ("yyyy-MM-dd G", -62_170_329_600_000, "0002-11-28 BC"),
    ("'it''s' h ''", 0, "it's 12 '"),
])
def test_format_as_simple_date_format(pattern: str, millis: int, text: str) -> None:
    assert SimpleDateFormat(pattern).format(millis) == text


@pytest.mark.parametrize(("pattern", "fast", "message"), [
    ("q", False, "Illegal pattern character 'q'"),
    ("qq", True, "Illegal pattern component: qq"),
    ("XXXX", False, "invalid ISO 8601 format: length=4"),
    ("'open", False, "Unterminated quote"),
])
def test_pattern_errors(pattern: str, fast: bool, message: str) -> None:
    with pytest.raises(DatePatternError, match=f"^{message}$"):
        SimpleDateFormat(pattern, fast=fast)


def test_the_window_from_a_leap_day_starts_on_february_28th() -> None:
    # Made 1980-02-29 12:00: the window starts 1900-02-28 12:00 (Calendar.add pins the day).
    made = SimpleDateFormat("MM/dd/yy HH", now_ms=320_673_600_000)
    assert made.parse("02/28/00 13") == -2_203_930_800_000  # 1900-02-28 13:00
    assert made.parse("02/28/00 11") == 951_735_600_000  # 2000-02-28 11:00


@pytest.mark.parametrize(("text", "millis"), [
    # A name is a fixed offset whatever the date: `EST` in July is still -05:00.
    ("2023-07-15 10:00 EST", 1_689_433_200_000),
    ("2023-01-15 10:00 EDT", 1_673_791_200_000),
    ("2023-07-15 10:00 PST", 1_689_444_000_000),
    ("2023-07-15 10:00 CEST", 1_689_408_000_000),
    ("2023-07-15 10:00 Eastern Standard Time", 1_689_433_200_000),
    ("2023-07-15 10:00 est", 1_689_433_200_000),
    ("2023-01-15 10:00 IST", 1_673_769_600_000),  # Israel's, to SimpleDateFormat
])
def test_simple_date_format_reads_zone_names(text: str, millis: int) -> None:
    assert SimpleDateFormat("yyyy-MM-dd HH:mm z", now_ms=NOW).parse(text) == millis
