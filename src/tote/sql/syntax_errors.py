"""ksqlDB-style syntax error messages.

ksqlDB's ANTLR parser reports one of a few shapes, which its error listener rewrites:

    line 1:1: Syntax Error\\nUnknown statement 'SELLECT'\\nDid you mean 'SELECT'?
    line 1:35: Syntax Error\\n"size" is a reserved keyword and it can't be used as ...
    line 2:74: Syntax Error\\nmissing ')' at ','
    line 1:32: Syntax Error\\nExpecting {'STRING', INTEGER_VALUE}
    line 1:14: Syntax Error\\nSyntax error at or near 'AS' at line 1:14

Our parser is LALR, not ANTLR, so `describe` reconstructs which shape ANTLR would have
produced from what the parser state accepts (see `Lookahead`): ANTLR reports an error at
the point where the innermost optional constructs have been given up on, which is the
subset of acceptable tokens that unwind the parse stack furthest.
"""

from __future__ import annotations

from typing import Protocol

from tote.core.errors import SqlError
from tote.sql.lexer import EOF, TOKEN_ORDER, Token, display_name, is_reserved_word

# Statements ksqlDB suggests for a mistyped first word, in its order.
COMMANDS = (
    "SELECT",
    "CREATE",
    "INSERT",
    "DESCRIBE",
    "PRINT",
    "EXPLAIN",
    "SHOW",
    "LIST",
    "TERMINATE",
    "PAUSE",
    "RESUME",
    "DROP",
    "SET",
    "DEFINE",
    "UNDEFINE",
    "UNSET",
    "ASSERT",
    "ALTER",
)

# Tokens after which ANTLR would still be predicting between alternatives inside an
# expression, so a bad one is reported as "no viable alternative".
_EXPRESSION_OPERATORS = frozenset(
    {
        "EQ",
        "NEQ",
        "LT",
        "LTE",
        "GT",
        "GTE",
        "PLUS",
        "MINUS",
        "ASTERISK",
        "SLASH",
        "PERCENT",
        "CONCAT",
        "ASSIGN",
        "STRUCT_FIELD_REF",
        "LAMBDA_EXPRESSION",
        "DOT",
        "LBRACKET",
        "RBRACKET",
    }
)


class Lookahead(Protocol):
    """What the parser would accept at the error point (implemented over Lark's tables)."""

    def accepted(self) -> dict[str, tuple[int, int]]:
        """Each acceptable token type -> (lowest stack height reached, reductions done)
        while reducing before it is shifted."""

    def accepts_pair(self, first: str, second: str) -> bool:
        """Whether `first` and then `second` would both be accepted."""

    def at_statement_start(self) -> bool:
        """Whether nothing of the current statement has been read yet."""

    def in_statement_header(self) -> bool:
        """Whether only the leading keywords and names of a statement (other than SELECT)
        have been read, where ksqlDB is still choosing between statement forms."""


def format_set(kinds: list[str]) -> str:
    """Token types as ANTLR prints an expected set: `'X'` alone or `{'A', 'B'}`."""
    ordered = sorted(kinds, key=lambda k: TOKEN_ORDER.get(k, len(TOKEN_ORDER)))
    names = [display_name(k) for k in ordered]
    return names[0] if len(names) == 1 else "{" + ", ".join(names) + "}"


def token_display(token: Token) -> str:
    if token.type == EOF:
        return "'<EOF>'"
    text = token.text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f"'{text}'"


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _closest_command(word: str) -> str:
    best, best_distance = "", -1
    for command in COMMANDS:
        distance = _levenshtein(command, word.upper())
        if best_distance < 0 or distance < best_distance:
            best, best_distance = command, distance
    return best


def describe_unknown_statement(word: str) -> str:
    """ksqlDB's detail for a statement starting with a word no statement starts with."""
    return f"Unknown statement '{word}'\nDid you mean '{_closest_command(word)}'?"


# The test runner's statements (ASSERT and the word after it) that ksqlDB's server grammar,
# which every ksqlDB surface but its test runner parses with, does not have.
_TEST_RUNNER_ASSERTS = frozenset({"VALUES", "NULL", "STREAM", "TABLE"})


def test_runner_assert_at(tokens: list[Token], index: int) -> tuple[str, Token] | None:
    """(detail, token) if the statement holding `tokens[index]` is a test-runner ASSERT:
    ksqlDB reports a malformed one at the word after ASSERT, where its grammar gives up."""
    start = index
    while start > 0 and tokens[start - 1].type != "SEMICOLON":
        start -= 1
    if start + 1 < len(tokens) and tokens[start].type == "ASSERT" \
            and tokens[start + 1].type in _TEST_RUNNER_ASSERTS:
        return _no_viable(tokens[start + 1]), tokens[start + 1]
    return None


def _no_viable(token: Token) -> str:
    text = "<EOF>" if token.type == EOF else token.text
    return f"Syntax error at or near '{text}' at line {token.line}:{token.column}"


_EOF_DETAIL = "Syntax error at or near \";\"\n'}', ']', or ')' is missing"


def describe(look: Lookahead, token: Token, following: Token) -> str:
    """The detail line(s) ksqlDB prints after "Syntax Error" for an unexpected `token`."""
    accepted = look.accepted()
    if look.at_statement_start() and token.type != EOF and "CREATE" in accepted:
        return describe_unknown_statement(token.text)
    if not accepted:
        return _no_viable(token)
    lowest = min(height for height, _ in accepted.values())
    deepest = {k: n for k, (height, n) in accepted.items() if height == lowest}
    most = max(deepest.values())
    expected = [k for k, n in deepest.items() if n == most]
    if EOF in expected and "SEMICOLON" in expected:
        expected.remove(EOF)
    statement_done = set(expected) <= {"SEMICOLON", EOF}
    if look.in_statement_header() and not statement_done:
        return _no_viable(token)
    if token.type in _EXPRESSION_OPERATORS and not statement_done:
        return _no_viable(token)
    if following.type in expected and token.type != EOF:
        # ANTLR would drop the token ("extraneous input").
        if is_reserved_word(token.text):
            return (
                f'"{token.text}" is a reserved keyword and it can\'t be used as an '
                f"identifier. You can use it as an identifier by escaping it as "
                f"'{token.text}' "
            )
        if EOF in expected:
            return _EOF_DETAIL
        return f"Expecting {format_set(expected)}" if len(expected) <= 3 else _no_viable(token)
    if len(expected) == 1 and look.accepts_pair(expected[0], token.type):
        # ANTLR would insert the one token it expects ("missing").
        return f"missing {format_set(expected)} at {token_display(token)}"
    if len(expected) <= 3:
        if token.type == EOF or EOF in expected:
            return _EOF_DETAIL
        return f"Expecting {format_set(expected)}"
    return _no_viable(token)


def syntax_error(detail: str, token: Token, source: str) -> SqlError:
    """The SqlError for a syntax error at `token` of `source`."""
    lines = source.split("\n")
    line_text = lines[token.line - 1].rstrip("\r") if token.line <= len(lines) else ""
    return SqlError(
        f"line {token.line}:{token.column}: Syntax Error\n{detail}",
        line=token.line,
        column=token.column,
        span=(token.start, token.end),
        source=source,
        statement_text=line_text,
    )
