"""Where Java's BigDecimal fails ksqlDB's ROUND and TRUNC with a scale argument.

Both compute `BigDecimal.valueOf(double)` (or the DECIMAL itself) `.setScale(places, mode)`.
`setScale` fails when the scale difference does not fit a Java int (`Underflow`) or when
the power of ten it needs is beyond BigInteger's range (2^31 bits: 10^536870920 and up);
below that it computes the value, so tote computes the same value arithmetically.
"""

from __future__ import annotations

import math
from decimal import Decimal

_INT_MAX = 2**31 - 1
# BigInteger.TEN.pow(n) fails once bitLength(10) * n / 32 exceeds 2^26 ints.
_MAX_POWER_OF_TEN = 536_870_919


def java_double_decimal(value: float) -> Decimal:
    """`BigDecimal.valueOf(double)`: the number `Double.toString` prints, with its scale
    (`100.0` has scale 1, `1.0E-5` scale 6, `1.0E308` scale -307); NaN and infinities are
    Java's NumberFormatException."""
    if math.isnan(value) or math.isinf(value):
        first = "N" if math.isnan(value) else "I"
        raise ValueError(f"Character {first} is neither a decimal digit number, decimal point, "
                         'nor "e" notation exponential mark.')
    if value == 0:
        return Decimal("0.0")
    plain = Decimal(repr(value))
    if 1e-3 <= abs(value) < 1e7:
        return plain  # Java prints these as Python does: `0.001`, `100.0`, `1234567.0`
    sign, digits, _ = plain.normalize().as_tuple()
    unscaled = digits if len(digits) > 1 else (*digits, 0)  # `1.0E-5`: at least one decimal
    return Decimal((sign, unscaled, plain.adjusted() - len(unscaled) + 1))


def java_scale(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent


def check_set_scale(value: Decimal, new_scale: int) -> None:
    """Raise what `value.setScale(new_scale, mode)` raises in Java (nothing if it succeeds)."""
    old_scale = java_scale(value)
    if new_scale == old_scale or value.is_zero():
        return
    difference = abs(new_scale - old_scale)
    if difference > _INT_MAX:
        raise ArithmeticError("Underflow")  # BigDecimal.checkScale: the scale overflows
    if difference > _MAX_POWER_OF_TEN:
        raise ArithmeticError("BigInteger would overflow supported range")
