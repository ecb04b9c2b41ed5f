r"""Unicode blocks (`\p{InGreek}`), scripts (`\p{IsLatin}`) and binary properties
(`\p{IsAlphabetic}`) of `java.util.regex`, as the body of a Python character class.

Python's `unicodedata` carries none of them; the `regex` package does, so it is asked
which code points have the property (the matching itself stays on `re`). Its Unicode
version is newer than JDK 17's (13.0): characters assigned since then may belong here and
not in Java. Names are read as loosely as `regex` reads them (any case, with or without
spaces and underscores), where Java wants one of a few spellings.
"""

from __future__ import annotations

import sys
from functools import lru_cache

import regex as unicode_data

_HEX_DIGIT = r"[\p{Nd}0-9A-Fa-f\uff10-\uff19\uff21-\uff26\uff41-\uff46]"
# Java 17's binary properties (`Character.isAlphabetic` etc.) and the Unicode meaning of
# the POSIX names after `Is`, by upper-case name without `_`, as `regex` expressions.
_BINARY = {
    "ALNUM": r"[\p{Alphabetic}\p{Nd}]",
    "ALPHA": r"\p{Alphabetic}",
    "BLANK": r"[\p{Zs}\t]",
    "CNTRL": r"\p{Cc}",
    "DIGIT": r"\p{Nd}",
    "GRAPH": r"[^\p{Zs}\p{Zl}\p{Zp}\p{Cc}\p{Cs}\p{Cn}]",
    "LOWER": r"\p{Lowercase}",
    "PRINT": r"[^\p{Zl}\p{Zp}\p{Cc}\p{Cs}\p{Cn}]",
    "PUNCT": r"\p{P}",
    "SPACE": r"\p{White_Space}",
    "UPPER": r"\p{Uppercase}",
    "XDIGIT": _HEX_DIGIT,
    "ALPHABETIC": r"\p{Alphabetic}",
    "ASSIGNED": r"\P{Cn}",
    "CONTROL": r"\p{Cc}",
    "HEXDIGIT": _HEX_DIGIT,
    "IDEOGRAPHIC": r"\p{Ideographic}",
    "JOINCONTROL": r"\p{Join_Control}",
    "LETTER": r"\p{L}",
    "LOWERCASE": r"\p{Lowercase}",
    "NONCHARACTERCODEPOINT": r"\p{Noncharacter_Code_Point}",
    "PUNCTUATION": r"\p{P}",
    "TITLECASE": r"\p{Lt}",
    "UPPERCASE": r"\p{Uppercase}",
    "WHITESPACE": r"\p{White_Space}",
    "WORD": r"[\p{Alphabetic}\p{Mn}\p{Me}\p{Mc}\p{Nd}\p{Pc}\p{Join_Control}]",
}


def block(name: str) -> str | None:
    """`\\p{InName}` / `\\p{block=Name}`; None for a name that is no block."""
    return _members(rf"\p{{Block={name}}}")


def script(name: str) -> str | None:
    """`\\p{IsName}` / `\\p{script=Name}`; None for a name that is no script."""
    return _members(rf"\p{{Script={name}}}")


def binary(name: str) -> str | None:
    """`\\p{IsName}` for one of Java's binary properties; None for another name."""
    expression = _BINARY.get(name.upper().replace("_", ""))
    return None if expression is None else _members(expression)


@lru_cache(maxsize=64)
def _members(expression: str) -> str | None:
    """Every code point `expression` matches, as class ranges (None when `regex` does
    not know the property)."""
    try:
        runs = unicode_data.compile(f"(?:{expression})+")
    except unicode_data.error:
        return None
    ranges = []
    for run in runs.finditer(_every_code_point()):
        first, last = run.start(), run.end() - 1
        ranges.append(f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}")
    return "".join(ranges) or None


@lru_cache(maxsize=1)
def _every_code_point() -> str:
    """All of Unicode as one string (built once, 4 MB), so a property is one scan."""
    return "".join(map(chr, range(sys.maxunicode + 1)))
