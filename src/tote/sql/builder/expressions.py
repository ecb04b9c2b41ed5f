"""Rule callbacks for expressions and literals."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from tote.core.errors import SqlError
from tote.sql.ast import expressions as e
from tote.sql.ast.nodes import Node, Span, transform
from tote.sql.ast.types import Type
from tote.sql.builder.base import (
    DeferredNumber,
    Name,
    claim_number,
    error_at,
    has,
    number_literal,
    of_type,
    one,
    prepare_error,
    span_of,
    string_value,
    token_of,
    token_span,
)
from tote.sql.lexer import Token
from tote.sql.syntax_errors import syntax_error

Children = list[Any]

_ARITHMETIC = {
    "PLUS": e.ArithmeticOp.ADD,
    "MINUS": e.ArithmeticOp.SUBTRACT,
    "ASTERISK": e.ArithmeticOp.MULTIPLY,
    "SLASH": e.ArithmeticOp.DIVIDE,
    "PERCENT": e.ArithmeticOp.MODULUS,
}
_COMPARISON = {
    "EQ": e.ComparisonOp.EQUAL,
    "NEQ": e.ComparisonOp.NOT_EQUAL,
    "LT": e.ComparisonOp.LESS_THAN,
    "LTE": e.ComparisonOp.LESS_THAN_OR_EQUAL,
    "GT": e.ComparisonOp.GREATER_THAN,
    "GTE": e.ComparisonOp.GREATER_THAN_OR_EQUAL,
}


def time_unit(token: Token) -> e.TimeUnit:
    """ksqlDB accepts singular and plural unit names: DAY and DAYS are both DAYS."""
    name = token.type if token.type.endswith("S") else token.type + "S"
    return e.TimeUnit[name]


def _negated(literal: e.Expression, span: Span) -> e.Expression | None:
    """`-literal` as one literal (ksqlDB lexes `-1` as a number), if it is unsigned."""
    if isinstance(literal, e.IntegerLiteral | e.LongLiteral) and literal.value >= 0:
        value = -literal.value
        if value >= -(2**31):
            return e.IntegerLiteral(value, span=span)
        return e.LongLiteral(value, span=span)
    if isinstance(literal, e.DecimalLiteral) and not literal.value.is_signed():
        return e.DecimalLiteral(-literal.value, span=span)
    if isinstance(literal, e.DoubleLiteral) and literal.value >= 0:
        return e.DoubleLiteral(-literal.value, span=span)
    return None


def _not(node: e.Expression, negate: bool) -> e.Expression:
    return e.Not(node, span=node.span) if negate else node


class ExpressionRules:
    """Callbacks named after the expression rules and aliases of grammar.lark."""

    # --- boolean ------------------------------------------------------------------------

    def logical_binary(self, c: Children) -> e.Expression:
        op = e.LogicalOp.AND if c[1].type == "AND" else e.LogicalOp.OR
        return e.LogicalBinary(op, c[0], c[2], span=span_of(c))

    def logical_not(self, c: Children) -> e.Expression:
        return e.Not(c[1], span=span_of(c))

    def comparison_operator(self, c: Children) -> Token:
        token: Token = c[0]
        return token

    def comparison(self, c: Children) -> e.Expression:
        return e.Comparison(_COMPARISON[c[1].type], c[0], c[2], span=span_of(c))

    def between(self, c: Children) -> e.Expression:
        value, lower, upper = of_type(c, e.Expression)
        return _not(e.Between(value, lower, upper, span=span_of(c)), has(c, "NOT"))

    def in_list(self, c: Children) -> e.Expression:
        value, *items = of_type(c, e.Expression)
        return _not(e.InList(value, tuple(items), span=span_of(c)), has(c, "NOT"))

    def like(self, c: Children) -> e.Expression:
        value, pattern = of_type(c, e.Expression)
        escape_token = token_of(c, "STRING")
        escape = None
        if escape_token is not None:
            escape = string_value(escape_token)
            if len(escape) != 1:
                span = token_span(escape_token)
                raise prepare_error(
                    f"{span}: Expected single character escape but got: {escape}", span
                )
        return _not(e.Like(value, pattern, escape, span=span_of(c)), has(c, "NOT"))

    def null_predicate(self, c: Children) -> e.Expression:
        if has(c, "NOT"):
            return e.IsNotNull(c[0], span=span_of(c))
        return e.IsNull(c[0], span=span_of(c))

    def distinct_from(self, c: Children) -> e.Expression:
        left, right = of_type(c, e.Expression)
        node = e.Comparison(e.ComparisonOp.IS_DISTINCT_FROM, left, right, span=span_of(c))
        return _not(node, has(c, "NOT"))

    # --- arithmetic ---------------------------------------------------------------------

    def concatenation(self, c: Children) -> e.Expression:
        return e.FunctionCall("CONCAT", (c[0], c[2]), span=span_of(c))

    def arithmetic_binary(self, c: Children) -> e.Expression:
        return e.ArithmeticBinary(_ARITHMETIC[c[1].type], c[0], c[2], span=span_of(c))

    def arithmetic_unary(self, c: Children) -> e.Expression:
        span = span_of(c)
        if c[0].type == "MINUS":
            if isinstance(c[1], DeferredNumber):
                return claim_number(c[1], True, span)
            folded = _negated(c[1], span)
            if folded is not None:
                return folded
            return e.ArithmeticUnary(e.Sign.MINUS, c[1], span=span)
        return e.ArithmeticUnary(e.Sign.PLUS, c[1], span=span)

    # --- primaries ----------------------------------------------------------------------

    def parenthesized(self, c: Children) -> e.Expression:
        # The node itself, its span widened to the parentheses.
        inner: e.Expression = c[1]
        return replace(inner, span=span_of(c))

    def column_reference(self, c: Children) -> e.Expression:
        name: Name = c[0]
        return e.ColumnRef(name.text, span=name.span)

    def qualified_column_reference(self, c: Children) -> e.Expression:
        source, column = of_type(c, Name)
        return e.ColumnRef(column.text, source.text, span=span_of(c))

    def dereference(self, c: Children) -> e.Expression:
        return e.Dereference(c[0], c[2].text, span=span_of(c))

    def subscript(self, c: Children) -> e.Expression:
        return e.Subscript(c[0], c[2], span=span_of(c))

    def function_call(self, c: Children) -> e.Expression:
        name: Name = c[0]
        return e.FunctionCall(name.text, tuple(of_type(c, e.Expression)), span=span_of(c))

    def interval_unit(self, c: Children) -> e.Expression:
        return e.IntervalUnit(time_unit(c[0]), span=span_of(c))

    def lambda_single(self, c: Children) -> e.Expression:
        name: Name = c[0]
        return _lambda((name.text,), c[2], span_of(c))

    def lambda_multi(self, c: Children) -> e.Expression:
        *params, body = of_type(c, e.Expression)
        names = []
        for param in params:
            if not isinstance(param, e.ColumnRef) or param.source is not None:
                arrow = token_of(c, "LAMBDA_EXPRESSION")
                assert arrow is not None
                raise syntax_error(
                    f"Syntax error at or near '=>' at line {arrow.line}:{arrow.column}", arrow, ""
                )
            names.append(param.name)
        return _lambda(tuple(names), body, span_of(c))

    def cast(self, c: Children) -> e.Expression:
        return e.Cast(c[2], one(c, Type), span=span_of(c))

    def when_clause(self, c: Children) -> e.WhenClause:
        return e.WhenClause(c[1], c[3], span=span_of(c))

    def searched_case(self, c: Children) -> e.Expression:
        whens = tuple(of_type(c, e.WhenClause))
        return e.SearchedCase(whens, _else(c), span=span_of(c))

    def simple_case(self, c: Children) -> e.Expression:
        whens = tuple(of_type(c, e.WhenClause))
        return e.SimpleCase(c[1], whens, _else(c), span=span_of(c))

    def array_constructor(self, c: Children) -> e.Expression:
        return e.CreateArray(tuple(of_type(c, e.Expression)), span=span_of(c))

    def map_entry(self, c: Children) -> e.MapEntry:
        return e.MapEntry(c[0], c[2], span=span_of(c))

    def map_constructor(self, c: Children) -> e.Expression:
        return e.CreateMap(tuple(of_type(c, e.MapEntry)), span=span_of(c))

    def struct_field(self, c: Children) -> e.StructFieldValue:
        return e.StructFieldValue(c[0].text, c[2], span=span_of(c))

    def struct_constructor(self, c: Children) -> e.Expression:
        return e.CreateStruct(tuple(of_type(c, e.StructFieldValue)), span=span_of(c))

    def type_constructor(self, c: Children) -> e.Expression:
        name: Name = c[0]
        span = span_of(c)
        if name.text == "DECIMAL":
            text = string_value(c[1])
            try:
                return e.DecimalLiteral(Decimal(text), span=span)
            except InvalidOperation as exc:
                raise prepare_error(f"Invalid numeric literal: {text}", span) from exc
        raise prepare_error(f"Unknown type: {name.text}, location:Optional[{span}]", span)

    # --- literals -----------------------------------------------------------------------

    def null_literal(self, c: Children) -> e.Literal:
        return e.NullLiteral(span=span_of(c))

    def boolean_literal(self, c: Children) -> e.Literal:
        return e.BooleanLiteral(c[0].type == "TRUE", span=span_of(c))

    def string_literal(self, c: Children) -> e.Literal:
        return e.StringLiteral(string_value(c[0]), span=span_of(c))

    def variable_literal(self, c: Children) -> e.Literal:
        # Variables are substituted before parsing, so this one was never defined.
        span = span_of(c)
        raise error_at(f"Illegal argument at {span}.", span)

    def number(self, c: Children) -> e.Literal:
        value: Token = c[-1]
        text = "-" + value.text if has(c, "MINUS") else value.text
        return number_literal(text, value.type, span_of(c))

    def unsigned_number(self, c: Children) -> e.Expression:
        value: Token = c[-1]
        try:
            return number_literal(value.text, value.type, span_of(c))
        except SqlError:
            return DeferredNumber(value.text, value.type, span=span_of(c))


def _else(c: Children) -> e.Expression | None:
    for i, child in enumerate(c):
        if isinstance(child, Token) and child.type == "ELSE":
            default: e.Expression = c[i + 1]
            return default
    return None


def _lambda(params: tuple[str, ...], body: e.Expression, span: Span) -> e.Expression:
    """A lambda whose body refers to its parameters as LambdaVariables (ksqlDB's rule)."""

    def bind(node: Node) -> Node:
        if isinstance(node, e.ColumnRef) and node.source is None and node.name in params:
            return e.LambdaVariable(node.name, span=node.span)
        return node

    return e.Lambda(params, transform(body, bind), span=span)
