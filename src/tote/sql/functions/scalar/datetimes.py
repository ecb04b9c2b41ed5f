"""DATE / TIME functions (ksqlDB's udf/datetime), with Java patterns and time zones.

The current time comes from the injected `Clock`, never from the system directly.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from tote.core.clock import Clock
from tote.core.types import SqlType
from tote.serde.sql_values import (
    date_to_days,
    days_to_date,
    millis_to_time,
    millis_to_timestamp,
    time_to_millis,
    timestamp_to_millis,
)
from tote.sql.functions.base import ScalarFunction, scalar, variant
from tote.sql.functions.scalar.javatime import pattern_cache, zone
from tote.sql.functions.scalar.simpledate import SimpleDatePattern

CATEGORY = "DATE / TIME"
_UNIT_MS = {
    "MILLISECONDS": 1,
    "SECONDS": 1000,
    "MINUTES": 60_000,
    "HOURS": 3_600_000,
    "DAYS": 86_400_000,
}
_DAY_MS = 86_400_000


def _unit(name: str) -> int:
    try:
        return _UNIT_MS[name.upper()]
    except KeyError:
        raise ValueError(f"Unsupported time unit: {name}") from None


Bound = Callable[[Sequence[SqlType | None], SqlType], Callable[..., Any]]


def _with_patterns(make: Callable[[Callable[[str], Any]], Callable[..., Any]]) -> Bound:
    def bind(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
        return make(pattern_cache())

    return bind


# Java formats any long of milliseconds (years -292275055 to 292278994); Python's datetime
# holds years 1 to 9999. Dates and weekdays repeat every 400 years, so a value outside is
# formatted as the one a whole number of cycles inside, with the years added back.
_CYCLE_DAYS = 146_097
_LOW_DAYS = date_to_days(datetime.date(2, 1, 1))  # a year of margin for time zones
_HIGH_DAYS = date_to_days(datetime.date(9998, 12, 31))


def _cycles(days: int) -> int:
    if days > _HIGH_DAYS:
        return (days - _HIGH_DAYS) // _CYCLE_DAYS + 1
    if days < _LOW_DAYS:
        return -((_LOW_DAYS - days) // _CYCLE_DAYS + 1)
    return 0


def _format_millis(get: Any, millis: int, pattern: str, tz: str) -> str:
    cycles = _cycles(millis // _DAY_MS)
    value = millis_to_timestamp(millis - cycles * _CYCLE_DAYS * _DAY_MS)
    return str(get(pattern).format(value.astimezone(zone(tz)), 400 * cycles))


def _failed(what: str, tz: str | None, pattern: str, error: ValueError) -> ValueError:
    """ksqlDB's KsqlFunctionException message for a value it cannot format."""
    where = f" at timeZone '{tz}'" if tz is not None else ""
    return ValueError(f"Failed to format {what}{where} with formatter '{pattern}': {error}")


def _java_timestamp(value: datetime.datetime) -> str:
    """java.sql.Timestamp#toString (in UTC): `2021-01-02 03:04:05.6`."""
    fraction = f"{value.microsecond:06d}".rstrip("0") or "0"
    return f"{value.astimezone(datetime.UTC):%Y-%m-%d %H:%M:%S}.{fraction}"


def _timestamptostring(get: Any) -> Callable[..., str]:
    def run(millis: int, pattern: str, tz: str | None = None) -> str:
        try:
            return _format_millis(get, millis, pattern, tz or "UTC")
        except ValueError as exc:
            raise _failed(f"timestamp {millis}", tz, pattern, exc) from None

    return run


def _format_timestamp(get: Any) -> Callable[..., str]:
    def run(value: datetime.datetime, pattern: str, tz: str | None = None) -> str:
        try:
            return _format_millis(get, timestamp_to_millis(value), pattern, tz or "GMT")
        except ValueError as exc:
            raise _failed(f"timestamp {_java_timestamp(value)}", tz or "GMT", pattern,
                          exc) from None

    return run


