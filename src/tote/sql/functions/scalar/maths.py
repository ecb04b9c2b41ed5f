"""MATHEMATICAL functions, with Java's Math semantics (ksqlDB's udf/math)."""

from __future__ import annotations

import decimal
import math
import random
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from tote.core import types as t
from tote.core.types import SqlType
from tote.sql.functions.base import ScalarFunction, Variant, scalar, variant
from tote.sql.functions.semantics.bigdecimal import (
    check_set_scale,
    java_double_decimal,
    java_scale,
)
from tote.sql.functions.semantics.numbers import (
    LONG_MAX,
    LONG_MIN,
    wrap32,
    wrap64,
)
from tote.sql.functions.widening import widen_decimals

CATEGORY = "MATHEMATICAL"


def java_round(value: float) -> int:
    """Math.round(double): floor(x + 0.5), NaN → 0, saturating at the long range."""
    if math.isnan(value):
        return 0
    if math.isinf(value):
        return LONG_MAX if value > 0 else LONG_MIN
    return max(LONG_MIN, min(LONG_MAX, math.floor(value + 0.5)))


def _round_decimal(value: Decimal, places: int, mode: str | None = None) -> Decimal:
    rounding = mode or (decimal.ROUND_HALF_UP if value > 0 else decimal.ROUND_HALF_DOWN)
    # Only places where the result can change (extreme ones such as ROUND(x, 99999) give
    # the same number): beyond the value's own digits it stays as it is, and a unit above
    # ten times its magnitude rounds it to zero.
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    whole = value.adjusted() + 1
    places = max(min(places, max(-exponent, 0)), -whole - 1)
    context = decimal.Context(prec=max(whole + places, 1) + 2)
    return value.quantize(Decimal(1).scaleb(-places), rounding=rounding, context=context)


def _rescale(value: Decimal, scale: int) -> Decimal:
    context = decimal.Context(prec=max(value.adjusted() + 1 + scale, 1) + 2)
    return value.quantize(Decimal(1).scaleb(-scale), context=context)


def _round_double(value: float, places: int) -> float:
    exact = java_double_decimal(value)
    check_set_scale(exact, places)
    return float(_round_decimal(exact, places))


def _trunc_double(value: float, places: int) -> float:
    exact = java_double_decimal(value)
    check_set_scale(exact, places)
    return float(_round_decimal(exact, places, decimal.ROUND_DOWN))


def _round_to_places(value: Decimal, places: int, mode: str | None = None) -> Decimal:
    """ROUND / TRUNC of a DECIMAL to `places`, keeping the value's scale (as ksqlDB)."""
    check_set_scale(value, places)
    return _rescale(_round_decimal(value, places, mode), java_scale(value))


def _decimal_places_type(
    arg_types: Sequence[SqlType | None], bindings: Mapping[str, SqlType]
) -> SqlType:
    source = arg_types[0]
    assert source is not None
    return source


def _decimal_whole_type(
    arg_types: Sequence[SqlType | None], bindings: Mapping[str, SqlType]
) -> SqlType:
    source = arg_types[0]
    assert source is not None and source.precision is not None and source.scale is not None
    return t.decimal(max(source.precision - source.scale, 1), 0)


def _same_decimal(arg_types: Sequence[SqlType | None], bindings: Mapping[str, SqlType]) -> SqlType:
    source = arg_types[0]
    assert source is not None
    return source


def _widest_decimal(
    arg_types: Sequence[SqlType | None], bindings: Mapping[str, SqlType]
) -> SqlType:
    found = [a for a in arg_types if a is not None]
    result = found[0]
    for other in found[1:]:
        result = widen_decimals(result, other)
    return result


def _double_fn(fn: Callable[[float], float]) -> Callable[[Any], float]:
    def run(value: Any) -> float:
        try:
            return fn(float(value))
        except ValueError:
            return math.nan
        except OverflowError:
            return math.inf

    return run


def _ln(value: float) -> float:
    if value < 0 or math.isnan(value):
        return math.nan
    return -math.inf if value == 0 else math.log(value)


