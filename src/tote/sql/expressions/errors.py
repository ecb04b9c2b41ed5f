"""SqlErrors located at an expression node, and the runtime error report type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tote.core.errors import SqlError
from tote.sql.ast.nodes import Node


def error_at(node: Node, message: str) -> SqlError:
    """A SqlError carrying the node's line, column and span (when the parser set them)."""
    span = node.span
    if not span.line:
        return SqlError(message)
    return SqlError(message, line=span.line, column=span.column, span=(span.start, span.end))


@dataclass(frozen=True, slots=True)
class ExpressionError:
    """One failed evaluation, for the processing log (ksqlDB logs and yields NULL).

    `index` is the position of the expression in a projection (0 for a single value);
    `expression` its ksqlDB text; `message` the error's text.
    """

    index: int
    expression: str
    message: str
    row: Sequence[Any]
    error: BaseException


ErrorSink = Callable[[ExpressionError], None]


def ignore_errors(error: ExpressionError) -> None:
    """The default sink: the value is NULL and nothing is logged."""
    del error
