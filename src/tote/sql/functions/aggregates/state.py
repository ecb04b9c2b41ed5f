"""JSON-compatible forms of SQL values, for accumulators kept in state stores."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from tote.core.types import Base, SqlType
from tote.serde.sql_values import (
    date_to_days,
    days_to_date,
    millis_to_time,
    millis_to_timestamp,
    time_to_millis,
    timestamp_to_millis,
)

# The types whose values `encode` converts. On Python 3.11 each `Base.X` read in a function
# body takes EnumType's `__getattr__` hook (~850 instructions, ten times a global's read),
# and `encode` runs per aggregate update: the usual value (a number, a string) is returned
# after one scan of this tuple instead of eight such reads.
_CONVERTED = (Base.DECIMAL, Base.DATE, Base.TIME, Base.TIMESTAMP, Base.BYTES, Base.ARRAY,
              Base.MAP, Base.STRUCT)


def as_is(sql: SqlType) -> bool:
    """Whether `encode` gives every value of the type back unchanged."""
    return sql.base not in _CONVERTED


def encode(value: Any, sql: SqlType) -> Any:
    if value is None:
        return None
    base = sql.base
    if base not in _CONVERTED:
        return value
    if base is Base.DECIMAL:
        return str(value)
    if base is Base.DATE:
        return date_to_days(value)
    if base is Base.TIME:
        return time_to_millis(value)
    if base is Base.TIMESTAMP:
        return timestamp_to_millis(value)
    if base is Base.BYTES:
        return base64.b64encode(value).decode("ascii")
    if base is Base.ARRAY:
        assert sql.element is not None
        return [encode(v, sql.element) for v in value]
    if base is Base.MAP:
        assert sql.key is not None and sql.value is not None
        return [[encode(k, sql.key), encode(v, sql.value)] for k, v in value.items()]
    if base is Base.STRUCT:
        return {f.name: encode(value.get(f.name), f.type) for f in sql.fields}
    return value


def decode(data: Any, sql: SqlType) -> Any:
    if data is None:
        return None
    base = sql.base
    if base is Base.DECIMAL:
        return Decimal(data)
    if base is Base.DATE:
        return days_to_date(data)
    if base is Base.TIME:
        return millis_to_time(data)
    if base is Base.TIMESTAMP:
        return millis_to_timestamp(data)
    if base is Base.BYTES:
        return base64.b64decode(data)
    if base is Base.DOUBLE:
        return float(data)
    if base is Base.ARRAY:
        assert sql.element is not None
        return [decode(v, sql.element) for v in data]
    if base is Base.MAP:
        assert sql.key is not None and sql.value is not None
        return {decode(k, sql.key): decode(v, sql.value) for k, v in data}
    if base is Base.STRUCT:
        return {f.name: decode(data.get(f.name), f.type) for f in sql.fields}
    return data
