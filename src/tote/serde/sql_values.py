"""How ksqlDB values look in Python, and their text/number forms on the wire.

One representation per SQL type whatever the format, so the SQL engine never cares
where a row came from: BOOLEAN bool, INTEGER/BIGINT int, DOUBLE float, DECIMAL
`decimal.Decimal` at the column's scale, STRING str, BYTES bytes, DATE `datetime.date`,
TIME `datetime.time`, TIMESTAMP aware UTC `datetime.datetime`, ARRAY list, MAP dict,
STRUCT dict keyed by field name. JSON, DELIMITED and KAFKA carry DATE as days since the
epoch, TIME as milliseconds since midnight and TIMESTAMP as epoch milliseconds.
"""

from __future__ import annotations

import datetime
import decimal
import math

from tote.core.types import SqlType
from tote.serde.errors import SerializationError

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
EPOCH_DATE = datetime.date(1970, 1, 1)
_MS = datetime.timedelta(milliseconds=1)


def date_to_days(value: datetime.date) -> int:
    return (value - EPOCH_DATE).days


def days_to_date(days: int) -> datetime.date:
    return EPOCH_DATE + datetime.timedelta(days=days)


def time_to_millis(value: datetime.time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1000 + value.microsecond // 1000


def millis_to_time(millis: int) -> datetime.time:
    if not 0 <= millis < 86_400_000:
        raise SerializationError(f"TIME value {millis} ms is outside one day")
    seconds, ms = divmod(millis, 1000)
    minutes, sec = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return datetime.time(hours, minute, sec, ms * 1000)


def timestamp_to_millis(value: datetime.datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return (value - EPOCH) // _MS


def millis_to_timestamp(millis: int) -> datetime.datetime:
    return EPOCH + datetime.timedelta(milliseconds=millis)


def to_decimal(value: object, sql: SqlType) -> decimal.Decimal:
    """A Decimal at the column's scale; a value that needs rounding or is too big is an error."""
    scale, precision = sql.scale or 0, sql.precision or 0
    try:
        if isinstance(value, float):
            dec = decimal.Decimal(repr(value))
        elif isinstance(value, (int, str, decimal.Decimal)) and not isinstance(value, bool):
            dec = decimal.Decimal(value.strip() if isinstance(value, str) else value)
        else:
            raise SerializationError(f"Cannot convert {value!r} to {sql}")
        context = decimal.Context(prec=max(precision, len(dec.as_tuple().digits)) + scale + 2)
        quantized = dec.quantize(decimal.Decimal(1).scaleb(-scale), context=context)
    except (decimal.InvalidOperation, ValueError):
        raise SerializationError(f"Cannot convert {value!r} to {sql}") from None
    if quantized != dec or (quantized != 0 and quantized.adjusted() + 1 > precision - scale):
        raise SerializationError(f"Cannot fit decimal '{value}' into {sql} without rounding.")
    return quantized


def decimal_text(value: decimal.Decimal) -> str:
    """Plain notation at full scale, as ksqlDB writes decimals (`10.0000`)."""
    return format(value, "f")


def java_double(value: float) -> str:
    """Java's `Double.toString`: `1.0`, `0.001`, `1.0E7`, `1.2345E-5`, `NaN`, `Infinity`."""
    if 1e-3 <= value < 1e7 or -1e7 < value <= -1e-3:  # the common case first (NaN fails)
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e7:
        text = repr(value)
        return text if ("." in text or "e" in text) else text + ".0"
    # shortest round-trip digits, laid out in Java's d.dddE±n form
    sign = "-" if value < 0 else ""
    raw = repr(magnitude)
    if "e" in raw:
        coeff, _, exp = raw.partition("e")
        exp_n = int(exp)
    else:
        coeff, exp_n = raw, 0
    int_part, _, frac = coeff.partition(".")
    all_digits = (int_part + frac).lstrip("0")
    if int_part.strip("0"):
        shift = len(int_part.lstrip("0")) - 1
    else:
        shift = -(len(frac) - len(frac.lstrip("0")) + 1)
    exp_n += shift
    all_digits = all_digits.rstrip("0") or "0"
    if len(all_digits) == 1:
        all_digits, exp_n = _two_digits(magnitude, all_digits, exp_n)
    return f"{sign}{all_digits[0]}.{all_digits[1:] or '0'}E{exp_n}"


def _two_digits(magnitude: float, digit: str, exponent: int) -> tuple[str, int]:
    """Java prints a one-digit shortest value as the closest two-digit decimal that still
    reads back as the value: `Double.MIN_VALUE` is `4.9E-324`, not `5.0E-324`."""
    exact = decimal.Decimal(magnitude)
    closest = exact.scaleb(-exact.adjusted()).quantize(decimal.Decimal("0.1"),
                                                       rounding=decimal.ROUND_HALF_EVEN)
    candidate = closest.scaleb(exact.adjusted())
    if closest < 10 and float(candidate) == magnitude:
        return str(closest).replace(".", ""), exact.adjusted()
    return digit, exponent
