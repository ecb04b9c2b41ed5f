"""ksqlDB's DELIMITED format: one CSV line per key or value, columns in schema order.

Quoting matches Apache Commons CSV's minimal mode (what ksqlDB uses): a field is quoted
when it holds the delimiter, a quote, CR or LF, starts with a character up to '#', ends
in whitespace, or is the first field and empty or not starting with an ASCII letter or
digit (so a leading `-1` is written `"-1"`). Null is an empty field; numbers print like
Java (DOUBLE `0.0`, DECIMAL at full scale).
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime
import decimal
import io
from collections.abc import Sequence
from typing import Any

from tote.core import bases
from tote.core.types import Base, Column, SqlType
from tote.serde import sql_values as sv
from tote.serde.errors import InvalidSchema, SerializationError

_NAMED_DELIMITERS = {"TAB": "\t", "SPACE": " "}


def parse_delimiter(text: str | None) -> str:
    """VALUE_DELIMITER / KEY_DELIMITER: one visible character, or TAB / SPACE (upper case,
    as ksqlDB names them); blank text is refused with a hint at those two names."""
    if text is None:
        return ","
    example = "\nExample valid value: ';'"
    if not text.strip("".join(map(chr, range(33)))):
        raise InvalidSchema(
            "Delimiter cannot be empty, if you meant to have a tab or space for delimiter, "
            "please use the special values 'TAB' or 'SPACE'" + example)
    if len(text) == 1:
        return text
    if text in _NAMED_DELIMITERS:
        return _NAMED_DELIMITERS[text]
    raise InvalidSchema(
        f"Invalid delimiter value: '{text}'. Delimiter must be a single character or "
        + ",".join(_NAMED_DELIMITERS) + example)


def _text(sql: SqlType, value: Any) -> str | None:
    if value is None:
        return None
    base = sql.base
    if base is bases.BOOLEAN:
        return "true" if value else "false"
    if base is bases.DOUBLE:
        return sv.java_double(float(value))
    if base is bases.DECIMAL:
        return sv.decimal_text(sv.to_decimal(value, sql))
    if base is bases.BYTES:
        return base64.b64encode(value).decode("ascii")
    if base is bases.DATE and isinstance(value, datetime.date):
        return str(sv.date_to_days(value))
    if base is bases.TIME and isinstance(value, datetime.time):
        return str(sv.time_to_millis(value))
    if base is bases.TIMESTAMP and isinstance(value, datetime.datetime):
        return str(sv.timestamp_to_millis(value))
    if base in (bases.ARRAY, bases.MAP, bases.STRUCT):
        raise SerializationError(f"The 'DELIMITED' format does not support type '{base.value}'")
    return str(value)


def _quote(field: str | None, first: bool, delimiter: str) -> str:
    if field is None:
        return ""
    if not field:
        return '""' if first else ""
    lead = field[0]
    needs = (first and not (lead.isascii() and lead.isalnum())) or lead <= "#" \
        or field[-1] <= " " or any(c in field for c in ("\n", "\r", '"', delimiter))
    return '"' + field.replace('"', '""') + '"' if needs else field


class DelimitedCodec:
    """Rows of primitive `columns` as delimited text."""

    def __init__(self, columns: Sequence[Column], delimiter: str = ",") -> None:
        for col in columns:
            if col.type.base in (Base.ARRAY, Base.MAP, Base.STRUCT):
                raise InvalidSchema(
                    f"The 'DELIMITED' format does not support type '{col.type.base.value}', "
                    f"column: `{col.name}`")
        self.columns = list(columns)
        self.delimiter = parse_delimiter(delimiter)

    def encode(self, row: dict[str, Any] | None) -> bytes | None:
        if row is None:
            return None
        fields = [_quote(_text(c.type, row.get(c.name)), i == 0, self.delimiter)
                  for i, c in enumerate(self.columns)]
        return self.delimiter.join(fields).encode("utf-8")

    def decode(self, data: bytes | None) -> dict[str, Any] | None:
        if data is None:
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SerializationError(f"Invalid UTF-8 in DELIMITED value: {exc}") from None
        try:
            records = list(csv.reader(io.StringIO(text), delimiter=self.delimiter,
                                      quotechar='"', strict=True))
        except csv.Error as exc:
            raise SerializationError(f"Failed to parse delimited value: {exc}") from None
        fields = records[0] if records else [""]
        if len(records) > 1 or len(fields) != len(self.columns):
            got = sum(len(r) for r in records) if records else 1
            raise SerializationError(
                f"Column count mismatch on deserialization. expected: {len(self.columns)}, "
                f"got: {got}")
        return {c.name: _parse(c.type, f) for c, f in zip(self.columns, fields, strict=True)}


def _parse(sql: SqlType, text: str) -> Any:
    if text == "":
        return None
    base = sql.base
    try:
        if base is bases.STRING:
            return text
        if base is bases.BOOLEAN:
            return text.strip().lower() == "true"
        if base in (bases.INTEGER, bases.BIGINT):
            return int(text.strip())
        if base is bases.DOUBLE:
            return float(text.strip())
        if base is bases.DECIMAL:
            return sv.to_decimal(text, sql)
        if base is bases.BYTES:
            return base64.b64decode(text, validate=True)
        if base is bases.DATE:
            return sv.days_to_date(int(text))
        if base is bases.TIME:
            return sv.millis_to_time(int(text))
        if base is bases.TIMESTAMP:
            return sv.millis_to_timestamp(int(text))
    except (ValueError, decimal.InvalidOperation, binascii.Error):
        pass
    raise SerializationError(f"Failed to parse '{text}' as {sql}")
