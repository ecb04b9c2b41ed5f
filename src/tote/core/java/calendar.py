"""The day arithmetic of Java's default `GregorianCalendar`: Gregorian from 1582-10-15,
Julian before it, any year (proleptic, year 0 is 1 BC), in epoch days."""

from __future__ import annotations

from typing import NamedTuple

# 1582-10-15, the first Gregorian day, in epoch days.
CUTOVER = -141427


class Civil(NamedTuple):
    year: int  # proleptic: 0 is 1 BC
    month: int  # 1-12
    day: int


def gregorian_days(year: int, month: int, day: int) -> int:
    """Epoch day of a proleptic Gregorian date (month 1-12)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def julian_days(year: int, month: int, day: int) -> int:
    """Epoch day of a Julian calendar date: the Gregorian one moved by the calendars' gap."""
    y = year if month > 2 else year - 1
    return gregorian_days(year, month, day) + y // 100 - y // 400 - 2


def month_start(year: int, month0: int, julian: bool) -> int:
    """Epoch day of the first of a month counted from January of `year` (0-based, rolling
    over into other years as a lenient calendar does)."""
    year += month0 // 12
    month = month0 % 12 + 1
    return julian_days(year, month, 1) if julian else gregorian_days(year, month, 1)


def civil(days: int) -> Civil:
    """The date of an epoch day as Java's calendar shows it (Julian before the cutover)."""
    if days < CUTOVER:
        return _julian_civil(days)
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = mp + (3 if mp < 10 else -9)
    return Civil(yoe + era * 400 + (month <= 2), month, doy - (153 * mp + 2) // 5 + 1)


def _julian_civil(days: int) -> Civil:
    c = days + 2440588 + 32082  # Julian day number, shifted to a 4-year cycle start
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    month = m + 3 - 12 * (m // 10)
    return Civil(d - 4800 + m // 10, month, e - (153 * m + 2) // 5 + 1)


def year_start(year: int) -> int:
    """Epoch day of January 1st of `year` in the calendar in force then."""
    gregorian = gregorian_days(year, 1, 1)
    return gregorian if gregorian >= CUTOVER else julian_days(year, 1, 1)


def weekday(days: int) -> int:
    """Day of week, 0 = Sunday (1970-01-01 was a Thursday)."""
    return (days + 4) % 7