def _parse_failed(what: str, text: str, tz: str | None, pattern: str,
                  error: ValueError) -> ValueError:
    """ksqlDB's KsqlFunctionException message for a text it cannot parse."""
    where = f" at timezone '{tz}'" if tz is not None else ""
    return ValueError(
        f"Failed to parse {what} '{text}'{where} with formatter '{pattern}': {error}"
    )


def _stringtotimestamp(get: Any) -> Callable[..., int]:
    def run(text: str, pattern: str, tz: str | None = None) -> int:
        try:
            return timestamp_to_millis(get(pattern).parse(text, zone(tz or "UTC")))
        except ValueError as exc:
            raise _parse_failed("timestamp", text, tz, pattern, exc) from None

    return run


def _parse_timestamp(get: Any) -> Callable[..., datetime.datetime]:
    def run(text: str, pattern: str, tz: str = "GMT") -> datetime.datetime:
        try:
            parsed = get(pattern).parse(text, zone(tz))
        except ValueError as exc:
            raise _parse_failed("timestamp", text, tz, pattern, exc) from None
        return millis_to_timestamp(timestamp_to_millis(parsed))

    return run


def _datetostring(get: Any) -> Callable[..., str]:
    def run(days: int, pattern: str) -> str:
        try:
            cycles = _cycles(days)
            day = days_to_date(days - cycles * _CYCLE_DAYS)
            return str(get(pattern).format(datetime.datetime(day.year, day.month, day.day),
                                           400 * cycles))
        except ValueError as exc:
            raise _failed(f"date {days}", None, pattern, exc) from None

    return run


def _format_date(get: Any) -> Callable[..., str]:
    def run(value: datetime.date, pattern: str) -> str:
        return str(get(pattern).format(datetime.datetime(value.year, value.month, value.day)))

    return run


def _stringtodate(get: Any) -> Callable[..., int]:
    def run(text: str, pattern: str) -> int:
        try:
            return date_to_days(get(pattern).parse(text).date())
        except ValueError as exc:
            raise _parse_failed("date", text, None, pattern, exc) from None

    return run


