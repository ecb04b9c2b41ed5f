"""Expressions back to SQL text, the way ksqlDB's ExpressionFormatter prints them.

ksqlDB quotes this text in error messages ("Cannot compare B (ARRAY<INTEGER>) to ...",
"Non-aggregate SELECT expression(s) not part of GROUP BY: (F1 * SUM(F2))") and uses it to
match GROUP BY expressions, so the spacing and parenthesisation follow its rules exactly:
binary operators are parenthesised, function arguments joined by ", ".
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from tote.sql.ast import expressions as e
from tote.sql.ast.nodes import Node
from tote.sql.ast.types import BuiltinType, CustomType, Type
from tote.sql.lexer import is_reserved_word

_PLAIN_NAME = re.compile(r"[A-Z_][A-Z0-9_@]*")


def quote_name(name: str) -> str:
    """An identifier as ksqlDB prints it: back-quoted when it would not read back as written."""
    if _PLAIN_NAME.fullmatch(name) and not is_reserved_word(name):
        return name
    return "`" + name.replace("`", "``") + "`"


def format_type(node: Type) -> str:
    if isinstance(node, BuiltinType):
        return str(node.sql_type)
    if isinstance(node, CustomType):
        return node.name
    return type(node).__name__


def format_double(value: float) -> str:
    """ICU scientific notation with the shortest exact digits: `1.5E3`, `1E-7`."""
    if math.isnan(value):
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "∞" if value > 0 else "-∞"
    if value == 0:
        return "0E0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return ("-" if sign else "") + f"{mantissa}E{exponent + len(text) - 1}"


def format_expression(node: Node) -> str:
    """The ksqlDB text of an expression node."""
    return _format(node)


def _binary(op: str, left: Node, right: Node) -> str:
    return f"({_format(left)} {op} {_format(right)})"


def _join(items: tuple[Node, ...]) -> str:
    return ", ".join(_format(item) for item in items)


def _format(node: Node) -> str:
    match node:
        case e.NullLiteral():
            return "null"
        case e.BooleanLiteral(value=value):
            return "true" if value else "false"
        case e.IntegerLiteral(value=value) | e.LongLiteral(value=value):
            return str(value)
        case e.DoubleLiteral(value=value):
            return format_double(value)
        case e.DecimalLiteral(value=value):
            return str(value)
        case e.StringLiteral(value=value):
            return "'" + value.replace("'", "''") + "'"
        case e.IntervalUnit(unit=unit):
            return unit.name
        case e.ColumnRef(name=name, source=source):
            return (quote_name(source) + "." if source else "") + quote_name(name)
        case e.LambdaVariable(name=name):
            return name
        case e.Dereference(base=base, field=field):
            return f"{_format(base)}->{quote_name(field)}"
        case e.Subscript(base=base, index=index):
            return f"{_format(base)}[{_format(index)}]"
        case e.FunctionCall(name=name, args=args):
            inner = "*" if not args and name == "COUNT" else _join(args)
            return f"{quote_name(name)}({inner})"
        case e.Lambda(params=params, body=body):
            return f"({', '.join(params)}) => {_format(body)}"
        case e.Cast(expression=inner, type=target):
            return f"CAST({_format(inner)} AS {format_type(target)})"
        case e.ArithmeticUnary(sign=sign, operand=operand):
            text = _format(operand)
            if sign is e.Sign.MINUS:
                return "-" + (" " if text.startswith("-") else "") + text
            return "+" + text
        case e.ArithmeticBinary(op=op, left=left, right=right):
            return _binary(op.value, left, right)
        case e.Comparison(op=op, left=left, right=right):
            return _binary(op.value, left, right)
        case e.LogicalBinary(op=op, left=left, right=right):
            return _binary(op.value, left, right)
        case e.Not(operand=e.Comparison(op=e.ComparisonOp.IS_DISTINCT_FROM) as cmp):
            return _binary("IS NOT DISTINCT FROM", cmp.left, cmp.right)
        case e.Not(operand=operand):
            return f"(NOT {_format(operand)})"
        case e.IsNull(operand=operand):
            return f"({_format(operand)} IS NULL)"
        case e.IsNotNull(operand=operand):
            return f"({_format(operand)} IS NOT NULL)"
        case e.Between(value=value, lower=lower, upper=upper):
            return f"({_format(value)} BETWEEN {_format(lower)} AND {_format(upper)})"
        case e.InList(value=value, items=items):
            return f"({_format(value)} IN ({_join(items)}))"
        case e.Like(value=value, pattern=pattern, escape=escape):
            tail = f" ESCAPE '{escape}'" if escape is not None else ""
            return f"({_format(value)} LIKE {_format(pattern)}{tail})"
        case e.SearchedCase(whens=whens, default=default):
            return _case("CASE", whens, default)
        case e.SimpleCase(operand=operand, whens=whens, default=default):
            return _case(f"CASE {_format(operand)}", whens, default)
        case e.WhenClause(condition=condition, result=result):
            return f"WHEN {_format(condition)} THEN {_format(result)}"
        case e.CreateArray(items=items):
            return f"ARRAY[{_join(items)}]"
        case e.CreateMap(entries=entries):
            inner = ", ".join(f"{_format(x.key)}:={_format(x.value)}" for x in entries)
            return f"MAP({inner})"
        case e.CreateStruct(fields=fields):
            inner = ", ".join(f"{quote_name(f.name)}:={_format(f.value)}" for f in fields)
            return f"STRUCT({inner})"
        case Type():
            return format_type(node)
    return type(node).__name__


def _case(head: str, whens: tuple[e.WhenClause, ...], default: e.Expression | None) -> str:
    parts = [head, *(_format(w) for w in whens)]
    if default is not None:
        parts += ["ELSE", _format(default)]
    parts.append("END")
    return "(" + " ".join(parts) + ")"
