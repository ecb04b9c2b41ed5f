"""Errors of the SQL engine beyond syntax, mapped onto ksqlDB's exception classes.

ksqlDB distinguishes parse failures (`ParseFailedException`), statement errors
(`KsqlStatementException`, which echo the statement) and plain `KsqlException`s; the
first is a subclass of the second, the second of the third. The parser raises
`SqlError`; everything the analyzer, planner and engine reject is a `StatementError`
(a `SqlError` too, so the REST layer renders one shape). Failures while a query runs
are `QueryRuntimeError`s.
"""

from __future__ import annotations

from tote.core.errors import SqlError, ToteError


class StatementError(SqlError):
    """A statement that parses but that ksqlDB refuses (KsqlStatementException)."""

    error_code = 40001


class QueryRuntimeError(ToteError):
    """A persistent query failed while processing records (e.g. it cannot serialise)."""

    error_code = 50000


def located(message: str, line: int | None, column: int | None) -> StatementError:
    """ksqlDB's `Line: l, Col: c: message` form for errors tied to a node."""
    if line:
        return StatementError(f"Line: {line}, Col: {column}: {message}", line=line,
                              column=column)
    return StatementError(message)


class ParseFailure(SqlError):
    """A statement ksqlDB's parser itself rejects beyond the grammar (ParseFailedException),
    e.g. a PRIMARY KEY column in a stream."""


def as_statement_error(error: SqlError) -> SqlError:
    """A SqlError raised while analysing (not parsing) as the statement error it is."""
    if isinstance(error, (StatementError, ParseFailure)):
        return error
    return StatementError(error.message, line=error.line, column=error.column,
                          span=error.span, source=error.source,
                          statement_text=error.statement_text)


class AssertionFailed(ToteError):
    """An ASSERT TOPIC / ASSERT SCHEMA that still failed when its timeout ran out: ksqlDB
    answers 417 with a bare `generic_error` (its KsqlRestException), not a statement error,
    so the REST layer passes this through without the request's earlier entities."""

    error_code = 41700
