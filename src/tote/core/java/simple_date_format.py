"""`java.text.SimpleDateFormat` in UTC and Locale.US — and, with `fast=True`, commons-lang's
`FastDateFormat` parser, which reads the same letters (ksqlDB's PARSE_DATE uses it).

Both read text into a lenient `GregorianCalendar`: parsing reads a prefix (trailing text
is ignored), a number field takes all its digits unless a number field follows it, out of
range values roll over (`02-30` is March 2nd or 1st), a field given twice keeps its last
value, the day of month or of year set last wins, a day of week alone picks the first such
weekday of the month, dates before 1582-10-15 are Julian, and unparsed fields default to
1970-01-01 00:00 UTC. Formatting shows the same calendar (Julian, `BC` years).

Where the two differ: SimpleDateFormat skips spaces before any field, reads a `-` sign,
and places a two-digit `yy` (exactly two digits) within the 80 years before and 20 after
the moment the format was made; FastDateFormat skips whitespace only before a field read
to its end, reads digits only, and places any `yy` value under 100 by year alone.
SimpleDateFormat also reads zone names, in any case, as fixed offsets (`EST` is -05:00 and
`EDT` -04:00 whatever the date; `IST` is +02:00, as Java reads it), for the zones
`tote.core.java.zone_names` lists. Not reproduced: week fields (`w`, `W`, `F`) are read
but not used, and FastDateFormat reads no zone names but UTC and GMT.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from tote.core.java import calendar as cal
from tote.core.java import zone_names

_DAY_MS = 86_400_000
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
LETTERS = frozenset("GyYMLdDuEFwWaHkKhmsSzZX")
_INT_MAX = 2**31 - 1


def _names(full: list[str]) -> dict[str, int]:
    """Long and short names, lower case: both are read whatever the letter count."""
    found = {name.lower(): i for i, name in enumerate(full)}
    found.update({name[:3].lower(): i for i, name in enumerate(full)})
    return found


_TEXT = {"M": _names(_MONTHS), "E": _names(_WEEKDAYS), "a": {"am": 0, "pm": 1},
         "G": {"bc": 0, "ad": 1}}
_TEXT["L"] = _TEXT["M"]
_TEXT_RE = {k: re.compile("|".join(sorted(v, reverse=True)), re.IGNORECASE)
            for k, v in _TEXT.items()}
_ISO_OFFSET = {n: re.compile(r) for n, r in
               ((1, r"Z|[+-]\d{2}"), (2, r"Z|[+-]\d{4}"), (3, r"Z|[+-]\d{2}:\d{2}"))}
_ZONE = re.compile(r"[+-]\d{4}|GMT[+-]\d{1,2}:\d{2}|UTC|GMT", re.IGNORECASE)
# SimpleDateFormat reads a sign after GMT as an offset or fails (`GMT+5` is unparseable).
_ZONE_SIMPLE = re.compile(
    "".join(re.escape(name) + "|" for name in zone_names.LONG_NAMES + zone_names.SHORT_NAMES
            if name.upper() != "GMT")
    + r"[+-]\d{4}|GMT[+-]\d{1,2}:\d{2}|GMT(?![+-])", re.IGNORECASE)
_OFFSET = re.compile(r"(?:GMT)?([+-])(\d{1,2}):?(\d{2})?", re.IGNORECASE)


class DatePatternError(ValueError):
    """The pattern's `IllegalArgumentException`, with its message."""


class UnparseableDate(ValueError):
    """The text's `ParseException`."""


@dataclass(frozen=True, slots=True)
class _Field:
    letter: str  # "" for literal text
    width: int
    text: str = ""

    @property
    def numeric(self) -> bool:
        return bool(self.letter) and self.letter not in "EaGzZX" and not (
            self.letter in "ML" and self.width >= 3)


def _fields(pattern: str, fast: bool) -> list[_Field]:
    fields: list[_Field] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch.isascii() and ch.isalpha():
            end = i
            while end < len(pattern) and pattern[end] == ch:
                end += 1
            if ch not in LETTERS:
                raise DatePatternError(f"Illegal pattern component: {pattern[i:end]}" if fast
                                       else f"Illegal pattern character '{ch}'")
            if ch == "X" and end - i > 3:
                raise DatePatternError("invalid number of X" if fast
                                       else f"invalid ISO 8601 format: length={end - i}")
            fields.append(_Field(ch, end - i))
            i = end
            continue
        text: list[str] = []
        quoted = False
        while i < len(pattern) and (quoted or not (pattern[i].isascii() and pattern[i].isalpha())):
            if pattern[i] == "'":
                if i + 1 < len(pattern) and pattern[i + 1] == "'":
                    text.append("'")
                    i += 2
                    continue
                quoted = not quoted
                i += 1
                continue
            text.append(pattern[i])
            i += 1
        if quoted:
            raise DatePatternError("Unterminated quote")
        fields.append(_Field("", len(text), "".join(text)))
    return fields


