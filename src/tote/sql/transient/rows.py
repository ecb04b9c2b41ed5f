"""What a transient query hands to its client: rows of JSON-ready values.

Values follow ksqlDB's REST API: numbers stay numbers (DECIMAL at its scale, DOUBLE
printed like Java), BYTES as base64, DATE / TIME / TIMESTAMP as ISO text, STRUCTs as
objects. A table deletion is a row whose non-key columns are null, flagged `tombstone`.
"""

from __future__ import annotations

import base64
import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tote.core.types import Base, SqlType
from tote.serde import sql_values as sv
from tote.sql.runtime.records import Push, Rec
from tote.sql.transient.builder import OutputColumn


@dataclass(frozen=True, slots=True)
class Row:
    columns: tuple[Any, ...]
    tombstone: bool = False


def json_value(sql: SqlType, value: Any) -> Any:
    if value is None:
        return None
    base = sql.base
    if base is Base.DECIMAL:
        return sv.to_decimal(value, sql)
    if base is Base.BYTES:
        return base64.b64encode(value).decode("ascii")
    if base is Base.DATE and isinstance(value, datetime.date):
        return value.isoformat()
    if base is Base.TIME and isinstance(value, datetime.time):
        return value.isoformat(timespec="milliseconds")
    if base is Base.TIMESTAMP and isinstance(value, datetime.datetime):
        naive = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return naive.isoformat(timespec="milliseconds")
    if base is Base.ARRAY and sql.element is not None:
        return [json_value(sql.element, v) for v in value]
    if base is Base.MAP and sql.value is not None:
        return {str(k): json_value(sql.value, v) for k, v in value.items()}
    if base is Base.STRUCT:
        return {f.name: json_value(f.type, value.get(f.name)) for f in sql.fields}
    return value


def row_converter(columns: Sequence[OutputColumn]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    types = [c.type for c in columns]
    plain = all(t.base in (Base.BOOLEAN, Base.INTEGER, Base.BIGINT, Base.DOUBLE, Base.STRING)
                for t in types)
    if plain:
        return tuple

    def convert(values: Sequence[Any]) -> tuple[Any, ...]:
        return tuple(json_value(t, v) for t, v in zip(types, values, strict=True))

    return convert


def collector(columns: Sequence[OutputColumn], is_table: bool,
              out: Callable[[Row], None]) -> Push:
    """The operator ending a transient plan: projected records in, client rows out.

    Stream records without a value are dropped (ksqlDB's push queries skip them); a
    table row that disappears becomes a tombstone carrying what the key still tells.
    """
    convert = row_converter(columns)
    from_key = [(c.key_index, c.bound) for c in columns]

    def tombstone(rec: Rec) -> Row:
        key, window = rec[0], rec[4]
        values: list[Any] = []
        for (key_index, bound), col in zip(from_key, columns, strict=True):
            if bound is not None and window is not None:
                values.append(window[bound])
            elif key_index is not None and key_index < len(key):
                values.append(json_value(col.type, key[key_index]))
            else:
                values.append(None)
        return Row(tuple(values), True)

    def collect(rec: Rec) -> None:
        row = rec[1]
        if row is not None:
            out(Row(convert(row)))
        elif is_table:
            out(tombstone(rec))

    return collect
