"""ksqlDB's static rules for literals and comparisons, used by the type checker."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.ast import expressions as e

NULL_TYPE_MESSAGE = (
    "Can't infer a type of null. Please explicitly cast it to a required type, "
    "e.g. CAST(null AS VARCHAR)."
)

_EQUALITY = {e.ComparisonOp.EQUAL, e.ComparisonOp.NOT_EQUAL, e.ComparisonOp.IS_DISTINCT_FROM}
_TIMES = {Base.DATE, Base.TIME, Base.TIMESTAMP}


def decimal_literal_type(value: Decimal) -> SqlType:
    """DecimalUtil.fromValue: the DECIMAL a literal like `1.50` has."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    scale = max(-exponent, 0)
    if abs(value) < 1:
        return t.decimal(scale + 1, scale)
    precision = len(digits) + max(exponent, 0)
    return t.decimal(precision, scale)


def comparable(left: SqlType, op: e.ComparisonOp, right: SqlType) -> bool:
    """ksqlDB's ComparisonUtil.isValidComparison."""
    lb, rb = left.base, right.base
    if left.is_numeric:
        return right.is_numeric
    if lb is Base.STRING:
        return rb is Base.STRING or rb in _TIMES
    if lb in (Base.BOOLEAN, Base.ARRAY, Base.MAP, Base.STRUCT):
        return rb is lb and op in _EQUALITY
    if lb is Base.TIME:
        return rb in (Base.TIME, Base.STRING)
    if lb in (Base.DATE, Base.TIMESTAMP):
        return rb in (Base.DATE, Base.TIMESTAMP, Base.STRING)
    if lb is Base.BYTES:
        return rb is Base.BYTES
    return False


def literal_value(node: e.Expression) -> tuple[bool, Any]:
    """(True, value) for a literal (or a negated numeric literal), else (False, None)."""
    match node:
        case e.NullLiteral():
            return True, None
        case e.BooleanLiteral(value=v) | e.IntegerLiteral(value=v) | e.LongLiteral(value=v):
            return True, v
        case e.DoubleLiteral(value=v) | e.DecimalLiteral(value=v) | e.StringLiteral(value=v):
            return True, v
        case e.ArithmeticUnary(sign=sign, operand=operand):
            ok, value = literal_value(operand)
            if ok and isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
                return True, -value if sign is e.Sign.MINUS else value
    return False, None


def logical_operands(node: e.Expression, op: e.LogicalOp) -> list[e.Expression]:
    """`a OR b OR c` as [a, b, c], so long chains generate flat code (Python limits nesting)."""
    found: list[e.Expression] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, e.LogicalBinary) and current.op is op:
            stack += [current.right, current.left]
        else:
            found.append(current)
    return found
