"""Java's `SimpleDateFormat` in UTC and Locale.US, for TimestampConverter's `format`:
format an epoch-millisecond instant, and parse text leniently back to one.

As in Java, parsing reads a prefix (trailing text is ignored), a number field takes all
its digits unless another number field follows it directly, out-of-range values roll
over (month 13 is January next year), and unparsed fields default to 1970-01-01 00:00 UTC.
Not reproduced: week fields (`w`, `W`, `Y` format like calendar fields and are not
parsed), time zone names other than UTC/GMT/Z and numeric offsets, and two-digit year
windows (a two-digit `yy` is read as 19xx/20xx within 80 years back of now).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_LETTERS = set("GyMdkHmsSEDFwWahKzZYuXL")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_NUMERIC = set("yYdHkKhmsSDFwWu")


@dataclass(frozen=True, slots=True)
class _Token:
    letter: str  # "" for literal text
    count: int
    text: str = ""

    @property
    def numeric(self) -> bool:
        return self.letter in _NUMERIC or (self.letter in "ML" and self.count < 3)


def _tokens(pattern: str) -> list[_Token]:
    """Split a pattern; ValueError (Java's IllegalArgumentException) when it is invalid."""
    out: list[_Token] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "'":
            end = i + 1
            text = ""
            while True:
                if end >= len(pattern):
                    raise ValueError("Unterminated quote")
                if pattern[end] == "'":
                    if end + 1 < len(pattern) and pattern[end + 1] == "'":
                        text += "'"
                        end += 2
                        continue
                    break
                text += pattern[end]
                end += 1
            out.append(_Token("", 0, text or "'"))
            i = end + 1
        elif ch.isascii() and ch.isalpha():
            if ch not in _LETTERS:
                raise ValueError(f"Illegal pattern character '{ch}'")
            end = i
            while end < len(pattern) and pattern[end] == ch:
                end += 1
            out.append(_Token(ch, end - i))
            i = end
        else:
            out.append(_Token("", 0, ch))
            i += 1
    return out


class SimpleDateFormat:
    """One compiled pattern."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self._tokens = _tokens(pattern)

    def format(self, millis: int) -> str:
        moment = _EPOCH + datetime.timedelta(milliseconds=millis)
        return "".join(tok.text if not tok.letter else _format(tok, moment)
                       for tok in self._tokens)

    def parse(self, text: str) -> int:
        """Epoch milliseconds; ValueError when `text` does not match."""
        fields: dict[str, int] = {}
        offset_ms = 0
        pos = 0
        tokens = self._tokens
        for i, tok in enumerate(tokens):
            if not tok.letter:
                if not text.startswith(tok.text, pos):
                    raise ValueError(text)
                pos += len(tok.text)
                continue
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            fixed = following is not None and following.letter != "" and following.numeric
            if tok.numeric:
                digits_re = rf"\d{{{tok.count}}}" if fixed else r"[+-]?\d+"
                found = re.compile(digits_re).match(text, pos)
                if found is None:
                    raise ValueError(text)
                digits = found.group()
                value = int(digits)
                if tok.letter in "yY" and tok.count <= 2 and len(digits) == 2:
                    value = _two_digit_year(value)
                fields[tok.letter] = value
                pos = found.end()
            elif tok.letter in "ML":
                fields["M"], pos = _name(text, pos, _MONTHS, 1)
            elif tok.letter == "E":
                fields["u"], pos = _name(text, pos, _DAYS, 1)
            elif tok.letter == "a":
                fields["a"], pos = _name(text, pos, ["AM", "PM"], 0)
            elif tok.letter == "G":
                fields["G"], pos = _name(text, pos, ["BC", "AD"], 0)
            else:
                offset_ms, pos = _zone(text, pos)
        return _resolve(fields) - offset_ms


def _two_digit_year(value: int) -> int:
    now = datetime.datetime.now(datetime.UTC).year
    year = now - now % 100 + value
    return year - 100 if year > now + 20 else year


def _name(text: str, pos: int, names: list[str], first: int) -> tuple[int, int]:
    """The index (+ `first`) of a full or three-letter name at `pos`, case-insensitively."""
    rest = text[pos:].lower()
    for candidates in (names, [n[:3] for n in names]):
        for i, name in enumerate(candidates):
            if rest.startswith(name.lower()):
                return i + first, pos + len(name)
    raise ValueError(text)


_ZONE = re.compile(r"(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?|(UTC|GMT|Z)")


def _zone(text: str, pos: int) -> tuple[int, int]:
    found = _ZONE.match(text, pos)
    if found is None:
        raise ValueError(text)
    if found.group(4):
        return 0, found.end()
    sign = -1 if found.group(1) == "-" else 1
    minutes = int(found.group(2)) * 60 + int(found.group(3) or 0)
    return sign * minutes * 60_000, found.end()


def _resolve(fields: dict[str, int]) -> int:
    """Lenient calendar arithmetic: each field added to the epoch, so values roll over."""
    year = fields.get("y", fields.get("Y", 1970))
    if fields.get("G") == 0:
        year = 1 - year
    if "D" in fields and "d" not in fields and "M" not in fields:
        months, days = 0, fields["D"] - 1
    else:
        months, days = fields.get("M", 1) - 1, fields.get("d", 1) - 1
    year += months // 12
    day = datetime.date(year, months % 12 + 1, 1).toordinal() + days
    hour = fields.get("H", 0)
    if "k" in fields:
        hour = fields["k"] % 24
    elif "h" in fields or "K" in fields:
        hour = fields.get("K", fields.get("h", 0) % 12) + 12 * fields.get("a", 0)
    millis = (((day - _EPOCH.date().toordinal()) * 24 + hour) * 60 + fields.get("m", 0)) * 60_000
    return millis + fields.get("s", 0) * 1000 + fields.get("S", 0)


def _format(tok: _Token, moment: datetime.datetime) -> str:
    letter, n = tok.letter, tok.count
    if letter == "G":
        return "AD" if moment.year > 0 else "BC"
    if letter in "yY":
        year = moment.year
        return f"{year % 100:02d}" if n == 2 else f"{year:0{n}d}"
    if letter in "ML":
        if n >= 4:
            return _MONTHS[moment.month - 1]
        return _MONTHS[moment.month - 1][:3] if n == 3 else f"{moment.month:0{n}d}"
    if letter == "E":
        name = _DAYS[moment.weekday()]
        return name if n >= 4 else name[:3]
    if letter == "a":
        return "AM" if moment.hour < 12 else "PM"
    if letter in "zZX":
        if letter == "z":
            return "Coordinated Universal Time" if n >= 4 else "UTC"
        return "+0000" if letter == "Z" else "Z"
    number = {
        "d": moment.day, "H": moment.hour, "k": moment.hour or 24, "K": moment.hour % 12,
        "h": moment.hour % 12 or 12, "m": moment.minute, "s": moment.second,
        "S": moment.microsecond // 1000, "D": moment.timetuple().tm_yday,
        "F": (moment.day - 1) // 7 + 1, "u": moment.isoweekday(),
        "w": int(moment.strftime("%U")) + 1, "W": (moment.day + moment.replace(day=1)
                                                    .isoweekday() % 7 - 1) // 7 + 1,
    }[letter]
    return f"{number:0{n}d}"
