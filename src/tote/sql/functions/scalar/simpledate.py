"""PARSE_DATE's patterns, which ksqlDB (alone among its date functions) hands to
commons-lang's FastDateFormat: SimpleDateFormat letters read into a lenient
GregorianCalendar in GMT, not DateTimeFormatter's.

So `u` is the day number of the week (1 = Monday), `Y` is a plain year, `yy` picks the
century within 80 years back and 20 forward of now, a number field takes all its digits
unless a number field follows it, a field given twice keeps its last value, out of range
values roll over (`02-30` is March 2nd or 1st), dates before 1582-10-15 are Julian, and a
day of week counts only when no day of month or of year is given (then the first such
weekday of the month). Week fields (`w`, `W`, `F`) are not supported.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from tote.serde.sql_values import date_to_days
from tote.sql.functions.scalar.javatime import PatternError

_DAY_MS = 86_400_000
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august",
           "september", "october", "november", "december"]
_WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
_KNOWN = set("GyYMLdDuEFwWaHkKhmsSzZX")
_UNSUPPORTED = set("FwW")
_CUTOVER = date_to_days(datetime.date(1582, 10, 15))
_EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
_INT_MAX = 2**31 - 1


def _names(full: list[str]) -> dict[str, int]:
    """Long and short names (SimpleDateFormat accepts both whatever the letter count)."""
    found = {name: i for i, name in enumerate(full)}
    found.update({name[:3]: i for i, name in enumerate(full)})
    return found


_TEXT = {
    "M": _names(_MONTHS),
    "E": _names(_WEEKDAYS),
    "a": {"am": 0, "pm": 1},
    "G": {"bc": 0, "ad": 1},
}
_TEXT["L"] = _TEXT["M"]
_ISO_OFFSET = {1: r"Z|[+-]\d{2}", 2: r"Z|[+-]\d{4}", 3: r"Z|[+-]\d{2}:\d{2}"}
_ZONE = r"[+-]\d{4}|GMT[+-]\d{1,2}:\d{2}|UTC|GMT"


@dataclass(frozen=True, slots=True)
class _Field:
    letter: str  # "" for a literal
    width: int
    text: str = ""

    @property
    def numeric(self) -> bool:
        return bool(self.letter) and self.letter not in "EaGzZX" and not (
            self.letter in "ML" and self.width >= 3
        )


def _illegal(message: str) -> PatternError:
    """FastDateFormat's IllegalArgumentException, as ksqlDB's cache loader reports it."""
    return PatternError(f"java.lang.IllegalArgumentException: {message}")


def _fields(pattern: str) -> list[_Field]:
    fields: list[_Field] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch.isascii() and ch.isalpha():
            end = i
            while end < len(pattern) and pattern[end] == ch:
                end += 1
            if ch not in _KNOWN:
                raise _illegal(f"Illegal pattern component: {pattern[i:end]}")
            if ch == "X" and end - i > 3:
                raise _illegal("invalid number of X")
            if ch in _UNSUPPORTED:
                raise PatternError(f"Pattern letter '{ch}' is not supported by tote")
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
            raise _illegal("Unterminated quote")
        fields.append(_Field("", len(text), "".join(text)))
    return fields


def _month_start(year: int, month0: int, julian: bool) -> int:
    """Epoch day of the first of a (rolled over) month, in the Julian or Gregorian calendar."""
    year += month0 // 12
    month = month0 % 12 + 1
    days = date_to_days(datetime.date(year, month, 1))
    if julian:
        y = year if month > 2 else year - 1
        days += y // 100 - y // 400 - 2
    return days


class SimpleDatePattern:
    """One FastDateFormat pattern; `parse` gives epoch milliseconds, as Date#getTime."""

    def __init__(self, pattern: str, now_year: int) -> None:
        self.pattern = pattern
        self.fields = _fields(pattern)
        century_start = now_year - 80
        self._century, self._start_year = century_start // 100 * 100, century_start % 100

    def _adjust_year(self, two_digits: int) -> int:
        trial = self._century + two_digits
        return trial if two_digits >= self._start_year else trial + 100

    def _read(self, text: str, pos: int, f: _Field, max_width: int) -> tuple[int, int | str]:
        """The value of field `f` at `pos` and the position after it."""
        if f.numeric:
            if max_width == 0:
                while pos < len(text) and text[pos].isspace():
                    pos += 1
            match = re.compile(r"\d+" if max_width == 0 else rf"\d{{1,{max_width}}}").match(
                text, pos)
            if match is None:
                raise PatternError(f"Unparseable date: {text}")
            if int(match.group()) > _INT_MAX:
                raise PatternError(f'For input string: "{match.group()}"')
            return match.end(), int(match.group())
        regex = _ISO_OFFSET[f.width] if f.letter == "X" else (
            _ZONE if f.letter in "zZ" else "|".join(sorted(_TEXT[f.letter], reverse=True)))
        match = re.compile(regex, re.IGNORECASE).match(text, pos)
        if match is None:
            raise PatternError(f"Unparseable date: {text}")
        if f.letter in "zZX":
            return match.end(), match.group()
        return match.end(), _TEXT[f.letter][match.group().lower()]

    def _calendar(self, text: str) -> tuple[dict[str, int | str], dict[str, int]]:
        """Calendar field values and the order they were last set in."""
        values: dict[str, int | str] = {}
        stamps: dict[str, int] = {}
        pos = 0
        for i, f in enumerate(self.fields):
            if not f.letter:
                if not text.startswith(f.text, pos):
                    raise PatternError(f"Unparseable date: {text}")
                pos += len(f.text)
                continue
            following = self.fields[i + 1] if i + 1 < len(self.fields) else None
            max_width = f.width if f.numeric and following and following.numeric else 0
            pos, value = self._read(text, pos, f, max_width)
            key, value = self._field_value(f, value)
            values[key] = value
            stamps[key] = i + 1
        return values, stamps

    def _field_value(self, f: _Field, value: int | str) -> tuple[str, int | str]:
        letter = f.letter
        if letter in "yY":
            assert isinstance(value, int)
            return "year", self._adjust_year(value) if f.width <= 2 and value < 100 else value
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
                "m": "minute", "s": "second", "S": "ms", "z": "zone", "Z": "zone",
                "X": "zone"}
        return keys[letter], value

    def parse(self, text: str) -> int:
        values, stamps = self._calendar(text)
        g = {k: v for k, v in values.items() if isinstance(v, int)}
        year = g.get("year", 1970)
        if g.get("era", 1) == 0:
            year = 1 - year
        day = self._day(year, g, stamps)
        hod, hour, ampm = stamps.get("hod", 0), stamps.get("hour", 0), stamps.get("ampm", 0)
        best = max(hod, min(hour, ampm) and max(hour, ampm)) or max(hour, ampm)
        hours = g.get("hod", 0) if best and best == hod else g.get("hour", 0) + 12 * g.get(
            "ampm", 0)
        millis = (day * _DAY_MS + hours * 3_600_000 + g.get("minute", 0) * 60_000
                  + g.get("second", 0) * 1000 + g.get("ms", 0))
        return millis - _offset_ms(str(values.get("zone", "Z")))

    def _day(self, year: int, g: dict[str, int], stamps: dict[str, int]) -> int:
        """Calendar#selectFields: the day of month or of year set last wins; a day of week
        alone picks the first such day of the month."""
        month = g.get("month", 0)
        dom, doy = stamps.get("dom", 0), stamps.get("doy", 0)

        def fixed(julian: bool) -> int:
            if doy > dom:
                return _month_start(year, 0, julian) + g["doy"] - 1
            first = _month_start(year, month, julian)
            if dom or "dow" not in g:
                return first + g.get("dom", 1) - 1
            last = first + 6
            return last - (last + _EPOCH_ORDINAL - (g["dow"] - 1)) % 7

        try:
            if year < 1582:
                return fixed(True)
            gregorian = fixed(False)
            return gregorian if gregorian >= _CUTOVER else fixed(True)
        except (ValueError, OverflowError):
            raise PatternError("DATE out of range: not in the years 1 to 9999") from None


def _offset_ms(zone: str) -> int:
    upper = zone.upper()
    if upper in ("Z", "UTC", "GMT"):
        return 0
    match = re.fullmatch(r"(?:GMT)?([+-])(\d{1,2}):?(\d{2})?", zone)
    assert match is not None, zone
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    return (-1 if match.group(1) == "-" else 1) * minutes * 60_000