class SimpleDateFormat:
    """One pattern; `parse` gives epoch milliseconds (`Date#getTime`), `format` the text.

    `now_ms` is when the format was made (two-digit years are placed around it)."""

    def __init__(self, pattern: str, *, now_ms: int | None = None, fast: bool = False) -> None:
        self.pattern = pattern
        self.fast = fast
        self.fields = _fields(pattern, fast)
        now = time.time_ns() // 1_000_000 if now_ms is None else now_ms
        # Java's default century start: now less 80 years on the calendar (Feb 29 pinned).
        today = cal.civil(now // _DAY_MS)
        julian = today.year - 80 < 1583
        first = cal.month_start(today.year - 80, today.month - 1, julian)
        length = cal.month_start(today.year - 80, today.month, julian) - first
        start_day = first + min(today.day, length) - 1
        self._century_start_ms = start_day * _DAY_MS + now % _DAY_MS
        self._start_year = today.year - 80

    @property
    def letters(self) -> frozenset[str]:
        return frozenset(f.letter for f in self.fields if f.letter)

    # -- parsing ----------------------------------------------------------------------------

    def parse(self, text: str) -> int:
        values, stamps, ambiguous = self._calendar(text)
        millis = self._millis(values, stamps)
        if ambiguous and millis < self._century_start_ms:
            values["year"] = int(values["year"]) + 100
            millis = self._millis(values, stamps)
        return millis

    def _unparseable(self, text: str) -> UnparseableDate:
        return UnparseableDate(f"Unparseable date: {text}" if self.fast
                               else f'Unparseable date: "{text}"')

    def _calendar(self, text: str) -> tuple[dict[str, int | str], dict[str, int], bool]:
        """Calendar field values, the order they were last set in, and whether the year
        was a two-digit one SimpleDateFormat may move a century on."""
        values: dict[str, int | str] = {}
        stamps: dict[str, int] = {}
        ambiguous = False
        pos = 0
        for i, f in enumerate(self.fields):
            if not f.letter:
                if not text.startswith(f.text, pos):
                    raise self._unparseable(text)
                pos += len(f.text)
                continue
            following = self.fields[i + 1] if i + 1 < len(self.fields) else None
            max_width = f.width if f.numeric and following and following.numeric else 0
            start = pos = self._skip_space(text, pos, f, max_width)
            pos, value = self._read(text, pos, f, max_width)
            if f.letter in "yY" and isinstance(value, int):
                value, moved = self._year(f, value, text[start:pos])
                ambiguous = ambiguous or moved
            key, value = _field_value(f, value)
            values[key] = value
            stamps[key] = i + 1
        return values, stamps, ambiguous

    def _skip_space(self, text: str, pos: int, f: _Field, max_width: int) -> int:
        if self.fast:
            while f.numeric and not max_width and pos < len(text) and text[pos].isspace():
                pos += 1
        else:
            while pos < len(text) and text[pos] in " \t":
                pos += 1
        return pos

    def _year(self, f: _Field, value: int, digits: str) -> tuple[int, bool]:
        """A year as read, or a two-digit one placed in its century; and whether
        SimpleDateFormat may still move it a century on."""
        if f.width > 2:
            return value, False
        if self.fast:
            if value >= 100:
                return value, False
            century, start = self._start_year // 100 * 100, self._start_year % 100
            return century + value + (0 if value >= start else 100), False
        if len(digits) != 2 or not digits.isdigit():
            return value, False
        century, start = self._start_year // 100 * 100, self._start_year % 100
        return century + value + (100 if value < start else 0), True

    def _read(self, text: str, pos: int, f: _Field, max_width: int) -> tuple[int, int | str]:
        """The value of field `f` at `pos` and the position after it."""
        if f.numeric:
            window = text[pos:pos + max_width] if max_width else text[pos:]
            match = re.match(r"\d+" if self.fast else r"-?\d+", window)
            if match is None:
                raise self._unparseable(text)
            if self.fast and int(match.group()) > _INT_MAX:
                raise UnparseableDate(f'For input string: "{match.group()}"')
            return pos + match.end(), int(match.group())
        regex = _ISO_OFFSET[f.width] if f.letter == "X" else (
            (_ZONE if self.fast else _ZONE_SIMPLE) if f.letter in "zZ" else _TEXT_RE[f.letter])
        match = regex.match(text, pos)
        if match is None:
            raise self._unparseable(text)
        if f.letter in "zZX":
            return match.end(), match.group()
        return match.end(), _TEXT[f.letter][match.group().lower()]

    def _millis(self, values: dict[str, int | str], stamps: dict[str, int]) -> int:
        g = {k: v for k, v in values.items() if isinstance(v, int)}
        year = g.get("year", 1970)
        if g.get("era", 1) == 0:
            year = 1 - year
        day = _day(year, g, stamps)
        hod, hour, ampm = stamps.get("hod", 0), stamps.get("hour", 0), stamps.get("ampm", 0)
        best = max(hod, min(hour, ampm) and max(hour, ampm)) or max(hour, ampm)
        hours = g.get("hod", 0) if best and best == hod else g.get("hour", 0) + 12 * g.get(
            "ampm", 0)
        millis = (day * _DAY_MS + hours * 3_600_000 + g.get("minute", 0) * 60_000
                  + g.get("second", 0) * 1000 + g.get("ms", 0))
        return millis - _offset_ms(str(values.get("zone", "Z")))

    # -- formatting -------------------------------------------------------------------------

    def format(self, millis: int) -> str:
        days, ms = divmod(millis, _DAY_MS)
        return "".join(_format(f, days, ms) if f.letter else f.text for f in self.fields)


def _field_value(f: _Field, value: int | str) -> tuple[str, int | str]:
    """The calendar field a pattern letter sets, and its value there."""
    letter = f.letter
    if letter in "yY":
        return "year", value
    if letter in "ML":
        assert isinstance(value, int)
        return "month", value - 1 if f.width < 3 else value
    if letter == "u":
        return "dow", 1 if value == 7 else int(value) + 1
    if letter == "E":
        return "dow", int(value) + 1
    if letter in "kh":  # 24 and 12 are 0
        return ("hod" if letter == "k" else "hour"), 0 if value == (24 if letter == "k"
                                                                  else 12) else value
    keys = {"G": "era", "d": "dom", "D": "doy", "H": "hod", "K": "hour", "a": "ampm",
            "m": "minute", "s": "second", "S": "ms", "z": "zone", "Z": "zone", "X": "zone",
            "F": "dowim", "w": "woy", "W": "wom"}
    return keys[letter], value


def _day(year: int, g: dict[str, int], stamps: dict[str, int]) -> int:
    """Calendar#selectFields: the day of month or of year set last wins; a day of week
    alone picks the first such day of the month."""
    month = g.get("month", 0)
    dom, doy = stamps.get("dom", 0), stamps.get("doy", 0)

    def fixed(julian: bool) -> int:
        if doy > dom:
            return cal.month_start(year, 0, julian) + g["doy"] - 1
        first = cal.month_start(year, month, julian)
        if dom or "dow" not in g:
            return first + g.get("dom", 1) - 1
        return first + (g["dow"] - 1 - cal.weekday(first)) % 7

    if year < 1582:
        return fixed(True)
    gregorian = fixed(False)
    return gregorian if gregorian >= cal.CUTOVER else fixed(True)


def _offset_ms(zone: str) -> int:
    if zone.upper() in ("Z", "UTC", "GMT"):
        return 0
    named = zone_names.parsed_offset_minutes(zone)
    if named is not None:
        return named * 60_000
    match = _OFFSET.fullmatch(zone)
    assert match is not None, zone
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    return (-1 if match.group(1) == "-" else 1) * minutes * 60_000


def _week_of_year(days: int) -> tuple[int, int]:
    """Locale.US weeks (from Sunday; week 1 holds January 1st): (week year, week)."""
    sunday = days - cal.weekday(days)
    week_year = cal.civil(sunday + 6).year
    jan1 = cal.year_start(week_year)
    return week_year, (sunday - (jan1 - cal.weekday(jan1))) // 7 + 1


def _year_text(year: int, n: int) -> str:
    shown = year if year > 0 else 1 - year
    return f"{shown % 100:02d}" if n == 2 else f"{shown:0{n}d}"


def _format(f: _Field, days: int, ms: int) -> str:
    letter, n = f.letter, f.width
    date = cal.civil(days)
    hour = ms // 3_600_000
    if letter == "G":
        return "AD" if date.year > 0 else "BC"
    if letter == "y":
        return _year_text(date.year, n)
    if letter == "Y":
        return _year_text(_week_of_year(days)[0], n)
    if letter in "ML" and n >= 3:
        name = _MONTHS[date.month - 1]
        return name if n >= 4 else name[:3]
    if letter == "E":
        name = _WEEKDAYS[cal.weekday(days)]
        return name if n >= 4 else name[:3]
    if letter == "a":
        return "AM" if hour < 12 else "PM"
    if letter == "z":
        return "Coordinated Universal Time" if n >= 4 else "UTC"
    if letter == "Z":
        return "+0000"
    if letter == "X":
        return "Z"
    first = days - date.day + 1
    number = {
        "M": date.month, "L": date.month, "d": date.day, "H": hour, "k": hour or 24,
        "K": hour % 12, "h": hour % 12 or 12, "m": ms // 60_000 % 60, "s": ms // 1000 % 60,
        "S": ms % 1000, "D": days - cal.year_start(date.year) + 1, "F": (date.day - 1) // 7 + 1,
        "u": cal.weekday(days) or 7, "w": _week_of_year(days)[1],
        "W": (date.day - 1 + cal.weekday(first)) // 7 + 1,
    }[letter]
    return f"{number:0{n}d}"
