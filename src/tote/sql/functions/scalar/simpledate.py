"""PARSE_DATE's patterns, which ksqlDB (alone among its date functions) hands to
commons-lang's FastDateFormat: SimpleDateFormat letters read into a lenient
GregorianCalendar in GMT, not DateTimeFormatter's (see `tote.core.java.simple_date_format`,
shared with Connect's TimestampConverter).

So `u` is the day number of the week (1 = Monday), `Y` is a plain year, `yy` picks the
century within 80 years back and 20 forward of now, and dates before 1582-10-15 are
Julian. Week fields (`w`, `W`, `F`) are not supported here.
"""

from __future__ import annotations

from tote.core.java.simple_date_format import DatePatternError, SimpleDateFormat
from tote.sql.functions.scalar.javatime import PatternError

_UNSUPPORTED = "FwW"
_MIN_MS = -62_135_596_800_000  # 0001-01-01
_MAX_MS = 253_402_300_800_000  # 10000-01-01


class SimpleDatePattern:
    """One FastDateFormat pattern; `parse` gives epoch milliseconds, as Date#getTime."""

    def __init__(self, pattern: str, now_ms: int) -> None:
        self.pattern = pattern
        try:
            self._format = SimpleDateFormat(pattern, now_ms=now_ms, fast=True)
        except DatePatternError as exc:
            # FastDateFormat's IllegalArgumentException, as ksqlDB's cache loader reports it.
            raise PatternError(f"java.lang.IllegalArgumentException: {exc}") from None
        for letter in _UNSUPPORTED:
            if letter in self._format.letters:
                raise PatternError(f"Pattern letter '{letter}' is not supported by tote")

    def parse(self, text: str) -> int:
        millis = self._format.parse(text)
        if not _MIN_MS <= millis < _MAX_MS:
            raise PatternError("DATE out of range: not in the years 1 to 9999")
        return millis
