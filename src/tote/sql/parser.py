"""The SQL parser: tokens from `tote.sql.lexer` fed to Lark's LALR(1) parser, whose rule
reductions call `tote.sql.builder.AstBuilder` directly, so no parse tree is built.

This is the only module that imports Lark; no Lark type leaves it. Syntax errors become
`SqlError`s worded as ksqlDB words them (see `tote.sql.syntax_errors`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from typing import Any

from lark import Lark, Tree, UnexpectedToken
from lark.common import LexerConf
from lark.lexer import Lexer
from lark.parsers.lalr_analysis import Shift
from lark.parsers.lalr_parser_state import ParserState

from tote.core.errors import SqlError
from tote.sql.ast.commands import Explain
from tote.sql.ast.expressions import Expression
from tote.sql.ast.nodes import Node, Span, walk
from tote.sql.ast.statements import Statement
from tote.sql.ast.types import Type
from tote.sql.builder import AstBuilder, Terminated
from tote.sql.builder.base import DeferredNumber, Name, claim_number
from tote.sql.lexer import EOF, KEYWORDS, Token, tokenize
from tote.sql.syntax_errors import describe, syntax_error, test_runner_assert_at

_STARTS = ["script", "single_expression", "single_type"]
_KEYWORD_TYPES = frozenset(KEYWORDS) | {"STRING_KW"}


class _FedLexer(Lexer):
    """Placeholder: tokens come from tote.sql.lexer and are fed to the parser directly."""

    def __init__(self, conf: LexerConf) -> None:
        self.conf = conf

    def lex(self, lexer_state: Any, parser_state: Any) -> Any:
        raise NotImplementedError("tote feeds tokens itself")


@dataclass(frozen=True, slots=True)
class _Reduced:
    """What a rule reduces to in a syntax-only parse: just the rule's name."""

    rule: str


class _Discard:
    """Callbacks for a syntax-only parse, which builds nothing."""

    def __default__(self, data: str, children: list[Any], meta: Any) -> Any:
        if data.startswith("__"):
            return Tree(data, children)  # Lark's helper rules for `*`, inlined by Lark
        return _Reduced(data)


@cache
def _lark(build: bool) -> Lark:
    """The compiled parser (built once per process; the tables never change)."""
    grammar = resources.files("tote.sql").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer=_FedLexer,
        start=_STARTS,
        transformer=AstBuilder() if build else _Discard(),
    )


@cache
def _statement_rules() -> frozenset[str]:
    """The names the statement alternatives reduce to (e.g. "create_stream")."""
    return frozenset(
        str(rule.alias or rule.origin.name)
        for rule in _lark(True).rules
        if rule.origin.name == "statement"
    )


def _role(value: Any) -> str:
    """How a parsed value bears on error reporting: "end" of a statement, "keyword",
    "name" or "other"."""
    if isinstance(value, Statement):
        return "end"
    if isinstance(value, Token):
        if value.type == "SEMICOLON":
            return "end"
        return "keyword" if value.type in _KEYWORD_TYPES else "other"
    if isinstance(value, Tree):
        return "end" if str(value.data).startswith("__script") else "other"
    if isinstance(value, Name):
        return "name"
    if isinstance(value, _Reduced):
        if value.rule in _statement_rules():
            return "end"
        return "name" if value.rule in ("identifier", "source_name") else "other"
    return "other"


def _run(start: str, text: str, build: bool = True) -> Any:
    """Parse `text` from rule `start`, returning what the start rule's callback built."""
    interactive = _lark(build).parse_interactive(start=start)
    tokens = list(tokenize(text))
    for i, token in enumerate(tokens):
        try:
            result = interactive.feed_token(token)  # type: ignore[arg-type]
        except UnexpectedToken:
            following = tokens[i + 1] if i + 1 < len(tokens) else token
            look = _Lookahead(interactive.parser_state)
            client_only = test_runner_assert_at(tokens, i)
            if client_only is not None:
                raise syntax_error(*client_only, text) from None
            raise syntax_error(describe(look, token, following), token, text) from None
        except SqlError as err:
            raise _located(err, text, tokens) from None
    if build and any(t.type in _DEFERRABLE for t in tokens):
        try:
            _reject_deferred(result)
        except SqlError as err:
            raise _located(err, text, tokens) from None
    return result


# Only these tokens can overflow on their own (see DeferredNumber).
_DEFERRABLE = frozenset({"INTEGER_VALUE", "FLOATING_POINT_VALUE"})


def _reject_deferred(result: Any) -> None:
    """An out-of-range number no leading minus claimed is the error it always was."""
    roots = result if isinstance(result, list) else [result]
    for root in roots:
        for item in root if isinstance(root, tuple) else (root,):
            if isinstance(item, Node):
                for node in walk(item):
                    if isinstance(node, DeferredNumber):
                        claim_number(node, False, node.span)


