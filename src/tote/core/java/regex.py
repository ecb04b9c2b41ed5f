r"""`java.util.regex` on Python's `re`: a Java pattern translated, compiled with Java's
ASCII-only `\w` / `\d` / `\s` and case folding, its syntax errors worded as Java's
`PatternSyntaxException`, `Matcher`'s replacement syntax (`$1`, `${name}`, `\$`), and its
`find()` loop (`find_all`, which `replace_all` and `split` follow).

Translated: named groups `(?<name>...)` and `\k<name>`, `\Q...\E` quoting, `\x{h..h}`,
counts (a `{` that does not start one is an error, as in Java), character classes with
Java's nesting and intersections (`[a-c[x-z]]`, `[a-z&&[^aeiou]]`, see `regex_class`), the
properties `\p{Alpha}` etc. (POSIX names ASCII, as in Java), the general categories
`\p{L}` / `\p{Lu}` / `\p{IsLu}` (see `regex_property`), blocks, scripts and binary
properties (`\p{InGreek}`, `\p{IsLatin}`, `\p{IsAlphabetic}`, see `regex_unicode`), `.`,
`^`, `$`, `\z`, `\Z`, `\b` and `\B` with Java's line terminators and word characters (see
`regex_anchor`), and inline flags: `(?i)` anywhere holds to the end of its enclosing group,
across `|`, as in Java (Python takes global flags only at the start), `m`, `s`, `d` (Unix
lines) and `x` (comments, inside classes too: see `regex_comments`) are read here, and
`u` / `U` (Unicode classes and case) turn on Unicode for the whole pattern. Python already
reads possessive quantifiers and atomic groups.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from tote.core.java import regex_anchor
from tote.core.java.regex_class import ClassSyntaxError, translate_class, translate_property
from tote.core.java.regex_comments import comment_end

_COUNT = re.compile(r"\{(\d+(?:,\d*)?)?(\})?")
_INLINE_FLAGS = re.compile(r"\(\?([idmsuxU-]+)[:)]")
_ANCHORS = {".": regex_anchor.dot, "^": regex_anchor.caret, "$": regex_anchor.dollar}


class PatternSyntaxError(ValueError):
    """Java's `PatternSyntaxException`: `str()` is its `getMessage()`."""

    def __init__(self, description: str, pattern: str, index: int) -> None:
        self.description = description
        self.pattern = pattern
        self.index = index
        text = description + (f" near index {index}" if index >= 0 else "") + "\n" + pattern
        if 0 <= index < len(pattern):
            text += "\n" + " " * index + "^"
        super().__init__(text)


class ReplacementError(ValueError):
    """The `IllegalArgumentException` / `IndexOutOfBoundsException` a bad replacement
    string raises, when (and only when) there is a match to replace."""


