"""CAST: which conversions ksqlDB supports, and the Python function for each.

The table mirrors ksqlDB's CastEvaluator. Values become STRING the way Java's
`String.valueOf` prints them (`1.0`, `[1, 3]`, `{a=1}`, `Struct{F0=1,f1=3}`), because
ksqlDB casts with `String.valueOf`.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from tote.core.types import Base, SqlType
from tote.serde.sql_values import java_double
from tote.sql.functions.semantics import numbers as n
from tote.sql.functions.semantics import timeparse as tp

Converter = Callable[[Any], Any]

_NUMERIC = (Base.INTEGER, Base.BIGINT, Base.DECIMAL, Base.DOUBLE)
_SUPPORTED: dict[Base, frozenset[Base]] = {
    Base.BOOLEAN: frozenset({Base.STRING}),
    Base.INTEGER: frozenset({*_NUMERIC, Base.STRING}),
    Base.BIGINT: frozenset({*_NUMERIC, Base.STRING}),
    Base.DECIMAL: frozenset({*_NUMERIC, Base.STRING}),
    Base.DOUBLE: frozenset({*_NUMERIC, Base.STRING}),
    Base.STRING: frozenset(
        {*_NUMERIC, Base.BOOLEAN, Base.TIMESTAMP, Base.TIME, Base.DATE, Base.BYTES, Base.STRING}
    ),
    Base.ARRAY: frozenset({Base.ARRAY, Base.STRING}),
    Base.MAP: frozenset({Base.MAP, Base.STRING}),
    Base.STRUCT: frozenset({Base.STRUCT, Base.STRING}),
    Base.TIMESTAMP: frozenset({Base.STRING, Base.TIME, Base.DATE, Base.TIMESTAMP}),
    Base.DATE: frozenset({Base.TIMESTAMP, Base.STRING, Base.DATE}),
    Base.TIME: frozenset({Base.STRING, Base.TIME}),
    Base.BYTES: frozenset({Base.BYTES}),
}


class UnsupportedCast(Exception):
    pass


def unsupported_message(source: SqlType, target: SqlType) -> str:
    return f"Cast of {source} to {target} is not supported"


def check_cast(source: SqlType, target: SqlType) -> None:
    """Raise UnsupportedCast (ksqlDB's message) unless CAST(source AS target) is allowed."""
    if source == target:
        return
    if target.base not in _SUPPORTED.get(source.base, frozenset()):
        raise UnsupportedCast(unsupported_message(source, target))
    try:
        if source.base is Base.ARRAY and target.base is Base.ARRAY:
            assert source.element is not None and target.element is not None
            check_cast(source.element, target.element)
        elif source.base is Base.MAP and target.base is Base.MAP:
            assert source.key and source.value and target.key and target.value
            check_cast(source.key, target.key)
            check_cast(source.value, target.value)
        elif source.base is Base.STRUCT and target.base is Base.STRUCT:
            for f in source.fields:
                other = target.field(f.name)
                if other is not None:
                    check_cast(f.type, other.type)
    except UnsupportedCast:
        raise UnsupportedCast(unsupported_message(source, target)) from None


def cast_may_fail(source: SqlType | None, target: SqlType) -> bool:
    """Whether CAST can raise for some value (a parse, or a DECIMAL that does not fit)."""
    if source is None or source == target or target.base is Base.STRING:
        return False
    if target.base is Base.DECIMAL or source.base is Base.STRING:
        return True
    if source.base is Base.ARRAY and target.base is Base.ARRAY:
        assert source.element is not None and target.element is not None
        return cast_may_fail(source.element, target.element)
    if source.base is Base.MAP and target.base is Base.MAP:
        assert source.key and source.value and target.key and target.value
        return cast_may_fail(source.key, target.key) or cast_may_fail(source.value, target.value)
    if source.base is Base.STRUCT and target.base is Base.STRUCT:
        return any(
            cast_may_fail(f.type, other.type)
            for f in source.fields
            if (other := target.field(f.name)) is not None
        )
    return False


# --- String.valueOf ---------------------------------------------------------------------


def java_text(value: Any, sql: SqlType | None = None) -> str:
    """Java's `String.valueOf` of the value ksqlDB would hold for `sql`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, Decimal):
        return n.java_decimal_text(value)
    if isinstance(value, datetime.datetime):
        return tp.format_timestamp(value)
    if isinstance(value, datetime.date):
        return tp.format_date(value)
    if isinstance(value, datetime.time):
        return tp.format_time(value)
    if isinstance(value, list):
        element = sql.element if sql is not None else None
        return "[" + ", ".join(java_text(v, element) for v in value) + "]"
    if isinstance(value, dict):
        if sql is not None and sql.base is Base.STRUCT:
            parts = []
            for f in sql.fields:
                item = value.get(f.name)
                if item is not None:
                    parts.append(f"{f.name}={java_text(item, f.type)}")
            return "Struct{" + ",".join(parts) + "}"
        val_type = sql.value if sql is not None else None
        key_type = sql.key if sql is not None else None
        return (
            "{"
            + ", ".join(
                f"{java_text(k, key_type)}={java_text(v, val_type)}" for k, v in value.items()
            )
            + "}"
        )
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return str(value)


# --- converters ---------------------------------------------------------------------------


_INT_TEXT = re.compile(r"[+-]?\d+")


def parse_int(text: str, lo: int = n.INT_MIN, hi: int = n.INT_MAX) -> int:
    stripped = text.strip()
    if not _INT_TEXT.fullmatch(stripped):
        raise ValueError(f'For input string: "{stripped}"')
    value = int(stripped)
    if not lo <= value <= hi:
        raise ValueError(f'For input string: "{stripped}"')
    return value


def parse_long(text: str) -> int:
    return parse_int(text, n.LONG_MIN, n.LONG_MAX)


def parse_double(text: str) -> float:
    stripped = text.strip().rstrip("dDfF")
    try:
        value = float(stripped)
    except ValueError:
        raise ValueError(f'For input string: "{text.strip()}"') from None
    if math.isnan(value) or value in (float("inf"), float("-inf")) or "_" in stripped:
        raise ValueError(f"Invalid double value: {text.strip()}")
    return value


def parse_boolean(text: str) -> bool:
    """SqlBooleans.parseBoolean: any prefix of "true" or "yes", case-insensitive."""
    value = text.strip().lower()
    return bool(value) and ("true".startswith(value) or "yes".startswith(value))


def parse_decimal_text(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError(
            f"Character array is missing \"exponent\" mark 'e' or 'E'.: {text}"
        ) from None
    if not value.is_finite():
        raise ValueError(f"Invalid decimal: {text}")
    return value


def parse_bytes(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except binascii.Error as exc:
        raise ValueError(f"Cannot decode base64 '{text}': {exc}") from None


def _to_decimal(source: SqlType, target: SqlType) -> Converter:
    p, s = target.precision or 0, target.scale or 0
    if source.base is Base.DOUBLE:
        return lambda v: n.double_to_decimal(v, p, s)
    if source.base is Base.STRING:
        return lambda v: n.fit_decimal(parse_decimal_text(v), p, s)
    return lambda v: n.fit_decimal(Decimal(v), p, s)


def _scalar_converter(source: SqlType, target: SqlType) -> Converter:
    sb, tb = source.base, target.base
    if tb is Base.STRING:
        if sb is Base.DECIMAL:
            return lambda v: format(v, "f")
        if sb is Base.TIMESTAMP:
            return tp.format_timestamp
        if sb is Base.TIME:
            return tp.format_time
        if sb is Base.DATE:
            return tp.format_date
        return lambda v: java_text(v, source)
    if tb is Base.DECIMAL:
        return _to_decimal(source, target)
    if sb is Base.STRING:
        parsers: dict[Base, Converter] = {
            Base.BOOLEAN: parse_boolean,
            Base.INTEGER: parse_int,
            Base.BIGINT: parse_long,
            Base.DOUBLE: parse_double,
            Base.TIMESTAMP: tp.parse_timestamp,
            Base.TIME: tp.parse_time,
            Base.DATE: tp.parse_date,
            Base.BYTES: parse_bytes,
        }
        return parsers[tb]
    if tb is Base.INTEGER:
        return n.to_java_int
    if tb is Base.BIGINT:
        return n.to_java_long
    if tb is Base.DOUBLE:
        return float
    if sb is Base.TIMESTAMP:
        return tp.timestamp_to_time if tb is Base.TIME else tp.timestamp_to_date
    if sb is Base.DATE and tb is Base.TIMESTAMP:
        return tp.date_to_timestamp
    raise UnsupportedCast(unsupported_message(source, target))


def _null_safe(convert: Converter) -> Converter:
    return lambda v: None if v is None else convert(v)


def converter(source: SqlType | None, target: SqlType) -> Converter | None:
    """The function CAST(x AS target) applies to a non-NULL x of type `source`; None when
    the value is already right (same type, or a NULL literal)."""
    if source is None or source == target:
        return None
    check_cast(source, target)
    if source.base is Base.ARRAY and target.base is Base.ARRAY:
        assert source.element is not None and target.element is not None
        item = converter(source.element, target.element)
        if item is None:
            return None
        safe = _null_safe(item)
        return lambda v: [safe(x) for x in v]
    if source.base is Base.MAP and target.base is Base.MAP:
        assert source.key and source.value and target.key and target.value
        key = _null_safe(converter(source.key, target.key) or (lambda x: x))
        value = _null_safe(converter(source.value, target.value) or (lambda x: x))
        return lambda v: {key(k): value(x) for k, x in v.items()}
    if source.base is Base.STRUCT and target.base is Base.STRUCT:
        plan: list[tuple[str, Converter | None]] = []
        for f in target.fields:
            src = source.field(f.name)
            if src is None:
                plan.append((f.name, None))
            else:
                conv = converter(src.type, f.type)
                plan.append((f.name, _null_safe(conv) if conv else (lambda x: x)))
        return lambda v: {name: (conv(v.get(name)) if conv else None) for name, conv in plan}
    return _scalar_converter(source, target)
