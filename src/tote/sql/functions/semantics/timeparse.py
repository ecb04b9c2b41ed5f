"""ksqlDB's text forms of DATE, TIME and TIMESTAMP (CAST to and from STRING, comparisons).

Timestamps print as `yyyy-MM-ddTHH:mm:ss.SSS` in UTC; times as Java's LocalTime
(`HH:mm` or `HH:mm:ss`); dates as `yyyy-MM-dd`. Parsing accepts ksqlDB's partial forms
(`2020`, `2020-05`, `2020-05-26T01:02`, optional fraction and zone suffix).
"""

from __future__ import annotations

import datetime
import re

from tote.serde.sql_values import millis_to_timestamp, timestamp_to_millis

_TIMESTAMP = re.compile(
    r"(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)
_TIME = re.compile(r"(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?")


class TimeParseError(ValueError):
    pass


def _zone(text: str | None) -> datetime.tzinfo:
    if not text or text == "Z":
        return datetime.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return datetime.timezone(sign * datetime.timedelta(hours=hours, minutes=minutes))


def parse_timestamp(text: str) -> datetime.datetime:
    match = _TIMESTAMP.fullmatch(text.strip())
    if match is None:
        raise TimeParseError(f"Failed to parse timestamp '{text}'")
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    try:
        value = datetime.datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0")[:6].ljust(6, "0")),
            tzinfo=_zone(zone),
        )
    except ValueError as exc:
        raise TimeParseError(f"Failed to parse timestamp '{text}': {exc}") from None
    # ksqlDB keeps millisecond precision.
    return millis_to_timestamp(timestamp_to_millis(value))


def parse_date(text: str) -> datetime.date:
    match = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", text.strip())
    if match is None:
        raise TimeParseError(f"Failed to parse date '{text}'")
    year, month, day = match.groups()
    try:
        return datetime.date(int(year), int(month or 1), int(day or 1))
    except ValueError as exc:
        raise TimeParseError(f"Failed to parse date '{text}': {exc}") from None


def parse_time(text: str) -> datetime.time:
    match = _TIME.fullmatch(text.strip())
    if match is None:
        raise TimeParseError(f"Failed to parse time '{text}'")
    hour, minute, second, fraction = match.groups()
    try:
        micros = int((fraction or "0")[:3].ljust(3, "0")) * 1000
        return datetime.time(int(hour), int(minute), int(second or 0), micros)
    except ValueError as exc:
        raise TimeParseError(f"Failed to parse time '{text}': {exc}") from None


def format_timestamp(value: datetime.datetime) -> str:
    utc = value.astimezone(datetime.UTC) if value.tzinfo else value
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def format_time(value: datetime.time) -> str:
    if value.second:
        return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    return f"{value.hour:02d}:{value.minute:02d}"


def format_date(value: datetime.date) -> str:
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def date_to_timestamp(value: datetime.date) -> datetime.datetime:
    return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.UTC)


def timestamp_to_date(value: datetime.datetime) -> datetime.date:
    return value.astimezone(datetime.UTC).date()


def timestamp_to_time(value: datetime.datetime) -> datetime.time:
    utc = value.astimezone(datetime.UTC)
    return datetime.time(utc.hour, utc.minute, utc.second, utc.microsecond // 1000 * 1000)
