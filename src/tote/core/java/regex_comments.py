r"""COMMENTS mode (`(?x)`) of `java.util.regex`: whitespace and `#` comments are ignored
everywhere the pattern is read a character at a time, inside character classes too
(`[a b]` is `[ab]`), where Python's verbose mode keeps them. What an escape reads (the
character after `\`, a `\p{...}` name, a `\Q...\E` quote) is kept as written.
"""

from __future__ import annotations

from collections.abc import Collection

_SPACE = " \t\n\x0b\f\r"  # Java's ASCII.isSpace


def comment_end(java: str, i: int, modes: Collection[str]) -> int:
    """The index after the whitespace and comments starting at `i` (`i` when none)."""
    separators = "\n" if "d" in modes else "\n\r\u0085\u2028\u2029"
    while i < len(java):
        if java[i] in _SPACE:
            i += 1
        elif java[i] == "#":
            while i < len(java) and java[i] not in separators:
                i += 1
        else:
            break
    return i


def uncommented_class(java: str, start: int, modes: Collection[str]) -> tuple[str, list[int]]:
    """The pattern from the class opening at `java[start]` on, without its whitespace and
    comments, and for each character kept (and the end) the index it came from."""
    text: list[str] = []
    origin: list[int] = []
    i = start
    while i < len(java):
        if i > start and (skipped := comment_end(java, i, modes)) > i:
            i = skipped
            continue
        ch = java[i]
        if ch == "^" and text and text[-1] == "[" and java[i - 1] != "[":
            # Java negates a class only for a `^` written right after its `[`.
            text.append("\\")
            origin.append(i)
        verbatim = _verbatim_end(java, i) if ch == "\\" else i + 1
        text.extend(java[i:verbatim])
        origin.extend(range(i, verbatim))
        i = verbatim
    origin.append(len(java))
    return "".join(text), origin


def _verbatim_end(java: str, i: int) -> int:
    """The end of the escape at `java[i]` (a `\\`), read as written."""
    if java.startswith("\\Q", i):
        end = java.find("\\E", i + 2)
        return len(java) if end < 0 else end + 2
    if java.startswith(("\\p{", "\\P{"), i) and (close := java.find("}", i)) > 0:
        return close + 1
    return min(i + 2, len(java))
