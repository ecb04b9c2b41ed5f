"""Typing of function calls: scalar resolution (lambdas typed once their parameter types
are known), aggregates with their literal init arguments, and table functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tote.core.errors import SqlError
from tote.core.types import SqlType
from tote.sql.ast import expressions as e
from tote.sql.expressions.errors import error_at
from tote.sql.expressions.formatter import format_expression
from tote.sql.expressions.typerules import NULL_TYPE_MESSAGE, literal_value
from tote.sql.functions.base import (
    INTERVAL_UNIT_ARG,
    AggregateFunction,
    Aggregator,
    ArgType,
    LambdaArg,
)
from tote.sql.functions.resolution import NoMatchingVariant

if TYPE_CHECKING:
    from tote.sql.expressions.typing import TypeChecker


def call(checker: TypeChecker, node: e.FunctionCall) -> SqlType:
    kind = checker.functions.kind(node.name)
    if kind is None:
        raise error_at(node, f"Can't find any functions with the name '{node.name}'")
    if kind == "AGGREGATE":
        function, aggregator = resolve_aggregate(checker, node)
        checker.aggregates[id(node)] = (function, aggregator)
        return aggregator.return_type
    arg_types: list[ArgType] = []
    lambda_errors: list[SqlError] = []
    for arg in node.args:
        if isinstance(arg, e.Lambda):
            arg_types.append(LambdaArg(len(arg.params), _lambda_typer(checker, arg, lambda_errors)))
        else:
            arg_types.append(checker.check(arg))
    if kind == "TABLE":
        values = [a for a in arg_types if a is None or isinstance(a, SqlType)]
        try:
            table = checker.functions.table(node.name).resolve(values)
        except NoMatchingVariant as exc:
            raise error_at(node, str(exc)) from None
        checker.tables[id(node)] = table
        return table.return_type
    # A unit keyword has no SQL type in ksqlDB: it fits only INTERVALUNIT parameters.
    arg_types = [
        INTERVAL_UNIT_ARG if isinstance(arg, e.IntervalUnit) else arg_type
        for arg, arg_type in zip(node.args, arg_types, strict=True)
    ]
    try:
        resolved = checker.functions.scalar(node.name).resolve(arg_types)
    except NoMatchingVariant as exc:
        if lambda_errors:
            raise lambda_errors[0] from None
        raise error_at(node, str(exc)) from None
    for arg, param_types in zip(node.args, resolved.arg_types, strict=True):
        if isinstance(arg, e.Lambda) and isinstance(param_types, tuple):
            type_lambda(checker, arg, param_types)
    checker.calls[id(node)] = resolved
    return resolved.return_type


def _lambda_typer(checker: TypeChecker, node: e.Lambda, errors: list[SqlError]) -> Any:
    def type_body(param_types: Any) -> SqlType | None:
        try:
            return type_lambda(checker, node, tuple(param_types))
        except SqlError as exc:
            errors.append(exc)
            return None

    return type_body


def type_lambda(
    checker: TypeChecker, node: e.Lambda, param_types: tuple[SqlType, ...]
) -> SqlType | None:
    checker.lambdas.append(dict(zip(node.params, param_types, strict=True)))
    try:
        body = checker.check(node.body)
    finally:
        checker.lambdas.pop()
    checker.types[id(node)] = body
    return body


def resolve_aggregate(
    checker: TypeChecker, node: e.FunctionCall
) -> tuple[AggregateFunction, Aggregator]:
    function = checker.functions.aggregate(node.name)
    count = function.split(len(node.args))
    value_types: list[SqlType] = []
    for arg in node.args[:count]:
        arg_type = checker.check(arg)
        if arg_type is None:
            raise error_at(arg, NULL_TYPE_MESSAGE)
        value_types.append(arg_type)
    literals: list[Any] = []
    for position, arg in enumerate(node.args[count:], start=count + 1):
        ok, value = literal_value(arg)
        if not ok:
            _check_types(checker, function, node, value_types)
            raise error_at(
                arg,
                f"Parameter {position} passed to function {node.name} must be a literal "
                f"constant, but was expression: '{format_expression(arg)}'",
            )
        checker.check(arg)
        literals.append(value)
    try:
        return function, function.resolve(value_types, literals)
    except NoMatchingVariant as exc:
        raise error_at(node, str(exc)) from None


def _check_types(
    checker: TypeChecker, function: AggregateFunction, node: e.FunctionCall,
    value_types: list[SqlType],
) -> None:
    """A call whose argument types fit no signature is refused as such, before any
    complaint that an init argument is not a literal (ksqlDB finds the function first)."""
    if function.accepts is None:
        return
    types = [*value_types, *(checker.check(arg) for arg in node.args[len(value_types):])]
    if not function.accepts(types):
        shown = ", ".join("null" if x is None else str(x).replace("`", "") for x in types)
        raise error_at(node, f"Function '{function.name}' does not accept parameters ({shown}).")