def _log(base: Any, value: Any = None) -> float:
    if value is None:
        return _ln(float(base))
    b, v = float(base), float(value)
    if b <= 0 or b == 1:
        return math.nan
    return _ln(v) / math.log(b)


def _power(base: Any, exponent: Any) -> float:
    try:
        return math.pow(float(base), float(exponent))
    except ValueError:
        return math.nan
    except OverflowError:
        return math.inf


def _sign(value: Any) -> int:
    if isinstance(value, float) and math.isnan(value):
        return 0
    return int(value > 0) - int(value < 0)


def _extreme(pick: Callable[..., Any]) -> Callable[..., Any]:
    def run(first: Any, *others: Any) -> Any:
        values = [v for v in (first, *others) if v is not None]
        return pick(values) if values else None

    return run


def _numeric_variants(fmt: str, fn: Callable[..., Any], *, strict: bool = True) -> list[Variant]:
    return [variant(fmt.format(T=name), fn, strict=strict) for name in ("INT", "BIGINT", "DOUBLE")]


def _greatest_least(name: str, pick: Callable[..., Any], description: str) -> ScalarFunction:
    fn = _extreme(pick)
    variants = [
        variant(f"{ty} val, {ty}... vals -> {ty}", fn, strict=False)
        for ty in ("INT", "BIGINT", "DOUBLE", "STRING", "BYTES", "DATE", "TIME", "TIMESTAMP")
    ]
    variants.insert(
        3, variant("DECIMAL val, DECIMAL... vals", fn, strict=False, returns=_widest_decimal)
    )
    return scalar(name, CATEGORY, description, *variants)


def _random() -> float:
    return random.random()