def _parse_date(clock: Clock) -> Bound:
    """PARSE_DATE reads SimpleDateFormat patterns (see `simpledate`); a pattern's two-digit
    years are placed around the year it is first used in."""

    def bind(arg_types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
        now_ms = clock.now_ms()
        cache: dict[str, SimpleDatePattern] = {}

        def run(text: str, pattern: str) -> datetime.date:
            try:
                found = cache.get(pattern)
                if found is None:
                    if len(cache) > 64:
                        cache.clear()
                    found = cache[pattern] = SimpleDatePattern(pattern, now_ms)
                millis = found.parse(text)
                if millis % _DAY_MS:
                    raise ValueError("Date format contains time field.")
                return _date(millis // _DAY_MS)
            except ValueError as exc:
                raise _parse_failed("date", text, None, pattern, exc) from None

        return run

    return bind


def _format_time(get: Any) -> Callable[..., str]:
    def run(value: datetime.time, pattern: str) -> str:
        return str(get(pattern).format(datetime.datetime.combine(datetime.date(1970, 1, 1), value)))

    return run


def _parse_time(get: Any) -> Callable[..., datetime.time]:
    def run(text: str, pattern: str) -> datetime.time:
        try:
            java = get(pattern)
            parsed = java.parse(text)
            if java.has_date_field:
                raise ValueError("Time format contains date field.")
        except ValueError as exc:
            raise _parse_failed("time", text, None, pattern, exc) from None
        return datetime.time(
            parsed.hour, parsed.minute, parsed.second, parsed.microsecond // 1000 * 1000
        )

    return run


def _timestamp(millis: int) -> datetime.datetime:
    """A TIMESTAMP, or an error naming tote's range (Java's is wider)."""
    try:
        return millis_to_timestamp(millis)
    except (OverflowError, ValueError):
        raise ValueError(f"TIMESTAMP out of range: {millis} ms since the epoch is not in "
                         "the years 1 to 9999") from None


def _date(days: int) -> datetime.date:
    try:
        return days_to_date(days)
    except (OverflowError, ValueError):
        raise ValueError(f"DATE out of range: {days} days since the epoch is not in the "
                         "years 1 to 9999") from None


def _date_add(unit: str, amount: int, value: datetime.date) -> datetime.date:
    """ksqlDB adds the interval to the date's milliseconds and takes whole days with
    TimeUnit#toDays, which truncates toward zero: an hour before day 0 is day 0, an hour
    after day -1 is day 0 too."""
    millis = date_to_days(value) * _DAY_MS + amount * _unit(unit)
    days = abs(millis) // _DAY_MS
    return _date(days if millis >= 0 else -days)


def _time_add(unit: str, amount: int, value: datetime.time) -> datetime.time:
    return millis_to_time((time_to_millis(value) + amount * _unit(unit)) % _DAY_MS)


def _timestamp_add(unit: str, amount: int, value: datetime.datetime) -> datetime.datetime:
    return _timestamp(timestamp_to_millis(value) + amount * _unit(unit))


def _convert_tz(value: datetime.datetime, source: str, target: str) -> datetime.datetime:
    """Reinterpret the wall-clock time of `value` from one zone into another (ksqlDB's
    CONVERT_TZ shifts the instant by the difference of the offsets)."""
    naive = value.astimezone(datetime.UTC).replace(tzinfo=None)
    try:
        local = naive.replace(tzinfo=zone(source)).astimezone(zone(target))
    except OverflowError:
        raise ValueError("TIMESTAMP out of range: the converted time is not in the years 1 "
                         "to 9999") from None
    return local.replace(tzinfo=None).replace(tzinfo=datetime.UTC)


def functions(clock: Clock) -> list[ScalarFunction]:
    def now_ms() -> int:
        return clock.now_ms()

    return [
        scalar(
            "UNIX_TIMESTAMP",
            CATEGORY,
            "Milliseconds since the epoch, now or of a TIMESTAMP.",
            variant("-> BIGINT", now_ms, strict=False),
            variant("TIMESTAMP ts -> BIGINT", timestamp_to_millis),
        ),
        scalar(
            "UNIX_DATE",
            CATEGORY,
            "Days since the epoch, today or of a DATE.",
            variant("-> INT", lambda: now_ms() // _DAY_MS, strict=False),
            variant("DATE date -> INT", date_to_days),
        ),
        scalar(
            "TIMESTAMPTOSTRING",
            CATEGORY,
            "Formats epoch milliseconds with a Java pattern.",
            variant(
                "BIGINT epochMilli, STRING formatPattern -> STRING",
                bind=_with_patterns(_timestamptostring),
            ),
            variant(
                "BIGINT epochMilli, STRING formatPattern, STRING timeZone -> STRING",
                bind=_with_patterns(_timestamptostring),
            ),
        ),
        scalar(
            "STRINGTOTIMESTAMP",
            CATEGORY,
            "Parses a string into epoch milliseconds.",
            variant(
                "STRING formattedTimestamp, STRING formatPattern -> BIGINT",
                bind=_with_patterns(_stringtotimestamp),
            ),
            variant(
                "STRING formattedTimestamp, STRING formatPattern, STRING timeZone -> BIGINT",
                bind=_with_patterns(_stringtotimestamp),
            ),
        ),
        scalar(
            "FORMAT_TIMESTAMP",
            CATEGORY,
            "Formats a TIMESTAMP with a Java pattern.",
            variant(
                "TIMESTAMP timestamp, STRING formatPattern -> STRING",
                bind=_with_patterns(_format_timestamp),
            ),
            variant(
                "TIMESTAMP timestamp, STRING formatPattern, STRING timeZone -> STRING",
                bind=_with_patterns(_format_timestamp),
            ),
        ),
        scalar(
            "PARSE_TIMESTAMP",
            CATEGORY,
            "Parses a string into a TIMESTAMP.",
            variant(
                "STRING formattedTimestamp, STRING formatPattern -> TIMESTAMP",
                bind=_with_patterns(_parse_timestamp),
            ),
            variant(
                "STRING formattedTimestamp, STRING formatPattern, STRING timeZone -> TIMESTAMP",
                bind=_with_patterns(_parse_timestamp),
            ),
        ),
        scalar(
            "DATETOSTRING",
            CATEGORY,
            "Formats days since the epoch with a Java pattern.",
            variant(
                "INT epochDays, STRING formatPattern -> STRING", bind=_with_patterns(_datetostring)
            ),
        ),
        scalar(
            "STRINGTODATE",
            CATEGORY,
            "Parses a string into days since the epoch.",
            variant(
                "STRING formattedDate, STRING formatPattern -> INT",
                bind=_with_patterns(_stringtodate),
            ),
        ),
        scalar(
            "FORMAT_DATE",
            CATEGORY,
            "Formats a DATE with a Java pattern.",
            variant("DATE date, STRING formatPattern -> STRING", bind=_with_patterns(_format_date)),
        ),
        scalar(
            "PARSE_DATE",
            CATEGORY,
            "Parses a string into a DATE.",
            variant(
                "STRING formattedDate, STRING formatPattern -> DATE",
                bind=_parse_date(clock),
            ),
        ),
        scalar(
            "FORMAT_TIME",
            CATEGORY,
            "Formats a TIME with a Java pattern.",
            variant("TIME time, STRING formatPattern -> STRING", bind=_with_patterns(_format_time)),
        ),
        scalar(
            "PARSE_TIME",
            CATEGORY,
            "Parses a string into a TIME.",
            variant(
                "STRING formattedTime, STRING formatPattern -> TIME",
                bind=_with_patterns(_parse_time),
            ),
        ),
        scalar(
            "DATEADD",
            CATEGORY,
            "Adds an interval to a DATE.",
            variant("INTERVALUNIT unit, INT interval, DATE date -> DATE", _date_add),
        ),
        scalar(
            "DATESUB",
            CATEGORY,
            "Subtracts an interval from a DATE.",
            variant(
                "INTERVALUNIT unit, INT interval, DATE date -> DATE",
                lambda u, n, d: _date_add(u, -n, d),
            ),
        ),
        scalar(
            "TIMEADD",
            CATEGORY,
            "Adds an interval to a TIME.",
            variant("INTERVALUNIT unit, INT interval, TIME time -> TIME", _time_add),
        ),
        scalar(
            "TIMESUB",
            CATEGORY,
            "Subtracts an interval from a TIME.",
            variant(
                "INTERVALUNIT unit, INT interval, TIME time -> TIME",
                lambda u, n, t: _time_add(u, -n, t),
            ),
        ),
        scalar(
            "TIMESTAMPADD",
            CATEGORY,
            "Adds an interval to a TIMESTAMP.",
            variant(
                "INTERVALUNIT unit, INT interval, TIMESTAMP timestamp -> TIMESTAMP", _timestamp_add
            ),
        ),
        scalar(
            "TIMESTAMPSUB",
            CATEGORY,
            "Subtracts an interval from a TIMESTAMP.",
            variant(
                "INTERVALUNIT unit, INT interval, TIMESTAMP timestamp -> TIMESTAMP",
                lambda u, n, t: _timestamp_add(u, -n, t),
            ),
        ),
        scalar(
            "CONVERT_TZ",
            CATEGORY,
            "Converts a TIMESTAMP from one time zone to another.",
            variant("TIMESTAMP timestamp, STRING fromTz, STRING toTz -> TIMESTAMP", _convert_tz),
        ),
        scalar(
            "FROM_UNIXTIME",
            CATEGORY,
            "A TIMESTAMP from milliseconds since the epoch.",
            variant("BIGINT epochMilli -> TIMESTAMP", _timestamp),
        ),
        scalar(
            "FROM_DAYS",
            CATEGORY,
            "A DATE from days since the epoch.",
            variant("INT days -> DATE", _date),
        ),
    ]
