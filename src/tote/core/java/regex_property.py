r"""The character properties of `java.util.regex` (`\p{Alpha}`, `\p{Lu}`, `\pL`) as the
body of a Python character class: `re` has no `\p`, so each is spelled out as ranges.

POSIX names are ASCII, as in Java without UNICODE_CHARACTER_CLASS. General categories
(`L`, `Lu`, `IsLu`, `gc=Lu`, `general_category=Lu`) and the few `Character` predicates
Python's `str` methods answer alike (`IsLowercase` / `javaLowerCase` are the Lowercase
property, as `str.islower`) come from `unicodedata`, whose Unicode version may be newer
than the JDK's. Blocks (`InGreek`), scripts (`IsLatin`) and the binary properties
(`IsAlphabetic`, `IsWhite_Space`) Python does not carry come from `regex_unicode`.
"""

from __future__ import annotations

import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from tote.core.java import regex_unicode

_POSIX = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": "\\x00-\\x7f", "Alpha": "A-Za-z", "Digit": "0-9",
    "Alnum": "A-Za-z0-9", "Punct": "!-/:-@\\[-`{-~", "Graph": "!-~", "Print": " -~",
    "Blank": " \\t", "Cntrl": "\\x00-\\x1f\\x7f", "XDigit": "0-9a-fA-F",
    "Space": " \\t\\n\\x0b\\f\\r",
}
_CATEGORIES = frozenset({
    "Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No", "Pc", "Pd", "Ps", "Pe",
    "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So", "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"})
_GROUPS = frozenset(c[0] for c in _CATEGORIES)
# Java's `Character.isX` predicates, named `javaX` or (binary properties) `IsX`.
_PREDICATES: dict[str, Callable[[str], bool]] = {
    "javaLowerCase": str.islower, "IsLowercase": str.islower,
    "javaUpperCase": str.isupper, "IsUppercase": str.isupper,
    "javaLetter": str.isalpha, "IsLetter": str.isalpha,
    "javaDigit": str.isdecimal, "IsDigit": str.isdecimal,
}


def class_body(name: str) -> str | None:
    """The `[...]` body matching property `name`, or None when Java does not know it."""
    if name in _POSIX:
        return _POSIX[name]
    if name in _PREDICATES or name in ("javaTitleCase", "IsTitlecase"):
        return _ranges(name)
    if name.startswith("In"):
        return regex_unicode.block(name[2:])
    key, equals, value = name.partition("=")
    if equals and key in ("blk", "block"):
        return regex_unicode.block(value)
    if equals and key in ("sc", "script"):
        return regex_unicode.script(value)
    is_name = name.startswith("Is")
    if is_name and (body := regex_unicode.binary(name[2:])) is not None:
        return body
    for prefix in ("general_category=", "gc=", "Is"):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    if name in _CATEGORIES or name in _GROUPS or name == "LC":
        return _ranges(name)
    return regex_unicode.script(name) if is_name else None


def _member(name: str) -> Callable[[str], bool]:
    if name in _PREDICATES:
        return _PREDICATES[name]
    if name == "LC":
        return lambda c: unicodedata.category(c) in ("Lu", "Ll", "Lt")
    if name in ("javaTitleCase", "IsTitlecase"):
        return lambda c: unicodedata.category(c) == "Lt"
    return lambda c: unicodedata.category(c).startswith(name)


@lru_cache(maxsize=64)
def _ranges(name: str) -> str:
    """Every code point of the property (a general category, or a group of them by its
    first letter, or a predicate), as class ranges."""
    member = _member(name)
    ranges: list[str] = []
    start = -1
    for cp in range(sys.maxunicode + 2):
        inside = cp <= sys.maxunicode and member(chr(cp))
        if inside and start < 0:
            start = cp
        elif not inside and start >= 0:
            end = cp - 1
            ranges.append(f"\\U{start:08x}" if start == end
                          else f"\\U{start:08x}-\\U{end:08x}")
            start = -1
    return "".join(ranges)
