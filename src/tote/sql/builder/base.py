"""Helpers shared by the rule callbacks that turn parsed rules into AST nodes.

Each callback receives the rule's children: lexer tokens, AST nodes, `Name`s, tuples and
None (an absent optional clause). These helpers pick them apart and compute spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from tote.core.errors import SqlError
from tote.sql.ast.expressions import (
    DecimalLiteral,
    DoubleLiteral,
    Expression,
    IntegerLiteral,
    Literal,
    LongLiteral,
)
from tote.sql.ast.nodes import NO_SPAN, Node, Span
from tote.sql.lexer import Token, unquote

T = TypeVar("T")

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1

_SOURCE_NAME = re.compile(r"[a-zA-Z0-9_-]*")


@dataclass(frozen=True, slots=True)
class Name:
    """An identifier as written: `text` follows ksqlDB's case rules (unquoted names are
    upper-cased, quoted ones kept), `raw` is the token text, `case_text` keeps the case."""

    text: str
    raw: str
    quoted: bool
    span: Span

    @property
    def case_text(self) -> str:
        return self.text if self.quoted else self.raw


def token_span(token: Token) -> Span:
    return Span(token.line, token.column, token.start, token.end)


def _first_span(items: Iterable[Any]) -> Span | None:
    for item in items:
        found = span_or_none(item)
        if found is not None:
            return found
    return None


def span_or_none(item: Any) -> Span | None:
    if isinstance(item, Token):
        return token_span(item)
    if isinstance(item, Node | Name | Clause):
        return None if item.span == NO_SPAN else item.span
    if isinstance(item, tuple | list):
        first = _first_span(item)
        last = _first_span(reversed(item))
        if first is None or last is None:
            return None
        return first.to(last)
    return None


def span_of(children: Sequence[Any]) -> Span:
    """The span from the first to the last positioned child."""
    return span_or_none(list(children)) or NO_SPAN


def has(children: Sequence[Any], *types: str) -> bool:
    """Whether a token of one of `types` is among the direct children."""
    return any(isinstance(c, Token) and c.type in types for c in children)


def tokens(children: Sequence[Any]) -> list[Token]:
    return [c for c in children if isinstance(c, Token)]


def token_of(children: Sequence[Any], *types: str) -> Token | None:
    for c in children:
        if isinstance(c, Token) and c.type in types:
            return c
    return None


def of_type(children: Sequence[Any], cls: type[T]) -> list[T]:
    """The direct children that are instances of `cls`."""
    return [c for c in children if isinstance(c, cls)]


def one(children: Sequence[Any], cls: type[T]) -> T:
    """The single child of type `cls` (the grammar guarantees it is there)."""
    found = of_type(children, cls)
    if len(found) != 1:
        raise AssertionError(f"expected one {cls.__name__} in {children!r}")
    return found[0]


def opt(children: Sequence[Any], cls: type[T]) -> T | None:
    found = of_type(children, cls)
    return found[0] if found else None


def error_at(message: str, span: Span) -> SqlError:
    """A SqlError pointing at `span` (for problems found while building the AST)."""
    return SqlError(
        message,
        line=span.line or None,
        column=span.column or None,
        span=(span.start, span.end) if span != NO_SPAN else None,
    )


def prepare_error(message: str, span: Span) -> SqlError:
    """A semantic error ksqlDB finds while building its AST ("Failed to prepare ...")."""
    return error_at(f"Failed to prepare statement: {message}", span)


def literal_error(message: str, span: Span) -> SqlError:
    """A bad literal, reported as ksqlDB's AST builder reports it: its ParsingException
    adds one to a node's (already 1-based) column, so the literal at column 39 reads 40."""
    return prepare_error(f"line {span.line}:{span.column + 1}: {message}", span)


# --- names ------------------------------------------------------------------------------


# What Java's String.trim() removes from either end: every character up to U+0020.
_JAVA_TRIMMED = "".join(map(chr, range(0x21)))


def name_of(token: Token) -> Name:
    """ksqlDB's identifier rules: `"x"` and `` `x` `` keep their case, others are upper-cased."""
    span = token_span(token)
    if token.type in ("QUOTED_IDENTIFIER", "BACKQUOTED_IDENTIFIER"):
        text = unquote(token.text, token.text[0])
        if not text:
            # The lexer takes `` and "" as identifiers; ksqlDB's names refuse to be empty.
            raise prepare_error("name is empty", span)
        if text.strip(_JAVA_TRIMMED) != text:  # ... or to start or end with blanks
            raise prepare_error(f"name is not trimmed: '{text}'", span)
        return Name(text, token.text, True, span)
    if token.type == "VARIABLE":
        # Variables are substituted before parsing, so this one was never defined.
        raise error_at(
            f"Illegal argument at {span}. Identifier names cannot start with '@' and may "
            "only contain alphanumeric values and '_'.",
            span,
        )
    return Name(token.text.upper(), token.text, False, span)


def source_name(name: Name) -> str:
    """A stream/table name, which must also be a valid Kafka Streams store name."""
    if not _SOURCE_NAME.fullmatch(name.text):
        raise error_at(
            f"Illegal argument at {name.span}. Source names may only contain alphanumeric "
            "values, '_' or '-'.",
            name.span,
        )
    return name.text


def string_value(token: Token) -> str:
    """The value of a STRING token: quotes removed, doubled quotes undone."""
    return unquote(token.text, "'")


# --- numbers ----------------------------------------------------------------------------


def integer_literal(value: int, span: Span, text: str) -> Literal:
    if INT_MIN <= value <= INT_MAX:
        return IntegerLiteral(value, span=span)
    if LONG_MIN <= value <= LONG_MAX:
        return LongLiteral(value, span=span)
    raise literal_error(f"Invalid numeric literal: {text}", span)


def number_literal(text: str, kind: str, span: Span) -> Literal:
    """The literal for a numeric token's text (which may carry a leading minus)."""
    if kind == "INTEGER_VALUE":
        return integer_literal(int(text), span, text)
    if kind == "DECIMAL_VALUE":
        try:
            return DecimalLiteral(Decimal(text), span=span)
        except InvalidOperation as exc:
            raise literal_error(f"Invalid numeric literal: {text}", span) from exc
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise literal_error(f"Number overflows DOUBLE: {text}", span)
    return DoubleLiteral(value, span=span)


@dataclass(frozen=True, slots=True)
class DeferredNumber(Expression):
    """An unsigned number in an expression that is out of range on its own. ksqlDB reads
    `-9223372036854775808` as one literal, so the verdict waits for a leading minus to
    claim it (`claim_number`); one left unclaimed is rejected after parsing."""

    text: str
    kind: str


def claim_number(number: DeferredNumber, minus: bool, span: Span) -> Literal:
    """The literal `number` is, signed when a minus precedes it; raises when invalid."""
    return number_literal(("-" if minus else "") + number.text, number.kind, span)


def whole_number(literal: Literal, what: str) -> int:
    """The value of a literal that must be a whole number (LIMIT, sizes, precision)."""
    if isinstance(literal, IntegerLiteral | LongLiteral):
        return literal.value
    raise prepare_error(f"Value must be integer for command: {what}", literal.span)


@dataclass(frozen=True, slots=True)
class Clause:
    """A clause's value tagged with its kind, so a callback can tell optional clauses apart."""

    kind: str
    value: Any
    span: Span


def clause(children: Sequence[Any], kind: str) -> Any:
    """The value of the `kind` clause among the children, or None if absent."""
    for c in children:
        if isinstance(c, Clause) and c.kind == kind:
            return c.value
    return None
