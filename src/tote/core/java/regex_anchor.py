r"""Java's `.`, `^`, `$`, `\Z`, `\b` and `\B` spelled out for Python's `re`, whose own
differ: Java's line terminators are `\n`, `\r\n`, `\r`, `\u0085`, `\u2028` and `\u2029`
(only `\n` under UNIX_LINES, `d`), its MULTILINE `^` never matches at the end of the input,
and its `\b` takes letters and digits of any script as word characters (JDK 17: `\w` is
ASCII but `\b` is not) and `\B` matches in an empty input. The spellings hold whatever
flags Python has, so the pattern's own `m` / `s` never reach Python.

`modes` are the Java flag letters in force where the construct stands.
"""

from __future__ import annotations

from collections.abc import Collection

_TERMINATORS = "\\n\\r\\u0085\\u2028\\u2029"


def dot(modes: Collection[str]) -> str:
    """`.`: anything but a line terminator (anything at all under DOTALL, `s`)."""
    if "s" in modes:
        return "[\\s\\S]"
    return "[^\\n]" if "d" in modes else f"[^{_TERMINATORS}]"


def caret(modes: Collection[str]) -> str:
    """`^`: the input's start; under MULTILINE also after a line terminator (not inside
    `\\r\\n`), but never at the input's end."""
    if "m" not in modes:
        return "\\A"
    if "d" in modes:
        return "(?:\\A|(?<=\\n))(?!\\Z)"
    return "(?:\\A|(?<=[\\n\\u0085\\u2028\\u2029])|(?<=\\r)(?!\\n))(?!\\Z)"


def dollar(modes: Collection[str]) -> str:
    """`$`: before a line terminator (under MULTILINE) or before the one ending the
    input, or at the end; never between `\\r` and `\\n`."""
    multiline = "m" in modes
    if "d" in modes:
        return "(?=\\n|\\Z)" if multiline else "(?=\\n?\\Z)"
    if multiline:
        return "(?=[\\r\\u0085\\u2028\\u2029]|(?<!\\r)\\n|\\Z)"
    return end_of_input(modes)


def end_of_input(modes: Collection[str]) -> str:
    """`\\Z`: the end, or before a line terminator ending the input."""
    if "d" in modes:
        return "(?=\\n?\\Z)"
    return "(?=(?:\\r\\n|(?<!\\r)\\n|[\\r\\u0085\\u2028\\u2029])?\\Z)"


def boundary(negated: bool) -> str:
    """`\\b` (`\\B` when `negated`) with letters and digits of any script as word
    characters. Python's Unicode `\\w` stands for Java's `_` and `isLetterOrDigit`: it
    also takes numbers that are not digits (`²`, `Ⅻ`), and Java also takes a non-spacing
    mark after a letter; spelling those out costs a large pattern and a slow search."""
    return "(?:(?u:\\B)|\\A\\Z)" if negated else "(?u:\\b)"