def _located(err: SqlError, text: str, tokens: list[Token]) -> SqlError:
    """`err` (raised while building the AST) with the parsed text attached, and the text of
    the statement it is about as its statementText."""
    if not err.source:
        err.source = text
    if err.span is not None and not err.statement_text:
        offset = err.span[0]
        start, end = 0, len(text)
        for token in tokens:
            if token.type == "SEMICOLON" and token.end <= offset:
                start = token.end
            elif token.type in ("SEMICOLON", EOF) and token.start >= offset:
                end = token.end
                break
        err.statement_text = text[start:end].strip()
    return err


class _Lookahead:
    """What the parser would accept next, computed from Lark's LALR tables."""

    def __init__(self, state: ParserState) -> None:  # type: ignore[type-arg]
        self.states = state.parse_conf.states
        self.end_state = state.parse_conf.end_state
        self.stack = list(state.state_stack)
        self.values = list(state.value_stack)

    def _feed(self, stack: list[int], kind: str) -> tuple[list[int], int, int] | None:
        """The stack after `kind` is shifted, the lowest height reached, and the number of
        reductions, or None if `kind` is a syntax error here."""
        stack = list(stack)
        lowest, reductions = len(stack), 0
        if kind == EOF and "SEMICOLON" in self.states[stack[-1]]:
            return None  # ksqlDB requires `;` after a statement; we only relax the last one.
        while True:
            row = self.states[stack[-1]]
            if kind not in row:
                return None
            action, arg = row[kind]
            if action is Shift:
                stack.append(arg)
                return stack, lowest, reductions
            size = len(arg.expansion)
            if size:
                del stack[-size:]
            lowest, reductions = min(lowest, len(stack)), reductions + 1
            stack.append(self.states[stack[-1]][arg.origin.name][1])
            if kind == EOF and stack[-1] == self.end_state:
                return stack, lowest, reductions

    def accepted(self) -> dict[str, tuple[int, int]]:
        found = {}
        for kind in self.states[self.stack[-1]]:
            if kind.isupper():
                fed = self._feed(self.stack, kind)
                if fed is not None:
                    found[kind] = fed[1:]
        return found

    def accepts_pair(self, first: str, second: str) -> bool:
        fed = self._feed(self.stack, first)
        return fed is not None and self._feed(fed[0], second) is not None

    def _statement_values(self) -> list[Any]:
        """What the parser holds of the statement being read."""
        found: list[Any] = []
        for value in reversed(self.values):
            if _role(value) == "end":
                break
            found.append(value)
        return found[::-1]

    def at_statement_start(self) -> bool:
        return not self._statement_values()

    def in_statement_header(self) -> bool:
        values = self._statement_values()
        if not values or not isinstance(values[0], Token) or values[0].type == "SELECT":
            return False
        return all(_role(v) in ("keyword", "name") for v in values)


def _with_text(statement: Statement, text: str, end: int) -> Statement:
    """`statement` with its source text (through `end`) and a span covering it."""
    span = statement.span
    full = Span(span.line, span.column, span.start, end)
    if isinstance(statement, Explain) and statement.statement is not None:
        inner = statement.statement
        inner = _with_text(inner, text, inner.span.end)
        statement = replace(statement, statement=inner)
    return replace(statement, text=text[span.start : end], span=full)


def _finish(terminated: list[Terminated], text: str) -> list[Statement]:
    return [
        _with_text(stmt, text, semicolon.end if semicolon else stmt.span.end)
        for stmt, semicolon in terminated
    ]


def parse(sql: str, *, require_semicolons: bool = False) -> list[Statement]:
    """Parse a script of `;`-separated statements.

    As in ksqlDB every statement ends with `;`, except that the last one may omit it
    unless `require_semicolons` is set (then the error reads as ksqlDB's).
    """
    terminated: list[Terminated] = _run("script", sql)
    if require_semicolons and terminated and terminated[-1][1] is None:
        eof = list(tokenize(sql))[-1]
        raise syntax_error("missing ';' at '<EOF>'", eof, sql)
    return _finish(terminated, sql)


def parse_statement(sql: str) -> Statement:
    """Parse exactly one statement; the closing `;` is optional."""
    statements = parse(sql)
    if len(statements) == 1:
        return statements[0]
    where = statements[1].span if statements else Span(1, 1, 0, len(sql))
    raise SqlError(
        f"Expected exactly one statement, found {len(statements)}.",
        line=where.line,
        column=where.column,
        span=(where.start, where.end),
        source=sql,
        statement_text=sql,
    )


def parse_expression(sql: str) -> Expression:
    """Parse one expression, e.g. `a + 1 > b`."""
    expression: Expression = _run("single_expression", sql)
    return expression


def parse_type(sql: str) -> Type:
    """Parse a type, e.g. `ARRAY<STRUCT<a INT>>`."""
    parsed: Type = _run("single_type", sql)
    return parsed


def check_syntax(sql: str) -> None:
    """Raise the SqlError ksqlDB's parser would raise for `sql`, without building an AST.

    Used to reject a whole script before running any of it, as ksqlDB does, while its
    `${variables}` are still unsubstituted.
    """
    _run("script", sql, build=False)
