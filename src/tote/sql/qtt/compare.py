"""Comparing an expected value spec with an actual decoded value (QTT README §8).

The expected JSON type drives the check; the actual value's SQL type decides how
numbers compare: integers as integers, doubles within 1e-6, decimals by value and scale.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import math
from typing import Any

from tote.core.types import Base, SqlType
from tote.serde import sql_values as sv

TOLERANCE = 1e-6


def matches(expected: Any, actual: Any, sql: SqlType | None) -> bool:
    if isinstance(expected, dict):
        return _object(expected, actual, sql)
    if isinstance(expected, list):
        if not isinstance(actual, (list, tuple)) or len(actual) != len(expected):
            return False
        element = sql.element if sql is not None else None
        return all(matches(e, a, element) for e, a in zip(expected, actual, strict=True))
    if expected is None:
        return actual is None
    if isinstance(expected, bool):
        return isinstance(actual, bool) and actual == expected
    if isinstance(expected, str):
        return _string(expected, actual)
    if isinstance(expected, (int, decimal.Decimal)):
        return _number(expected, actual)
    return bool(expected == actual)


def _object(expected: dict[str, Any], actual: Any, sql: SqlType | None) -> bool:
    if not isinstance(actual, dict) or len(actual) != len(expected):
        return False
    types: dict[str, SqlType] = {}
    if sql is not None and sql.base is Base.STRUCT:
        types = {f.name: f.type for f in sql.fields}
    for key, value in expected.items():
        if key in actual:
            name = key
        elif isinstance(key, str) and key.upper() in actual:
            name = key.upper()
        else:
            if value is not None:
                return False
            continue
        member = types.get(name)
        if member is None and sql is not None and sql.base is Base.MAP:
            member = sql.value
        if not matches(value, actual[name], member):
            return False
    return True


def _string(expected: str, actual: Any) -> bool:
    if isinstance(actual, str):
        return actual == expected
    if isinstance(actual, decimal.Decimal):
        try:
            wanted = decimal.Decimal(expected)
        except decimal.InvalidOperation:
            return False
        return actual == wanted and actual.as_tuple().exponent == wanted.as_tuple().exponent
    if isinstance(actual, (bytes, bytearray)):
        return base64.b64encode(actual).decode("ascii") == expected
    if isinstance(actual, float) and not math.isfinite(actual):
        # A non-finite double is written as the JSON string "NaN" / "Infinity" /
        # "-Infinity" (no JSON number can hold it), so its printed text is that string.
        return sv.java_double(actual) == expected
    return False


def _number(expected: int | decimal.Decimal, actual: Any) -> bool:
    if isinstance(actual, bool) or actual is None:
        return False
    if isinstance(actual, datetime.datetime):
        actual = sv.timestamp_to_millis(actual)
    elif isinstance(actual, datetime.date):
        actual = sv.date_to_days(actual)
    elif isinstance(actual, datetime.time):
        actual = sv.time_to_millis(actual)
    if isinstance(actual, int):
        if isinstance(expected, decimal.Decimal) and expected != expected.to_integral_value():
            return False
        return int(expected) == actual
    if isinstance(actual, float):
        return abs(float(expected) - actual) < TOLERANCE or float(expected) == actual
    if isinstance(actual, decimal.Decimal):
        if isinstance(expected, int):
            exponent = actual.as_tuple().exponent
            return isinstance(exponent, int) and exponent >= 0 and actual == expected
        return actual == expected and \
            actual.as_tuple().exponent == expected.as_tuple().exponent
    return False