class _Translation:
    """A Java pattern in Python's syntax, with the Java index each Python character came
    from (to report errors where Java would)."""

    def __init__(self, java: str) -> None:
        self.java = java
        self.unicode = False
        self._out: list[str] = []
        self._origin: list[int] = []
        # Per open group, the scoped flag groups standing for its mid-group `(?i)`s.
        self._scoped: list[list[str]] = [[]]
        # Per open group, the Java flag letters in force.
        self._modes: list[frozenset[str]] = [frozenset()]
        self._run()

    @property
    def python(self) -> str:
        return "".join(self._out)

    def origin(self, pos: int | None) -> int:
        if pos is None:
            return -1
        return self._origin[pos] if pos < len(self._origin) else len(self.java)

    def _emit(self, text: str, at: int) -> None:
        self._out.append(text)
        self._origin.extend([at] * len(text))

    def _run(self) -> None:
        p = self.java
        i = 0
        while i < len(p):
            ch = p[i]
            if "x" in self._modes[-1] and (skipped := comment_end(p, i, self._modes[-1])) > i:
                i = skipped
                continue
            if ch == "\\" and i + 1 < len(p):
                i = self._escape(i)
                continue
            if ch == "[":
                try:
                    atom, end = translate_class(p, i, self._modes[-1])
                except ClassSyntaxError as exc:
                    raise PatternSyntaxError(exc.description, p, exc.index) from None
                self._emit(atom, i)
                i = end
                continue
            if ch == "(" and (flags := _INLINE_FLAGS.match(p, i)) is not None:
                i = self._flags(flags)
                continue
            if ch in ".^$":
                self._emit(_ANCHORS[ch](self._modes[-1]), i)
                i += 1
                continue
            if ch == "(":
                self._scoped.append([])
                self._modes.append(self._modes[-1])
            elif ch == ")" and len(self._scoped) > 1:
                self._emit(")" * len(self._scoped.pop()), i)
                self._modes.pop()
            elif ch == "|":
                # Java's flags hold across `|`; Python's scoped groups close before it.
                self._emit(")" * len(self._scoped[-1]) + "|" + "".join(self._scoped[-1]), i)
                i += 1
                continue
            elif ch == "{":
                self._counted(i)
            if p.startswith("(?<", i) and i + 3 < len(p) and p[i + 3] not in "=!":
                self._emit("(?P<", i)
                i += 3
                continue
            self._emit(ch, i)
            i += 1
        self._emit(")" * len(self._scoped[0]), len(p))

    def _counted(self, i: int) -> None:
        """Java reads every `{` outside a class as a count, where Python would take a
        malformed one literally."""
        found = _COUNT.match(self.java, i)
        assert found is not None
        if found.group(1) is None:
            raise PatternSyntaxError("Illegal repetition", self.java, i + 1)
        if not found.group(2):
            raise PatternSyntaxError("Unclosed counted closure", self.java, found.end())

    def _escape(self, i: int) -> int:
        """One `\\x` construct at `i`; the index after it."""
        p = self.java
        nxt = p[i + 1]
        if nxt == "Q":
            end = p.find("\\E", i + 2)
            end = len(p) if end < 0 else end
            for k in range(i + 2, end):
                self._emit(re.escape(p[k]), k)
            return min(end + 2, len(p))
        if nxt == "x" and p.startswith("{", i + 2) and (close := p.find("}", i)) > 0:
            digits = p[i + 3:close]
            if digits and all(c in "0123456789abcdefABCDEF" for c in digits) \
                    and int(digits, 16) <= 0x10FFFF:
                self._emit(f"\\U{int(digits, 16):08x}", i)
                return close + 1
        if nxt in "pP":
            return self._property(i)
        if nxt == "k" and p.startswith("<", i + 2) and (close := p.find(">", i)) > 0:
            self._emit(f"(?P={p[i + 3:close]})", i)
            return close + 1
        if nxt == "z":
            self._emit("\\Z", i)
            return i + 2
        if nxt == "Z":
            self._emit(regex_anchor.end_of_input(self._modes[-1]), i)
            return i + 2
        if nxt in "bB" and "U" not in self._modes[-1]:
            self._emit(regex_anchor.boundary(negated=nxt == "B"), i)
            return i + 2
        self._emit(p[i:i + 2], i)
        return i + 2

    def _property(self, i: int) -> int:
        """`\\p{Name}` / `\\pL` outside a class, as the class Java reads it as."""
        try:
            atom, end = translate_property(self.java, i)
        except ClassSyntaxError as exc:
            raise PatternSyntaxError(exc.description, self.java, exc.index) from None
        self._emit(atom, i)
        return end

    def _flags(self, found: re.Match[str]) -> int:
        """`(?i:...)` stays a group; a bare `(?i)` opens a scoped group that closes with
        the group it stands in (Python refuses global flags past the start)."""
        letters = found.group(1)
        if "u" in letters or "U" in letters:
            self.unicode = True
        on, _, off = letters.partition("-")
        modes = (self._modes[-1] | set(on)) - set(off)
        # Only `i` still matters to Python: the rest are spelled out as Java reads them.
        kept = "".join(c for c in letters if c in "i-").rstrip("-")
        start = found.start()
        group = found.group().endswith(":")
        if group:
            self._modes.append(modes)
            self._scoped.append([])
            self._emit(f"(?{kept}:" if kept else "(?:", start)
            return found.end()
        self._modes[-1] = modes
        if kept:
            opener = f"(?{kept}:"
            self._scoped[-1].append(opener)
            self._emit(opener, start)
        return found.end()


def _java_error(exc: re.error, tr: _Translation) -> PatternSyntaxError:
    """Python's complaint as Java words it (the common cases), at Java's index."""
    java = tr.java
    at = tr.origin(exc.pos)
    msg = exc.msg
    description, index = msg[:1].upper() + msg[1:], at
    if msg.startswith("missing ), unterminated subpattern"):
        description, index = "Unclosed group", len(java)
    elif msg == "unbalanced parenthesis":
        description, index = "Unmatched closing ')'", at - 1
    elif msg in ("nothing to repeat", "multiple repeat") and 0 <= at < len(java):
        description = f"Dangling meta character '{java[at]}'"
    elif msg == "min repeat greater than max repeat":
        description, index = "Illegal repetition range", java.find("}", at)
    elif msg == "bad escape (end of pattern)":
        description, index = "Unexpected internal error", len(java)
    elif msg == "bad escape \\k":
        description = "\\k is not followed by '<' for named capturing group"
        index = at + 2
    elif msg.startswith("bad escape"):
        description, index = "Illegal/unsupported escape sequence", at + 1
    elif msg.startswith(("unknown extension", "unknown flag")):
        description, index = "Unknown inline modifier", at + 1
    elif msg.startswith("redefinition of group name"):
        name = msg.split("'")[1]
        description = f"Named capturing group <{name}> is already defined"
        index = java.find(">", at)
    elif msg.startswith("bad character in group name"):
        description = "capturing group name does not start with a Latin letter"
    elif msg == "missing >, unterminated name":
        description, index = "named capturing group is missing trailing '>'", len(java)
    return PatternSyntaxError(description, java, index)


