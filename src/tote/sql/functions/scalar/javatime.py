"""Java DateTimeFormatter patterns, for formatting and parsing (SimpleDateFormat, which
PARSE_DATE and Connect use, is `tote.core.java.simple_date_format`).

ksqlDB's date functions take Java patterns (`yyyy-MM-dd HH:mm:ss.SSS`); each pattern is
translated once into a list of fields, which formats a datetime and builds a regex to
parse one. Supported letters: y u M L d D H h k K m s S a E X x Z z VV and quoted literals.
Zones print and read as Java 17 does in Locale.US: `z` / `zzzz` the short and long names
(`EST`, `Eastern Standard Time`; names from `tote.core.java.zone_names`), `VV` the zone ID,
`Z` / `X` / `x` the offsets (`-0500`, `-05:00`, `GMT-05:00` for `ZZZZ`). A name read picks
the zone Java picks for it (`EST` is America/New_York, so in July it means -04:00).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tote.core.java import zone_names

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_LETTERS = set("GyuMLdDHhkKmsSaEXxZzVn")


class PatternError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class _Field:
    letter: str  # "" for a literal
    count: int
    text: str = ""


def zone(name: str) -> datetime.tzinfo:
    """A Java ZoneId: region names, `UTC`, `Z`, `GMT+2`, `+05:30`. A fixed offset is named
    by the ID Java normalises it to (`GMT+02:00`), which is what `z` and `VV` print."""
    upper = name.upper()
    if upper in ("Z", "UTC", "GMT", "UT"):
        return datetime.timezone(datetime.timedelta(0), upper)
    match = re.fullmatch(r"(UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?", name)
    if match:
        sign = -1 if match.group(2) == "-" else 1
        hours, minutes = int(match.group(3)), int(match.group(4) or 0)
        delta = datetime.timedelta(hours=hours, minutes=minutes)
        offset = f"{match.group(2)}{hours:02d}:{minutes:02d}" if delta else ""
        prefix = match.group(1) or ("" if delta else "Z")
        return datetime.timezone(sign * delta, prefix + offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PatternError(f"Unknown time-zone ID: {name}") from None


def _tokens(pattern: str) -> list[_Field]:
    fields: list[_Field] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'":
            end = i + 1
            text: list[str] = []
            while end < len(pattern):
                if pattern[end] == "'":
                    if end + 1 < len(pattern) and pattern[end + 1] == "'":
                        text.append("'")
                        end += 2
                        continue
                    break
                text.append(pattern[end])
                end += 1
            if end == i + 1:
                text.append("'")
            fields.append(_Field("", 0, "".join(text)))
            i = end + 1
        elif ch in _LETTERS:
            end = i
            while end < len(pattern) and pattern[end] == ch:
                end += 1
            if ch == "V" and end - i != 2:
                raise PatternError("Pattern letter count must be 2: V")
            if ch == "z" and end - i > 4:
                raise PatternError("Too many pattern letters: z")
            fields.append(_Field(ch, end - i))
            i = end
        elif ch.isalpha():
            raise PatternError(f"Unknown pattern letter: {ch}")
        else:
            fields.append(_Field("", 0, ch))
            i += 1
    return fields


def _offset_text(value: datetime.datetime, letter: str, count: int) -> str:
    """`X` / `x` (1: `+05`, `+0530`; 2 and 4: `+0530`; 3 and 5: `+05:30`; `X` gives `Z`
    for zero), `Z` (1-3: `+0530`; 4: `GMT+05:30`; 5: as `XXXXX`)."""
    offset = value.utcoffset() or datetime.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if letter == "Z" and count == 4:
        return "GMT" + (_offset_text(value, "x", 3) if minutes else "")
    if letter == "Z":
        letter, count = ("x", 2) if count <= 3 else ("X", 3)
    if letter == "X" and minutes == 0:
        return "Z"
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    if count == 1:
        return f"{sign}{hours:02d}" + (f"{mins:02d}" if mins else "")
    if count in (2, 4):
        return f"{sign}{hours:02d}{mins:02d}"
    return f"{sign}{hours:02d}:{mins:02d}"


def _year_text(year: int, letter: str, n: int) -> str:
    """`y` (year of era) or `u` (proleptic year) as Java prints them: two digits for `yy`,
    else at least n digits, a `-` when negative, and a `+` when 4 or more letters are
    exceeded (`yyyy` of year 10000 is `+10000`)."""
    value = 1 - year if letter == "y" and year <= 0 else year
    if n == 2:
        return f"{abs(value) % 100:02d}"
    text = f"{abs(value):0{n}d}"
    if value < 0:
        return "-" + text
    return "+" + text if n >= 4 and len(text) > n else text


def _format_field(f: _Field, value: datetime.datetime, years: int = 0) -> str:
    n, letter = f.count, f.letter
    if letter in "yu":
        return _year_text(value.year + years, letter, n)
    if letter in "ML":
        if n >= 4:
            return _MONTHS[value.month - 1]
        if n == 3:
            return _MONTHS[value.month - 1][:3]
        return f"{value.month:0{n}d}"
    simple = {
        "d": value.day,
        "D": value.timetuple().tm_yday,
        "H": value.hour,
        "m": value.minute,
        "s": value.second,
        "k": value.hour or 24,
        "K": value.hour % 12,
        "h": (value.hour % 12) or 12,
    }
    if letter in simple:
        return f"{simple[letter]:0{n}d}"
    if letter == "S":
        return (
            f"{value.microsecond:06d}000"[:n]
            if n <= 9
            else f"{value.microsecond:06d}".ljust(n, "0")
        )
    if letter == "n":
        return str(value.microsecond * 1000)
    if letter == "a":
        return "AM" if value.hour < 12 else "PM"
    if letter == "E":
        day = _DAYS[value.weekday()]
        return day if n >= 4 else day[:3]
    if letter in "XxZ":
        return _offset_text(value, letter, n)
    if letter == "z":
        return zone_names.display_name(value, long=n >= 4)
    if letter == "V":
        return zone_names.zone_id(value)
    if letter == "G":
        return "AD" if value.year + years > 0 else "BC"
    raise PatternError(f"Unsupported pattern letter: {letter}")


def _field_regex(f: _Field, group: str) -> str:
    """The regex of one field; its value is captured as `group` (unique per field, as a
    pattern may repeat a field, or hold both `y` and `u`)."""
    letter, n = f.letter, f.count
    if not letter:
        return re.escape(f.text)
    if letter in "yu":
        return rf"(?P<{group}>[+-]?\d{{2}})" if n == 2 else rf"(?P<{group}>[+-]?\d{{{n},9}})"
    if letter in "ML":
        if n >= 3:
            names = "|".join(_MONTHS if n >= 4 else [m[:3] for m in _MONTHS])
            return rf"(?P<{group}>{names})"
        return rf"(?P<{group}>\d{{{n},2}})"
    if letter in "dDHkhKms":
        return rf"(?P<{group}>\d{{{n},{max(n, 3 if letter == 'D' else 2)}}})"
    if letter == "S":
        return rf"(?P<{group}>\d{{{n}}})"
    if letter == "n":
        return rf"(?P<{group}>\d{{1,9}})"
    if letter == "a":
        return rf"(?P<{group}>AM|PM|am|pm)"
    if letter == "E":
        names = "|".join(_DAYS if n >= 4 else [d[:3] for d in _DAYS])
        return rf"(?:{names})"
    if letter in "XxZ":
        return rf"(?P<{group}>Z|[+-]\d{{2}}(?::?\d{{2}})?)"
    if letter in "zV":
        zone_texts = () if letter == "V" else (
            zone_names.LONG_NAMES if n >= 4 else zone_names.SHORT_NAMES)
        named = "".join(re.escape(text) + "|" for text in zone_texts)
        return rf"(?P<{group}>{named}[A-Za-z_/+\-0-9:]+)"
    if letter == "G":
        return r"(?:AD|BC)"
    raise PatternError(f"Unsupported pattern letter: {letter}")


# The parsed value each letter sets: `y` is Java's year-of-era, `u` the proleptic year.
_KEYS = {"y": "y", "u": "u", "M": "M", "L": "M", "d": "d", "D": "D", "H": "H", "k": "k",
         "h": "h", "K": "K", "m": "m", "s": "s", "S": "nano", "n": "nano", "a": "a",
         "X": "off", "x": "off", "Z": "off", "z": "zone", "V": "zone"}
_MONTH_ABBREVIATIONS = [m[:3].lower() for m in _MONTHS]
# Letters of DateTimeFormatter's date-based fields (era, years, quarters, months, weeks, days).
_DATE_LETTERS = frozenset("GuyDMLdQqYwWEecFg")


def _field_value(f: _Field, text: str) -> int | str:
    if f.letter in "yu":
        return 2000 + int(text) if f.count == 2 else int(text)
    if f.letter in "ML" and f.count >= 3:
        return _MONTH_ABBREVIATIONS.index(text[:3].lower()) + 1
    if f.letter == "S":
        return int(text[:9].ljust(9, "0"))
    if f.letter in "aXxZzV":
        return text.upper() if f.letter == "a" else text
    return int(text)


def _resolve_year(text: str, values: dict[str, int | str]) -> int:
    """DateTimeFormatter's SMART resolving of `u` (year) and `y` (year of era, AD unless
    the year says otherwise): both present must agree."""
    year, year_of_era = values.get("u"), values.get("y")
    if year_of_era is not None:
        assert isinstance(year_of_era, int)
        if not 1 <= year_of_era <= 999_999_999:
            raise PatternError(
                f"Text '{text}' could not be parsed: Invalid value for YearOfEra "
                f"(valid values 1 - 999999999/1000000000): {year_of_era}"
            )
        if year is None:
            return year_of_era
        assert isinstance(year, int)
        implied = year_of_era if year > 0 else 1 - year_of_era
        if implied != year:
            raise PatternError(
                f"Text '{text}' could not be parsed: Conflict found: "
                f"Year {year} differs from Year {implied}"
            )
    return 1970 if year is None else int(year)


def _conflict(text: str, field: str, old: int | None, new: int, target: str) -> int:
    """Parsed#updateCheckConflict: a field derived from another must agree with its own."""
    if old is not None and old != new:
        raise PatternError(f"Text '{text}' could not be parsed: Conflict found: {field} {old} "
                           f"differs from {field} {new} while resolving  {target}")
    return new


