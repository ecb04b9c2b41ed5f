"""The engine's own encodings of SQL values, for state stores and internal topics.

Internal data never leaves tote, so it does not use the sinks' formats:

- keys (of state stores and repartition topics) use one exact, deterministic JSON
  encoding (`encode`/`decode`), so equal keys are equal bytes and land on the same
  partition: Decimals keep their scale, BYTES, dates, times and timestamps are tagged,
  floats keep NaN/Infinity, maps keep non-string keys;
- values (rows, accumulators) use pickle (`pack`/`unpack`), many times faster, and read
  back with a restricted unpickler that builds only plain data and the few value
  classes SQL values use — a record someone else wrote to an internal topic can never
  run code. `unpack` still reads values written with the JSON encoding;
- state-store values (`pack_state`/`unpack_state`) use marshal where it holds the value
  exactly (plain data: None, bool, int, float, str, bytes, lists, tuples, dicts), half
  or less of pickle's cost to write, else pickle; `unpack_state` reads all three forms.
  marshal too builds only data (a code object it may build is never run).
"""

from __future__ import annotations

import base64
import datetime
import decimal
import io
import json
import marshal
import math
import pickle
import sys
from collections.abc import Callable, Sequence
from json.encoder import encode_basestring
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


_AS_THEY_ARE = frozenset((str, int, bool, type(None)))
# One encoder for every call: `json.dumps` with options builds a new one each time.
_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _writer() -> Callable[[Any, int], Sequence[str]]:
    """The C encoder `_JSON.encode` uses, made once (`encode` builds a new one per call,
    which cost more than writing a short key); without its circular check: SQL values
    are trees. Where CPython's private `_json` is absent, the public encoder."""
    try:
        from _json import make_encoder
    except ImportError:
        return lambda value, _level: (_JSON.encode(value),)
    write: Callable[[Any, int], Sequence[str]] = make_encoder(
        None, _JSON.default, encode_basestring, None, ":", ",", False, False, False)
    return write


_WRITE = _writer()


def encode(value: Any) -> bytes:
    """Deterministic bytes for a value (a row tuple, a key tuple, an accumulator...)."""
    if type(value) is list and all(type(v) in _AS_THEY_ARE for v in value):
        tagged = value  # a key of strings and numbers (the usual one) needs no tags
    else:
        tagged = _tag(value)
    # surrogatepass: a lone surrogate (from JSON's "\ud800" escape) is data too; the
    # sink reports it if it cannot be written, but a store or repartition must not crash.
    return "".join(_WRITE(tagged, 0)).encode("utf-8", "surrogatepass")


def decode(data: bytes) -> Any:
    return _untag(json.loads(data.decode("utf-8", "surrogatepass")))


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


_PICKLE = 5
_ALLOWED = {("decimal", "Decimal"), ("datetime", "datetime"), ("datetime", "date"),
            ("datetime", "time"), ("datetime", "timezone"), ("datetime", "timedelta")}


class _ValueUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not a SQL value")
        return super().find_class(module, name)


def pack(value: Any) -> bytes:
    """Fast bytes for a value that is only ever read back (rows, accumulators)."""
    return pickle.dumps(value, _PICKLE)


def unpack(data: bytes) -> Any:
    if data[:1] != b"\x80":
        return decode(data)
    try:
        return _ValueUnpickler(io.BytesIO(data)).load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, IndexError,
            AttributeError, KeyError) as exc:
        raise ValueError(f"Not an internal value: {exc}") from None


# A marshal-written state value starts with this byte (pickle's start with b"\x80", the
# JSON form's with printable text). Version 2: no back-references, so equal values are
# equal bytes, and the fastest to write.
_MARSHALLED = b"\x01"
_MARSHAL = 2


def pack_state(value: Any) -> bytes:
    """`pack` for a state store's values (read back only by `unpack_state`). marshal
    refuses every type it cannot hold exactly (Decimal, dates and times, subclasses of
    str, int, list...), which stay pickled; it stores bytes-like values as bytes."""
    try:
        return _MARSHALLED + marshal.dumps(value, _MARSHAL)
    except ValueError:
        return pack(value)


if sys.version_info >= (3, 13):
    def _unmarshal(data: bytes) -> Any:
        return marshal.loads(data, allow_code=False)
else:
    _unmarshal = marshal.loads


def unpack_state(data: bytes) -> Any:
    """A state value in any form it was ever written in: marshal, pickle or JSON."""
    if data[:1] != _MARSHALLED:
        return unpack(data)
    try:
        return _unmarshal(data[1:])
    except (ValueError, EOFError, TypeError) as exc:
        raise ValueError(f"Not an internal value: {exc}") from None


class KeyCodec:
    """Keys of repartition records (key tuple, window bounds) ↔ their JSON bytes,
    remembered both ways: a task meets the same few thousand keys again and again, and
    encoding them afresh was a large part of a re-keying query's cost."""

    LIMIT = 65_536

    def __init__(self) -> None:
        self._bytes: dict[tuple[Any, ...], bytes] = {}
        self._keys: dict[bytes, tuple[tuple[Any, ...], tuple[int, int] | None]] = {}

    def encode(self, key: tuple[Any, ...], window: tuple[int, int] | None) -> bytes:
        try:
            return self._bytes[(key, window)]
        except KeyError:
            data = encode([list(key), list(window) if window else None])
            if len(self._bytes) >= self.LIMIT:
                self._bytes.clear()
            self._bytes[(key, window)] = data
            return data
        except TypeError:  # an unhashable key part (ARRAY, MAP, STRUCT)
            return encode([list(key), list(window) if window else None])

    def decode(self, data: bytes) -> tuple[tuple[Any, ...], tuple[int, int] | None]:
        found = self._keys.get(data)
        if found is None:
            key, window = decode(data)
            found = (tuple(key), (window[0], window[1]) if window else None)
            if len(self._keys) >= self.LIMIT:
                self._keys.clear()
            self._keys[data] = found
        return found
