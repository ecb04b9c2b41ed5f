r"""A `java.util.regex` character class as one Python `re` atom.

Java classes nest (`[a-c[x-z]]` is a union) and intersect (`[a-z&&[^aeiou]]`), which
`re` cannot say in a class; such a class becomes lookaheads around plain classes
(`(?:(?=[a-z])[^aeiou])`). The reading follows `Pattern.clazz`: a nested class or a range
joins the union at once, single characters gather in one set that joins when the class
ends or an `&&` comes, `&&` binds loosest, its right side runs to the next `&&` or `]`, a
`^` first negates the whole class, and a `]` first is a literal.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from tote.core.java import regex_property
from tote.core.java.regex_comments import uncommented_class

_HORIZONTAL = " \\t\\xa0\\u1680\\u180e\\u2000-\\u200a\\u202f\\u205f\\u3000"
_VERTICAL = "\\n\\x0b\\f\\r\\x85\\u2028\\u2029"
_PREDICATES = {"d": ("\\d", True), "D": ("\\D", True), "w": ("\\w", True),
               "W": ("\\W", True), "s": ("\\s", True), "S": ("\\S", True),
               "h": (_HORIZONTAL, True), "H": (_HORIZONTAL, False),
               "v": (_VERTICAL, True), "V": (_VERTICAL, False)}
_CONTROL = {"t": 9, "n": 10, "r": 13, "f": 12, "a": 7, "e": 27}
_ANY = "[\\s\\S]"


class ClassSyntaxError(ValueError):
    """A class Java refuses: its PatternSyntaxException's description and index."""

    def __init__(self, description: str, index: int) -> None:
        super().__init__(description)
        self.description = description
        self.index = index


@dataclass(slots=True)
class _Bits:
    """The single characters of one class level. Java keeps adding to this same set
    after it has joined an intersection, so it is read only when the class is emitted."""

    chars: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Leaf:
    atom: str  # a Python expression matching one character
    body: str | None  # the same as the inside of a `[...]`, when it can be said so


@dataclass(frozen=True, slots=True)
class _Union:
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Intersection:
    left: _Node
    right: _Node


@dataclass(frozen=True, slots=True)
class _Negation:
    inner: _Node


_Node = _Bits | _Leaf | _Union | _Intersection | _Negation


def translate_class(java: str, start: int, modes: Collection[str] = ()) -> tuple[str, int]:
    """The class opening at `java[start]` (a `[`) as one Python atom, and the index after
    its closing `]`; ClassSyntaxError where Java's Pattern.compile fails. `modes`, the
    Java flags in force, matter for COMMENTS (`x`)."""
    if "x" not in modes:
        node, end = _Parser(java).clazz(start + 1, consume=True)
        return _emit(node)[0], end
    text, origin = uncommented_class(java, start, modes)
    try:
        node, end = _Parser(text).clazz(1, consume=True)
    except ClassSyntaxError as exc:
        raise ClassSyntaxError(exc.description, origin[min(exc.index, len(text))]) from None
    return _emit(node)[0], origin[end - 1] + 1


def translate_property(java: str, start: int) -> tuple[str, int]:
    """The `\\p{Name}` / `\\P{Name}` / `\\pL` at `java[start]` as one Python atom, and the
    index after it."""
    node, end = _Parser(java).property_at(start)
    return node.atom, end


def _chars_body(chars: list[int]) -> str:
    return "".join(re.escape(chr(c)) for c in chars)


def _leaf(body: str, positive: bool = True) -> _Leaf:
    return _Leaf(f"[{body}]", body) if positive else _Leaf(f"[^{body}]", None)


def _emit(node: _Node) -> tuple[str, str | None]:
    """A Python atom for `node`, and its class body when it has one."""
    if isinstance(node, _Bits):
        body = _chars_body(node.chars)
        return (f"[{body}]" if body else "(?!)"), body
    if isinstance(node, _Leaf):
        return node.atom, node.body
    if isinstance(node, _Union):
        (left, left_body), (right, right_body) = _emit(node.left), _emit(node.right)
        if left_body is not None and right_body is not None:
            body = left_body + right_body
            return (f"[{body}]" if body else "(?!)"), body
        return f"(?:{left}|{right})", None
    if isinstance(node, _Intersection):
        return f"(?:(?={_emit(node.left)[0]}){_emit(node.right)[0]})", None
    inner, inner_body = _emit(node.inner)
    if inner_body is not None:
        return (f"[^{inner_body}]" if inner_body else _ANY), None
    return f"(?:(?!{inner}){_ANY})", None


