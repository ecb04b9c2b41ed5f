"""ksqlDB's JSON and JSON_SR formats: rows as JSON objects keyed by column name.

Writing follows ksqlDB: columns in order, DECIMAL as a number at full scale, BYTES as
base64, DATE/TIME/TIMESTAMP as days / ms-of-day / epoch ms, nested STRUCTs as objects.
Reading is as lenient as ksqlDB: field names match case-insensitively, numeric strings
coerce to numbers, anything coerces to STRING, missing fields are null. With
`unwrap=True` a single column is the bare JSON value. JSON_SR is the same JSON framed
with a schema id (and validated against the schema when one is given).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import json
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

from tote.core import bases
from tote.core.types import Column, SqlType
from tote.serde import sql_values as sv
from tote.serde.errors import SerializationError
from tote.serde.json_schema import JsonSchema
from tote.serde.wire import frame, unframe

_INT32, _INT64 = (-(2**31), 2**31 - 1), (-(2**63), 2**63 - 1)  # INTEGER's, BIGINT's range


def dumps(value: Any) -> str:
    """Compact JSON where Decimals keep their scale and floats print like Java doubles."""
    write = _WRITERS.get(type(value))
    if write is not None:
        return write(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, decimal.Decimal):
        return sv.decimal_text(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dict):
        return _object(value)
    if isinstance(value, (list, tuple)):
        return _array(value)
    raise SerializationError(f"Cannot write {type(value).__name__} as JSON")


# What Jackson (ksqlDB's JSON writer) escapes where Python's json writes it raw or in
# lower case: every UTF-16 surrogate, paired or not, as `\uXXXX` (a character beyond
# the BMP is written as its surrogate pair; a lone surrogate, which UTF-8 cannot hold,
# is written too rather than the row being lost), and hex digits in upper case.
_BEYOND_UTF8 = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")
_LOWER_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u00([0-9a-f]{2})")


def _utf16_escapes(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04X}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04X}\\u{0xDC00 + (code & 0x3FF):04X}"


def _string(value: str) -> str:
    """A JSON string as Jackson writes it (`_BEYOND_UTF8`)."""
    text = json.dumps(value, ensure_ascii=False)
    if value.isascii():
        return text if value.isprintable() else _LOWER_ESCAPE.sub(_upper_escape, text)
    text = _BEYOND_UTF8.sub(_utf16_escapes, text)
    return _LOWER_ESCAPE.sub(_upper_escape, text) if "\\u00" in text else text


def _upper_escape(match: re.Match[str]) -> str:
    return f"{match.group(1)}\\u00{match.group(2).upper()}"


def _float(value: float) -> str:
    text = sv.java_double(value)
    return text if math.isfinite(value) else json.dumps(text)


def _object(value: dict[Any, Any]) -> str:
    return "{" + ",".join(f"{_string(str(k))}:{dumps(v)}"
                          for k, v in value.items()) + "}"


def _array(value: list[Any] | tuple[Any, ...]) -> str:
    return "[" + ",".join(map(dumps, value)) + "]"


# The exact types rows are made of, written without walking the isinstance chain.
_WRITERS: dict[type, Callable[[Any], str]] = {
    type(None): lambda value: "null",
    bool: lambda value: "true" if value else "false",
    int: str,
    float: _float,
    str: _string,
    decimal.Decimal: sv.decimal_text,
    list: _array,
    tuple: _array,
    dict: _object,
}


def to_json_value(sql: SqlType, value: Any) -> Any:
    """A SQL value as the JSON value ksqlDB writes (Decimals stay Decimal for `dumps`)."""
    if value is None:
        return None
    base = sql.base
    if base is bases.DECIMAL:
        return sv.to_decimal(value, sql)
    if base is bases.BYTES:
        return base64.b64encode(value).decode("ascii")
    if base is bases.DATE:
        return sv.date_to_days(value) if isinstance(value, datetime.date) else value
    if base is bases.TIME:
        return sv.time_to_millis(value) if isinstance(value, datetime.time) else value
    if base is bases.TIMESTAMP:
        return sv.timestamp_to_millis(value) if isinstance(value, datetime.datetime) else value
    if base is bases.ARRAY:
        assert sql.element is not None
        return [to_json_value(sql.element, v) for v in value]
    if base is bases.MAP:
        assert sql.value is not None
        # A null key is written as the text "null", as ksqlDB's JSON serializer does.
        return {"null" if k is None else str(k): to_json_value(sql.value, v)
                for k, v in value.items()}
    if base is bases.STRUCT:
        return {f.name: to_json_value(f.type, _get(value, f.name)) for f in sql.fields}
    return value


def _get(obj: dict[str, Any], name: str) -> Any:
    if name in obj:
        return obj[name]
    upper = name.upper()
    for key, value in obj.items():
        if key.upper() == upper:
            return value
    return None


def from_json_value(sql: SqlType, value: Any, path: str = "") -> Any:
    """Coerce a parsed JSON value into the SQL value of `sql`, ksqlDB-style."""
    if value is None:
        return None
    base = sql.base
    where = path or "/"
    try:
        if base is bases.STRING:
            return value if isinstance(value, str) else dumps(value)
        if base is bases.BOOLEAN:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false"):
                return value.lower() == "true"
            raise ValueError
        if base in (bases.INTEGER, bases.BIGINT):
            number = _integer(value)
            low, high = _INT32 if base is bases.INTEGER else _INT64
            if not low <= number <= high:
                raise ValueError
            return number
        if base is bases.DOUBLE:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if base is bases.DECIMAL:
            return sv.to_decimal(value, sql)
        if base is bases.BYTES:
            return base64.b64decode(value, validate=True)
        if base is bases.DATE:
            return sv.days_to_date(_integer(value))
        if base is bases.TIME:
            return sv.millis_to_time(_integer(value))
        if base is bases.TIMESTAMP:
            return sv.millis_to_timestamp(_integer(value))
        if base is bases.ARRAY and isinstance(value, list):
            assert sql.element is not None
            return [from_json_value(sql.element, v, f"{path}/{i}") for i, v in enumerate(value)]
        if base is bases.MAP and isinstance(value, dict):
            assert sql.key is not None and sql.value is not None
            return {from_json_value(sql.key, k): from_json_value(sql.value, v, f"{path}/{k}")
                    for k, v in value.items()}
        if base is bases.STRUCT and isinstance(value, dict):
            return {f.name: from_json_value(f.type, _get(value, f.name), f"{path}/{f.name}")
                    for f in sql.fields}
    except SerializationError:
        raise
    except (ValueError, TypeError, OverflowError, decimal.InvalidOperation, binascii.Error):
        pass
    raise SerializationError(
        f"Can't convert type. sourceType: {_json_type(value)}, requiredType: {sql}, "
        f"path: {where}")


def _integer(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, (float, decimal.Decimal)):
        return int(value)
    if isinstance(value, str):
        return int(decimal.Decimal(value.strip()))
    raise ValueError


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "BooleanNode"
    if isinstance(value, int):
        return "IntNode" if -(2**31) <= value < 2**31 else "LongNode"
    if isinstance(value, (float, decimal.Decimal)):
        return "DecimalNode"
    if isinstance(value, str):
        return "TextNode"
    if isinstance(value, list):
        return "ArrayNode"
    return "ObjectNode"


class JsonCodec:
    """Rows of `columns` in ksqlDB's JSON format (JSON_SR when `schema_id` is set)."""

    def __init__(self, columns: Sequence[Column], unwrap: bool = False,
                 schema_id: int | None = None, schema: JsonSchema | None = None) -> None:
        if unwrap and len(columns) != 1:
            raise SerializationError("Only a single column can be unwrapped")
        self.columns = list(columns)
        self.unwrap = unwrap
        self.schema_id = schema_id
        self.schema = schema

    def encode(self, row: dict[str, Any] | None) -> bytes | None:
        if row is None:
            return None
        if self.unwrap:
            col = self.columns[0]
            value = to_json_value(col.type, _get(row, col.name))
        else:
            value = {c.name: to_json_value(c.type, _get(row, c.name)) for c in self.columns}
        text = dumps(value)
        if self.schema is not None:
            self._validate(json.loads(text, parse_float=decimal.Decimal))
        payload = text.encode("utf-8")
        return frame(self.schema_id, payload) if self.schema_id is not None else payload

    def _validate(self, document: Any) -> None:
        assert self.schema is not None
        error = next(iter(self.schema.validator.iter_errors(_as_float(document))), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path)
            raise SerializationError(f"JSON does not match its schema at #/{where}: "
                                     f"{error.message}")

    def decode(self, data: bytes | None) -> dict[str, Any] | None:
        if data is None:
            return None
        if self.schema_id is not None or (data[:1] == b"\x00" and len(data) > 5):
            _, data = unframe(data)
        try:
            document = json.loads(data, parse_float=decimal.Decimal)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise SerializationError(f"Failed to deserialize JSON: {exc}") from None
        if document is None:
            return None
        if self.unwrap:
            col = self.columns[0]
            return {col.name: from_json_value(col.type, document)}
        if not isinstance(document, dict):
            raise SerializationError(
                f"Can't convert type. sourceType: {_json_type(document)}, requiredType: "
                f"STRUCT<{', '.join(f'`{c.name}` {c.type}' for c in self.columns)}>")
        return {c.name: from_json_value(c.type, _get(document, c.name), f"/{c.name}")
                for c in self.columns}


def _as_float(value: Any) -> Any:
    """Decimals → floats so `jsonschema` sees JSON numbers."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: _as_float(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_float(v) for v in value]
    return value