@lru_cache(maxsize=256)
def compile_java(pattern: str) -> re.Pattern[str]:
    """`Pattern.compile(pattern)`; PatternSyntaxError as Java would raise it."""
    tr = _Translation(pattern)
    try:
        return re.compile(tr.python, 0 if tr.unicode else re.ASCII)
    except re.error as exc:
        raise _java_error(exc, tr) from None
    except (OverflowError, RecursionError) as exc:
        raise PatternSyntaxError(str(exc), pattern, -1) from None


# -- Matcher's replacement strings ----------------------------------------------------------

Part = str | int  # literal text, or a group number


@lru_cache(maxsize=256)
def _parts(regex: re.Pattern[str], replacement: str) -> tuple[Part, ...]:
    """`Matcher.appendExpandedReplacement`'s reading of `replacement` for `regex`."""
    parts: list[Part] = []
    text: list[str] = []
    r, n, i = replacement, len(replacement), 0
    while i < n:
        ch = r[i]
        if ch == "\\":
            if i + 1 == n:
                raise ReplacementError("character to be escaped is missing")
            text.append(r[i + 1])
            i += 2
            continue
        if ch != "$":
            text.append(ch)
            i += 1
            continue
        if i + 1 == n:
            raise ReplacementError("Illegal group reference: group index is missing")
        group, i = _group_ref(regex, r, i + 1)
        parts.append("".join(text))
        text = []
        parts.append(group)
    parts.append("".join(text))
    return tuple(p for p in parts if p != "")


def _group_ref(regex: re.Pattern[str], r: str, i: int) -> tuple[int, int]:
    """The group a `$` reference at `i` (just after the `$`) names; the index after it."""
    if r[i] == "{":
        end = i + 1
        while end < len(r) and r[end].isascii() and r[end].isalnum():
            end += 1
        name = r[i + 1:end]
        if not name:
            raise ReplacementError("named capturing group has 0 length name")
        if end == len(r) or r[end] != "}":
            raise ReplacementError("named capturing group is missing trailing '}'")
        if name[0].isdigit():
            raise ReplacementError(f"capturing group name {{{name}}} starts with digit character")
        if name not in regex.groupindex:
            raise ReplacementError(f"No group with name {{{name}}}")
        return regex.groupindex[name], end + 1
    if not ("0" <= r[i] <= "9"):
        raise ReplacementError("Illegal group reference")
    ref, i = int(r[i]), i + 1
    # Further digits belong to the number only while it still names a group.
    while i < len(r) and "0" <= r[i] <= "9" and ref * 10 + int(r[i]) <= regex.groups:
        ref, i = ref * 10 + int(r[i]), i + 1
    if ref > regex.groups:
        raise ReplacementError(f"No group {ref}")
    return ref, i


def replacer(regex: re.Pattern[str], replacement: str) -> Callable[[re.Match[str]], str]:
    """A `re.sub` callable expanding a Java replacement string; a bad one raises
    ReplacementError at the first match, as Java's does (no match, no error)."""

    def expand(match: re.Match[str]) -> str:
        return "".join(p if isinstance(p, str) else (match.group(p) or "")
                       for p in _parts(regex, replacement))

    return expand


def replace_all(regex: re.Pattern[str], text: str, replacement: str) -> str:
    """`Matcher.replaceAll(replacement)`: the matches of `find_all` replaced."""
    expand = replacer(regex, replacement)
    pieces: list[str] = []
    last = 0
    for match in find_all(regex, text):
        pieces += (text[last:match.start()], expand(match))
        last = match.end()
    return "".join(pieces) + text[last:]


def replace_first(regex: re.Pattern[str], text: str, replacement: str) -> str:
    """`Matcher.replaceFirst(replacement)`."""
    return regex.sub(replacer(regex, replacement), text, count=1)


# -- Matcher's iteration ---------------------------------------------------------------------


def find_all(regex: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of a `Matcher.find()` loop. After an empty match Java searches again
    one character further on, where `re.finditer` would still take a non-empty match at
    the same place (`|x*` on "x" is "", "" in Java, "", "x", "" in Python)."""
    start = 0
    while start <= len(text) and (match := regex.search(text, start)) is not None:
        yield match
        start = match.end() + (match.end() == match.start())


def split(regex: re.Pattern[str], text: str) -> list[str]:
    """`Pattern.split(text)`: no leading empty piece for an empty match at the start, the
    whole text when nothing else matched, trailing empty pieces dropped."""
    pieces: list[str] = []
    last = 0
    for match in find_all(regex, text):
        if last == 0 and match.start() == match.end() == 0:
            continue
        pieces.append(text[last:match.start()])
        last = match.end()
    if last == 0:
        return [text]
    pieces.append(text[last:])
    while pieces and not pieces[-1]:
        pieces.pop()
    return pieces
