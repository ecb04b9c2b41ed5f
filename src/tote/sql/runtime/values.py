"""The engine's own encoding of SQL values, for state stores and internal topics.

Internal data never leaves tote, so it uses one exact, deterministic JSON encoding for
every type instead of the sink's format: Decimals keep their scale, BYTES, dates, times
and timestamps are tagged, floats keep NaN/Infinity, maps keep non-string keys. Keys of
state stores and repartition topics are encoded the same way, so equal keys are equal
bytes (and land on the same partition).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import json
import math
from collections.abc import Sequence
from typing import Any

from tote.serde import sql_values as sv


def _tag(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"$f": repr(value)}
    if isinstance(value, decimal.Decimal):
        return {"$d": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime.datetime):
        return {"$ts": sv.timestamp_to_millis(value)}
    if isinstance(value, datetime.date):
        return {"$dt": sv.date_to_days(value)}
    if isinstance(value, datetime.time):
        return {"$tm": sv.time_to_millis(value)}
    if isinstance(value, (list, tuple)):
        return [_tag(v) for v in value]
    if isinstance(value, dict):
        return {"$m": [[_tag(k), _tag(v)] for k, v in value.items()]}
    raise TypeError(f"Cannot store a value of type {type(value).__name__}")


def _untag(value: Any) -> Any:
    if isinstance(value, list):
        return [_untag(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$m" in value:
        return {_freeze_key(_untag(k)): _untag(v) for k, v in value["$m"]}
    if "$d" in value:
        return decimal.Decimal(value["$d"])
    if "$b" in value:
        return base64.b64decode(value["$b"])
    if "$ts" in value:
        return sv.millis_to_timestamp(value["$ts"])
    if "$dt" in value:
        return sv.days_to_date(value["$dt"])
    if "$tm" in value:
        return sv.millis_to_time(value["$tm"])
    if "$f" in value:
        return float(value["$f"])
    return {k: _untag(v) for k, v in value.items()}


def _freeze_key(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def encode(value: Any) -> bytes:
    """Deterministic bytes for a value (a row tuple, a key tuple, an accumulator...)."""
    return json.dumps(_tag(value), separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def decode(data: bytes) -> Any:
    return _untag(json.loads(data))


def encode_row(values: Sequence[Any]) -> bytes:
    return encode(list(values))


def decode_row(data: bytes) -> tuple[Any, ...]:
    return tuple(decode(data))


def freeze(value: Any) -> Any:
    """A hashable version of a key value (lists and dicts become tuples)."""
    if isinstance(value, list):
        return tuple(freeze(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted(((freeze(k), freeze(v)) for k, v in value.items()), key=repr))
    if isinstance(value, tuple):
        return tuple(freeze(v) for v in value)
    return value
