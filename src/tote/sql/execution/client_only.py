"""Statements only a client runs: RUN SCRIPT (the CLI reads the file) and the test
runner's ASSERT VALUES / ASSERT NULL VALUES / ASSERT STREAM / ASSERT TABLE.

tote's one grammar parses them everywhere, but ksqlDB's server grammar has none of them,
so when one reaches the engine it is the syntax error ksqlDB's parser reports: an unknown
statement at `RUN`, no viable alternative at the word after `ASSERT`.
"""

from __future__ import annotations

from tote.sql.ast import commands as c
from tote.sql.ast.statements import Statement
from tote.sql.errors import ParseFailure
from tote.sql.lexer import tokenize
from tote.sql.syntax_errors import describe_unknown_statement

_CLIENT_ONLY = (c.RunScript, c.AssertValues, c.AssertTombstone, c.AssertSource)


def client_only_error(statement: Statement) -> ParseFailure | None:
    """The parse error ksqlDB's server gives `statement`, if only a client runs it."""
    if not isinstance(statement, _CLIENT_ONLY) or not statement.text:
        return None
    tokens = list(tokenize(statement.text))
    at = 0 if isinstance(statement, c.RunScript) else 1
    if len(tokens) <= at:
        return None
    token = tokens[at]
    span = statement.span
    line = span.line + token.line - 1
    column = token.column + (span.column - 1 if token.line == 1 else 0)
    if at == 0:
        detail = describe_unknown_statement(token.text)
    else:
        detail = f"Syntax error at or near '{token.text}' at line {line}:{column}"
    return ParseFailure(f"line {line}:{column}: Syntax Error\n{detail}", line=line,
                        column=column, statement_text=statement.text)