def _local_time(values: dict[str, int | str], hour: int) -> str:
    """LocalTime#toString: `10:15`, `10:15:30`, `10:15:30.120`."""
    minute, second, nano = (int(values.get(k, 0)) for k in ("m", "s", "nano"))
    text = f"{hour:02d}:{minute:02d}"
    if second or nano:
        text += f":{second:02d}"
        if nano:
            digits = 3 if nano % 1_000_000 == 0 else 6 if nano % 1000 == 0 else 9
            text += "." + f"{nano:09d}"[:digits]
    return text


def _resolve_hour(text: str, values: dict[str, int | str]) -> int:
    """DateTimeFormatter's SMART resolving of the hour letters: `k` (1-24) becomes `H`,
    `h` (1-12) becomes `K`, `a` with `K` gives `H`, and a value given twice must agree
    (Java's conflict messages); a lone `a` or `K` beside `H` is checked against it."""
    hour = values.get("H")
    of_ampm = values.get("K")
    ampm = values.get("a")
    for letter, top, name in (("k", 24, "ClockHourOfDay"), ("h", 12, "ClockHourOfAmPm")):
        if letter not in values:
            continue
        clock = int(values[letter])
        if clock != 0 and not 1 <= clock <= top:
            raise PatternError(f"Text '{text}' could not be parsed: Invalid value for {name} "
                               f"(valid values 1 - {top}): {clock}")
        value = 0 if clock == top else clock
        if letter == "k":
            hour = _conflict(text, "HourOfDay", _int(hour), value, name)
        else:
            of_ampm = _conflict(text, "HourOfAmPm", _int(of_ampm), value, name)
    if ampm is not None and of_ampm is not None:
        hour = _conflict(text, "HourOfDay", _int(hour), (12 if ampm == "PM" else 0)
                         + int(of_ampm), "AmPmOfDay")
        ampm = of_ampm = None
    if hour is None:  # Java cannot make a time of a lone `h`/`K`; tote takes it as the hour
        return int(of_ampm or 0) + (12 if ampm == "PM" else 0)
    hour = int(hour)
    if of_ampm is not None and not 0 <= int(of_ampm) <= 11:
        raise PatternError(f"Text '{text}' could not be parsed: Invalid value for HourOfAmPm "
                           f"(valid values 0 - 11): {of_ampm}")
    for name, parsed, derived in (("HourOfAmPm", of_ampm, hour % 12),
                                  ("AmPmOfDay", None if ampm is None else int(ampm == "PM"),
                                   hour // 12)):
        if parsed is not None and int(parsed) != derived:
            raise PatternError(
                f"Text '{text}' could not be parsed: Conflict found: Field {name} {derived} "
                f"differs from {name} {parsed} derived from {_local_time(values, hour)}"
            )
    return hour


def _int(value: int | str | None) -> int | None:
    return None if value is None else int(value)


class JavaPattern:
    """One translated pattern: `format(datetime)` and `parse(text, default_zone)`."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.fields = _tokens(pattern)
        self.captures = [(f"g{i}", f) for i, f in enumerate(self.fields) if f.letter in _KEYS]
        self.reads_zone_names = any(f.letter == "z" for f in self.fields)
        names = {id(f): name for name, f in self.captures}
        self.regex = re.compile(
            "".join(_field_regex(f, names.get(id(f), "")) for f in self.fields), re.IGNORECASE
        )

    def format(self, value: datetime.datetime, years: int = 0) -> str:
        """`years` is added to the year fields: a date beyond Python's years 1-9999 is
        formatted as one a multiple of 400 years away (same month, day and weekday)."""
        return "".join(f.text if not f.letter else _format_field(f, value, years)
                       for f in self.fields)

    def _values(self, text: str, match: re.Match[str]) -> dict[str, int | str]:
        """The parsed value of each field; one field given twice must agree, as in Java
        (`yyyy-yyyy` of `2020-2021` fails at the second)."""
        values: dict[str, int | str] = {}
        for name, f in self.captures:
            raw = match.group(name)
            if raw is None:
                continue
            key, value = _KEYS[f.letter], _field_value(f, raw)
            if values.setdefault(key, value) != value:
                raise PatternError(
                    f"Text '{text}' could not be parsed at index {match.start(name)}"
                )
        return values

    @property
    def has_date_field(self) -> bool:
        """Whether the pattern reads a date field (PARSE_TIME refuses such a pattern)."""
        return any(f.letter in _DATE_LETTERS for f in self.fields)

    def parse(self, text: str, default_zone: datetime.tzinfo = datetime.UTC
              ) -> datetime.datetime:
        """Parse the whole of `text`, as DateTimeFormatter.parse does."""
        match = self.regex.fullmatch(text)
        if match is None:
            head = self.regex.match(text)
            if head is not None:  # DateTimeFormatter.parse wants the whole text
                raise PatternError(f"Text '{text}' could not be parsed, unparsed text found "
                                   f"at index {head.end()}")
            raise PatternError(f"Text '{text}' could not be parsed with pattern '{self.pattern}'")
        g = self._values(text, match)
        year = _resolve_year(text, g)
        month = int(g.get("M", 1))
        hour = _resolve_hour(text, g)
        micro = int(g.get("nano", 0)) // 1000
        tz = default_zone
        if "off" in g:
            tz = zone(str(g["off"]))
        elif "zone" in g:
            named = self.reads_zone_names and zone_names.parsed_zone(str(g["zone"]))
            tz = zone(named or str(g["zone"]))
        try:
            if "D" in g and "M" not in g:
                base = datetime.datetime(year, 1, 1) + datetime.timedelta(days=int(g["D"]) - 1)
                month, day = base.month, base.day
            else:
                day = int(g.get("d", 1))
            naive = datetime.datetime(
                year, month, day, hour, int(g.get("m", 0)), int(g.get("s", 0)), micro
            )
        except ValueError as exc:
            raise PatternError(f"Text '{text}' could not be parsed: {exc}") from None
        return naive.replace(tzinfo=tz)


def pattern_cache() -> Callable[[str], JavaPattern]:
    """Translated patterns for one query (patterns are nearly always constants)."""
    cache: dict[str, JavaPattern] = {}

    def get(pattern: str) -> JavaPattern:
        found = cache.get(pattern)
        if found is None:
            if len(cache) > 64:
                cache.clear()
            found = cache[pattern] = JavaPattern(pattern)
        return found

    return get
