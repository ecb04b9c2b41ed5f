"""Java number semantics that ksqlDB inherits: wrapping int/long, truncating division,
`%` with the dividend's sign, IEEE division by zero, and BigDecimal arithmetic that fails
instead of rounding (ksqlDB computes with RoundingMode.UNNECESSARY)."""

from __future__ import annotations

import decimal
import math
from collections.abc import Callable
from decimal import Decimal

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
LONG_MIN, LONG_MAX = -(2**63), 2**63 - 1


def wrap32(value: int) -> int:
    return ((value + 0x80000000) & 0xFFFFFFFF) - 0x80000000


def wrap64(value: int) -> int:
    return ((value + 0x8000000000000000) & 0xFFFFFFFFFFFFFFFF) - 0x8000000000000000


def int_div(a: int, b: int) -> int:
    """Java integer division: truncates toward zero; dividing by zero raises."""
    if b == 0:
        raise ArithmeticError("/ by zero")
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def int_mod(a: int, b: int) -> int:
    """Java `%`: the remainder has the sign of the dividend."""
    if b == 0:
        raise ArithmeticError("/ by zero")
    r = abs(a) % abs(b)
    return r if a >= 0 else -r


def double_div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if math.isnan(a) or a == 0:
            return math.nan
        negative = (a < 0) != (math.copysign(1.0, b) < 0)
        return -math.inf if negative else math.inf


def double_mod(a: float, b: float) -> float:
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def to_java_int(value: float | int | Decimal) -> int:
    """Java's `(int)` of a double or `intValue()` of a number."""
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        return (
            max(INT_MIN, min(INT_MAX, int(value)))
            if not math.isinf(value)
            else (INT_MAX if value > 0 else INT_MIN)
        )
    return wrap32(int(value))


def to_java_long(value: float | int | Decimal) -> int:
    if isinstance(value, float):
        if math.isnan(value):
            return 0
        if math.isinf(value):
            return LONG_MAX if value > 0 else LONG_MIN
        return max(LONG_MIN, min(LONG_MAX, int(value)))
    return wrap64(int(value))


def _exact_context(precision: int) -> decimal.Context:
    return decimal.Context(
        prec=precision,
        rounding=decimal.ROUND_HALF_UP,
        traps=[decimal.Inexact, decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
    )


def decimal_operation(op: str, precision: int, scale: int) -> Callable[[object, object], Decimal]:
    """The (a, b) -> Decimal function for `a op b` with a DECIMAL(precision, scale) result.

    Like ksqlDB's `a.op(b, new MathContext(p, UNNECESSARY)).setScale(s)`: a result that
    needs rounding (e.g. 1/3) is an error, which makes the expression NULL.
    """
    context = _exact_context(precision)
    quantum = Decimal(1).scaleb(-scale)
    widen = decimal.Context(prec=max(precision, 1) + scale + 40, traps=[decimal.Inexact])

    def _dec(value: object) -> Decimal:
        return value if isinstance(value, Decimal) else Decimal(value)  # type: ignore[arg-type]

    def run(a: object, b: object) -> Decimal:
        x, y = _dec(a), _dec(b)
        if op == "+":
            result = context.add(x, y)
        elif op == "-":
            result = context.subtract(x, y)
        elif op == "*":
            result = context.multiply(x, y)
        elif op == "/":
            if y == 0:
                raise ArithmeticError("Division by zero")
            result = context.divide(x, y)
        else:
            if y == 0:
                raise ArithmeticError("Division by zero")
            result = context.remainder(x, y)
        return result.quantize(quantum, context=widen)

    return run


def decimal_from_double(value: float) -> Decimal:
    """Java's BigDecimal.valueOf(double): the decimal of the shortest printed form."""
    if math.isinf(value) or math.isnan(value):
        raise ArithmeticError(f"Infinite or NaN: {value}")
    return Decimal(repr(value))


def fit_decimal(
    value: Decimal, precision: int, scale: int, rounding: str = decimal.ROUND_HALF_UP
) -> Decimal:
    """ksqlDB's DecimalUtil.cast: overflow is an error, extra scale rounds HALF_UP."""
    digits = precision - scale
    if abs(value) >= Decimal(10) ** digits:
        raise ArithmeticError(
            f"Numeric field overflow: A field with precision {precision} and scale {scale} "
            f"must round to an absolute value less than 10^{digits}. Got {format(value, 'f')}"
        )
    context = decimal.Context(prec=precision + 2 + max(0, value.adjusted()), rounding=rounding)
    return value.quantize(Decimal(1).scaleb(-scale), context=context)


def double_to_decimal(value: float, precision: int, scale: int) -> Decimal:
    """CAST(double AS DECIMAL(p, s)): the exact binary value rounded to p digits, then to s."""
    if math.isinf(value) or math.isnan(value):
        raise ArithmeticError(f"Infinite or NaN: {value}")
    rounded = decimal.Context(prec=precision, rounding=decimal.ROUND_HALF_UP).plus(Decimal(value))
    return fit_decimal(rounded, precision, scale)


def java_decimal_text(value: Decimal) -> str:
    """BigDecimal.toString (both follow the decimal spec's to-scientific-string)."""
    return str(value)