class _Parser:
    def __init__(self, java: str) -> None:
        self.p = java

    def _at(self, j: int) -> str:
        return self.p[j] if j < len(self.p) else ""

    def clazz(self, j: int, consume: bool) -> tuple[_Node, int]:
        """One class level from `j` (its first member) to its `]`: the node and the index
        after the `]` (at it when not `consume`, for the right side of an `&&`)."""
        prev: _Node | None = None
        curr: _Node | None = None
        bits = _Bits()
        has_bits = False
        negate = self._at(j) == "^" and self.p[j - 1] == "["
        j += negate
        while True:
            ch = self._at(j)
            if ch == "[":
                curr, j = self.clazz(j + 1, consume=True)
                prev = curr if prev is None else _Union(prev, curr)
                continue
            if self.p.startswith("&&", j):
                j, right = self._right_operand(j + 2)
                if has_bits:
                    if prev is None:
                        prev = curr = bits
                    else:
                        prev = _Union(prev, bits)
                    has_bits = False
                curr = right if right is not None else curr
                if prev is None:
                    if right is None:
                        raise ClassSyntaxError("Bad class syntax", j - 1)
                    prev = right
                elif curr is not None:
                    prev = _Intersection(prev, curr)
                continue
            if not ch:
                raise ClassSyntaxError("Unclosed character class", len(self.p) - 1)
            if ch == "]" and (prev is not None or has_bits):
                node: _Node = bits if prev is None else _Union(prev, bits) if has_bits else prev
                return (_Negation(node) if negate else node), j + consume
            if self.p.startswith("\\Q", j):
                j = self._quoted(j + 2, bits)
                has_bits = True
                continue
            curr, j = self._range(j, bits)
            if curr is None:
                has_bits = True
            elif prev is None:
                prev = curr
            elif prev is not curr:
                prev = _Union(prev, curr)

    def _right_operand(self, j: int) -> tuple[int, _Node | None]:
        """The operand after an `&&`: nested classes, or the members up to the `]`."""
        right: _Node | None = None
        while (ch := self._at(j)) not in ("]", "&"):
            if not ch:
                raise ClassSyntaxError("Unclosed character class", len(self.p) - 1)
            if ch == "[":
                nested, j = self.clazz(j + 1, consume=True)
                right = nested if right is None else _Union(right, nested)
            else:
                members, j = self.clazz(j, consume=False)
                right = members if right is None else _Union(right, members)
        return j, right

    def _quoted(self, j: int, bits: _Bits) -> int:
        end = self.p.find("\\E", j)
        end = len(self.p) if end < 0 else end
        bits.chars.extend(ord(c) for c in self.p[j:end])
        return min(end + 2, len(self.p))

    def _range(self, j: int, bits: _Bits) -> tuple[_Node | None, int]:
        """A character, range, or escaped class at `j`; None when it went into `bits`."""
        if self._at(j) == "\\":
            if self._at(j + 1) in ("p", "P"):
                return self.property_at(j)
            value, j = self._escape(j)
            if isinstance(value, _Leaf):
                return value, j
        else:
            value, j = ord(self.p[j]), j + 1
        if self._at(j) == "-" and self._at(j + 1) not in ("[", "]", ""):
            if self._at(j + 1) == "\\":
                high, end = self._escape(j + 1)
            else:
                high, end = ord(self.p[j + 1]), j + 2
            if isinstance(high, _Leaf) or high < value:
                raise ClassSyntaxError("Illegal character range", end - 1)
            return _leaf(f"{re.escape(chr(value))}-{re.escape(chr(high))}"), end
        if value < 256:
            bits.chars.append(value)
            return None, j
        return _leaf(re.escape(chr(value))), j

    def property_at(self, j: int) -> tuple[_Leaf, int]:
        """`\\p{Name}`, `\\pL`, and their complements `\\P`."""
        positive = self.p[j + 1] == "p"
        if self._at(j + 2) == "{":
            close = self.p.find("}", j + 3)
            if close < 0:
                raise ClassSyntaxError("Unclosed character family", len(self.p))
            name, end, where = self.p[j + 3:close], close + 1, close
        else:
            name, end, where = self._at(j + 2), j + 3, j + 2
        body = regex_property.class_body(name)
        if body is None:
            raise ClassSyntaxError(f"Unknown character property name {{{name}}}", where)
        return _leaf(body, positive), end

    def _escape(self, j: int) -> tuple[int | _Leaf, int]:
        """The escape at `j` inside a class: a character, or a class such as `\\d`."""
        p, letter = self.p, self._at(j + 1)
        if letter in _PREDICATES:
            body, positive = _PREDICATES[letter]
            return _leaf(body, positive), j + 2
        if letter in _CONTROL:
            return _CONTROL[letter], j + 2
        if letter == "0":
            octal = re.match(r"[0-3]?[0-7]{1,2}|[0-7]", p[j + 2:j + 5])
            if octal is None:
                raise ClassSyntaxError("Illegal octal escape sequence", j + 2)
            return int(octal.group(), 8), j + 2 + octal.end()
        if letter == "x" and self._at(j + 2) == "{":
            close = p.find("}", j + 3)
            digits = p[j + 3:close] if close > 0 else ""
            if not re.fullmatch(r"[0-9a-fA-F]+", digits) or int(digits, 16) > 0x10FFFF:
                raise ClassSyntaxError("Illegal hexadecimal escape sequence", j + 3)
            return int(digits, 16), close + 1
        if letter in ("x", "u"):
            width = 2 if letter == "x" else 4
            digits = p[j + 2:j + 2 + width]
            if not re.fullmatch(rf"[0-9a-fA-F]{{{width}}}", digits):
                kind = "hexadecimal" if letter == "x" else "Unicode"
                raise ClassSyntaxError(f"Illegal {kind} escape sequence", j + 2)
            return int(digits, 16), j + 2 + width
        if letter == "c" and j + 2 < len(p):
            return ord(p[j + 2]) ^ 64, j + 3
        if not letter:
            raise ClassSyntaxError("Unclosed character class", len(p) - 1)
        if letter.isascii() and letter.isalnum():
            raise ClassSyntaxError("Illegal/unsupported escape sequence", j + 1)
        return ord(letter), j + 2
