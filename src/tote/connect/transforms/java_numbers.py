"""Java's number semantics that Cast and MaskField reproduce: narrowing conversions
(`(byte) 300 == 44`), float32 rounding, `Integer.parseInt`/`Double.parseDouble` syntax and
`Double.toString`/`Float.toString` text."""

from __future__ import annotations

import math
import re
import struct

_INT_TEXT = re.compile(r"[+-]?\d+")
# Java's FloatingDecimal grammar, less hexadecimal floats.
_FLOAT_TEXT = re.compile(r"[+-]?(NaN|Infinity|((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)[fFdD]?)")


def narrow_int(value: int, bits: int) -> int:
    """Two's complement truncation to `bits` (Java's `(byte)`, `(short)`, `(int)` of a long)."""
    mask = (1 << bits) - 1
    value &= mask
    return value - (1 << bits) if value >> (bits - 1) else value


def float_to_int(value: float, bits: int) -> int:
    """Java's `Number.intValue()` etc. of a double: NaN is 0, the int (or long) range
    saturates, then byte and short truncate the int."""
    if math.isnan(value):
        return 0
    wide = 64 if bits == 64 else 32
    low, high = -(1 << (wide - 1)), (1 << (wide - 1)) - 1
    whole = high if value >= high else low if value <= low else int(value)
    return narrow_int(whole, bits)


def to_float32(value: float) -> float:
    """The nearest float32 (Java's `(float) d`); too large values become infinity."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", value))[0])
    except OverflowError:
        return math.copysign(math.inf, value)


def parse_int(text: str, bits: int) -> int:
    """`Byte.parseByte`, `Short.parseShort`, `Integer.parseInt`, `Long.parseLong`;
    ValueError (Java's NumberFormatException) when not a number or out of range."""
    if not _INT_TEXT.fullmatch(text):
        raise ValueError(text)
    number = int(text)
    if not -(1 << (bits - 1)) <= number < (1 << (bits - 1)):
        raise ValueError(text)
    return number


def parse_float(text: str) -> float:
    """`Double.parseDouble` (leading and trailing whitespace allowed)."""
    trimmed = text.strip()
    if not _FLOAT_TEXT.fullmatch(trimmed):
        raise ValueError(text)
    body = trimmed.rstrip("fFdD") if trimmed[-1:] not in ("N",) else trimmed
    return float(body.replace("Infinity", "inf"))


def _java_text(digits: str, exponent: int) -> str:
    """Java's layout of shortest digits `d.ddd x 10^exponent`: plain for 1e-3 <= |x| < 1e7,
    otherwise `d.dddEn`; always one digit after the point."""
    if -3 <= exponent < 7:
        if exponent >= 0:
            whole, frac = digits[:exponent + 1].ljust(exponent + 1, "0"), digits[exponent + 1:]
        else:
            whole, frac = "0", "0" * (-exponent - 1) + digits
        return f"{whole}.{frac or '0'}"
    return f"{digits[0]}.{digits[1:] or '0'}E{exponent}"


def _shortest(value: float, float32: bool) -> tuple[str, int]:
    """The fewest significant digits that read back as `value` (as a float32 when asked)."""
    if not float32:
        return _digits_of(repr(value))
    for precision in range(1, 10):
        text = f"{value:.{precision - 1}e}"
        if to_float32(float(text)) == value:
            return _digits_of(text)
    return _digits_of(f"{value:.8e}")


def _digits_of(text: str) -> tuple[str, int]:
    """Significant digits and decimal exponent of a positive float's text."""
    mantissa, _, exp = text.lower().partition("e")
    whole, _, frac = mantissa.partition(".")
    exponent = int(exp or 0)
    digits = (whole + frac).lstrip("0")
    exponent += len(whole.lstrip("0")) - 1 if whole.lstrip("0") else -(
        len(frac) - len(frac.lstrip("0")) + 1)
    return (digits.rstrip("0") or "0"), exponent


def double_text(value: float, float32: bool = False) -> str:
    """`Double.toString(d)` (or `Float.toString(f)` when `float32`)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest(abs(value), float32)
    return sign + _java_text(digits, exponent)
