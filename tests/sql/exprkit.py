"""Helpers for the expression and function tests: compile SQL text against a small scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tote.core.types import SqlType
from tote.sql import parse_expression
from tote.sql.expressions import (
    Binding,
    ExpressionError,
    Scope,
    compile_predicate,
    compile_projection,
    type_of,
)
from tote.sql.functions import FunctionRegistry, default_functions

FUNCTIONS = default_functions()


def scope_of(columns: Sequence[tuple[str, SqlType]], qualifier: str = "S") -> Scope:
    bindings = [Binding(name, qualifier, kind, i) for i, (name, kind) in enumerate(columns)]
    return Scope(bindings, clause="SELECT")


def evaluate(
    sql: str,
    columns: Sequence[tuple[str, SqlType]] = (),
    row: Sequence[Any] = (),
    functions: FunctionRegistry = FUNCTIONS,
) -> Any:
    """The value of one expression for one row (errors become None, as in a query)."""
    compiled = compile_projection([parse_expression(sql)], scope_of(columns), functions)
    return compiled.fn(row)[0]


def evaluate_logged(
    sql: str, columns: Sequence[tuple[str, SqlType]] = (), row: Sequence[Any] = ()
) -> tuple[Any, list[ExpressionError]]:
    errors: list[ExpressionError] = []
    compiled = compile_projection(
        [parse_expression(sql)], scope_of(columns), FUNCTIONS, on_error=errors.append
    )
    return compiled.fn(row)[0], errors


def matches(sql: str, columns: Sequence[tuple[str, SqlType]] = (), row: Sequence[Any] = ()) -> bool:
    compiled = compile_predicate(parse_expression(sql), scope_of(columns), FUNCTIONS)
    result: bool = compiled.fn(row)
    return result


def typed(sql: str, columns: Sequence[tuple[str, SqlType]] = ()) -> SqlType:
    return type_of(parse_expression(sql), scope_of(columns), FUNCTIONS)