def functions() -> list[ScalarFunction]:
    sqrt = _double_fn(lambda v: math.nan if v < 0 else math.sqrt(v))
    exp = _double_fn(math.exp)
    ln = _double_fn(_ln)
    return [
        scalar(
            "ABS",
            CATEGORY,
            "The absolute value of a number.",
            variant("INT value -> INT", lambda v: wrap32(abs(v))),
            variant("BIGINT value -> BIGINT", lambda v: wrap64(abs(v))),
            variant("DOUBLE value -> DOUBLE", abs),
            variant("DECIMAL value", abs, returns=_same_decimal),
        ),
        scalar(
            "CEIL",
            CATEGORY,
            "The smallest whole number not less than the value.",
            variant("INT value -> INT", lambda v: v),
            variant("BIGINT value -> BIGINT", lambda v: v),
            variant(
                "DOUBLE value -> DOUBLE", lambda v: float(math.ceil(v)) if math.isfinite(v) else v
            ),
            variant(
                "DECIMAL value",
                lambda v: _rescale(
                    v.to_integral_value(decimal.ROUND_CEILING), -v.as_tuple().exponent
                ),
                returns=_same_decimal,
            ),
        ),
        scalar(
            "FLOOR",
            CATEGORY,
            "The largest whole number not greater than the value.",
            variant("INT value -> INT", lambda v: v),
            variant("BIGINT value -> BIGINT", lambda v: v),
            variant(
                "DOUBLE value -> DOUBLE", lambda v: float(math.floor(v)) if math.isfinite(v) else v
            ),
            variant(
                "DECIMAL value",
                lambda v: _rescale(
                    v.to_integral_value(decimal.ROUND_FLOOR), -v.as_tuple().exponent
                ),
                returns=_same_decimal,
            ),
        ),
        scalar(
            "ROUND",
            CATEGORY,
            "Rounds half up (half toward zero for negatives), optionally to a scale.",
            variant("INT value -> INT", lambda v: v),
            variant("BIGINT value -> BIGINT", lambda v: v),
            variant("DOUBLE value -> BIGINT", java_round),
            variant("DOUBLE value, INT decimalPlaces -> DOUBLE", _round_double),
            variant("DECIMAL value", lambda v: _round_decimal(v, 0), returns=_decimal_whole_type),
            variant(
                "DECIMAL value, INT decimalPlaces",
                _round_to_places,
                returns=_decimal_places_type,
            ),
        ),
        scalar(
            "TRUNC",
            CATEGORY,
            "Truncates toward zero, optionally to a scale.",
            variant("INT value -> INT", lambda v: v),
            variant("BIGINT value -> BIGINT", lambda v: v),
            variant(
                "DOUBLE value -> BIGINT",
                lambda v: (
                    0
                    if math.isnan(v)
                    else max(LONG_MIN, min(LONG_MAX, int(v)))
                    if math.isfinite(v)
                    else (LONG_MAX if v > 0 else LONG_MIN)
                ),
            ),
            variant("DOUBLE value, INT decimalPlaces -> DOUBLE", _trunc_double),
            variant(
                "DECIMAL value",
                lambda v: _round_decimal(v, 0, decimal.ROUND_DOWN),
                returns=_decimal_whole_type,
            ),
            variant(
                "DECIMAL value, INT decimalPlaces",
                lambda v, p: _round_to_places(v, p, decimal.ROUND_DOWN),
                returns=_decimal_places_type,
            ),
        ),
        scalar(
            "SQRT",
            CATEGORY,
            "The square root of a value.",
            *_numeric_variants("{T} value -> DOUBLE", sqrt),
        ),
        scalar(
            "EXP",
            CATEGORY,
            "e raised to the power of the value.",
            *_numeric_variants("{T} exponent -> DOUBLE", exp),
        ),
        scalar(
            "LN",
            CATEGORY,
            "The natural logarithm of a value.",
            *_numeric_variants("{T} value -> DOUBLE", ln),
        ),
        scalar(
            "LOG",
            CATEGORY,
            "The natural logarithm, or the logarithm in a base.",
            *_numeric_variants("{T} value -> DOUBLE", _log),
            *_numeric_variants("{T} base, {T} value -> DOUBLE", _log),
        ),
        scalar(
            "POWER",
            CATEGORY,
            "A base raised to an exponent.",
            *_numeric_variants("{T} base, {T} exponent -> DOUBLE", _power),
        ),
        scalar(
            "CBRT",
            CATEGORY,
            "The cube root of a value.",
            *_numeric_variants(
                "{T} value -> DOUBLE", _double_fn(lambda v: math.copysign(abs(v) ** (1 / 3), v))
            ),
        ),
        scalar(
            "SIGN",
            CATEGORY,
            "The sign of a value: -1, 0 or 1.",
            *_numeric_variants("{T} value -> INT", _sign),
        ),
        scalar(
            "RANDOM",
            CATEGORY,
            "A random DOUBLE between 0.0 (inclusive) and 1.0 (exclusive).",
            variant("-> DOUBLE", _random, strict=False),
        ),
        scalar(
            "PI", CATEGORY, "The value of pi.", variant("-> DOUBLE", lambda: math.pi, strict=False)
        ),
        scalar(
            "DEGREES",
            CATEGORY,
            "Radians to degrees.",
            *_numeric_variants("{T} value -> DOUBLE", _double_fn(math.degrees)),
        ),
        scalar(
            "RADIANS",
            CATEGORY,
            "Degrees to radians.",
            *_numeric_variants("{T} value -> DOUBLE", _double_fn(math.radians)),
        ),
        *(
            scalar(
                name,
                CATEGORY,
                f"The {name.lower()} of a value.",
                *_numeric_variants("{T} value -> DOUBLE", _double_fn(fn)),
            )
            for name, fn in (
                ("SIN", math.sin),
                ("COS", math.cos),
                ("TAN", math.tan),
                ("ASIN", math.asin),
                ("ACOS", math.acos),
                ("ATAN", math.atan),
                ("SINH", math.sinh),
                ("COSH", math.cosh),
                ("TANH", math.tanh),
                ("COT", lambda v: 1 / math.tan(v) if math.tan(v) else math.inf),
            )
        ),
        scalar(
            "ATAN2",
            CATEGORY,
            "The angle of the point (x, y).",
            *_numeric_variants(
                "{T} y, {T} x -> DOUBLE", lambda y, x: math.atan2(float(y), float(x))
            ),
        ),
        _greatest_least("GREATEST", max, "The largest of the values, ignoring NULLs."),
        _greatest_least("LEAST", min, "The smallest of the values, ignoring NULLs."),
    ]
