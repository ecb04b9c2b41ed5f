"""COPY text built in bulk stores exactly what psycopg's `write_row` stores, in a real
PostgreSQL: nulls, escapes, decimals, floats, bytes, dates, times, timestamps."""

from __future__ import annotations

import datetime
import decimal
import math
import zoneinfo
from typing import Any

import psycopg
import pytest
from tests.connect.databases import PostgresDatabase

from tote.connect.data import (
    DATE,
    TIME,
    TIMESTAMP,
    Schema,
    Type,
    decimal_schema,
    logical_schema,
    primitive,
)
from tote.connect.jdbc.copy_text import compile_formatter
from tote.connect.jdbc.dialect import ColumnSpec, TableId
from tote.connect.jdbc.dialect_postgres import PostgresDialect

UTC = datetime.UTC
COLUMNS: list[tuple[str, Schema]] = [
    ("i16", primitive(Type.INT16, optional=True)),
    ("i32", primitive(Type.INT32, optional=True)),
    ("i64", primitive(Type.INT64, optional=True)),
    ("f32", primitive(Type.FLOAT32, optional=True)),
    ("f64", primitive(Type.FLOAT64, optional=True)),
    ("flag", primitive(Type.BOOLEAN, optional=True)),
    ("text", primitive(Type.STRING, optional=True)),
    ("raw", primitive(Type.BYTES, optional=True)),
    ("amount", decimal_schema(3, optional=True)),
    ("day", logical_schema(DATE, optional=True)),
    ("at", logical_schema(TIME, optional=True)),
    ("ts", logical_schema(TIMESTAMP, optional=True)),
]
SPECS = [ColumnSpec(name, schema, False) for name, schema in COLUMNS]
STRINGS = ["tab\there", "line\nbreak", "back\\slash", "carriage\rreturn", "\\N", "\\.", "",
           "héllo ✓ 𝄞", "end\\", "\t\n\\\r"]
FLOATS = [0.1, -0.0, 1e300, -2.5e-300, math.inf, -math.inf, math.nan, 3.0]
FLOATS32 = [0.10000000149011612, -0.0, 3.4028234663852886e38, math.inf, -math.inf, math.nan]


def _rows() -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = [tuple([None] * len(COLUMNS))]
    for index, text in enumerate(STRINGS):
        f = FLOATS[index % len(FLOATS)]
        rows.append((
            [-32768, 32767, 0][index % 3], -(2**31) + index, 2**63 - 1 - index,
            FLOATS32[index % len(FLOATS32)], f, index % 2 == 0, text,
            bytes([0, 255, 92, index]) if index % 3 else b"",
            [decimal.Decimal("-12.345"), decimal.Decimal("0.000"),
             decimal.Decimal("123456789.123")][index % 3],
            [datetime.date(1, 1, 1), datetime.date(9999, 12, 31),
             datetime.date(2024, 2, 29)][index % 3],
            [datetime.time(0), datetime.time(23, 59, 59, 999999),
             datetime.time(12, 30, 0, 1000)][index % 3],
            [datetime.datetime(2024, 3, 31, 0, 30, tzinfo=UTC),
             datetime.datetime(1970, 1, 1, tzinfo=UTC),
             datetime.datetime(2024, 10, 27, 1, 15, 0, 123456, tzinfo=UTC)][index % 3],
        ))
    return rows


def _comparable(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return [tuple(repr(v) if isinstance(v, float) else v for v in row) for row in rows]


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "America/Sao_Paulo"])
def test_bulk_copy_text_stores_what_write_row_stores(pg: PostgresDatabase, zone: str) -> None:
    dialect = PostgresDialect(True, zoneinfo.ZoneInfo(zone))
    bulk, by_row = TableId("bulk"), TableId("by_row")
    rows = _rows()
    binders = [dialect.binder(spec.schema) for spec in SPECS]
    bound = [tuple(v if b is None or v is None else b(v) for b, v in zip(binders, row,
                                                                          strict=True))
             for row in rows]
    with psycopg.connect(pg.dsn) as conn, conn.cursor() as cursor:
        for table in (bulk, by_row):
            for statement in dialect.create_table_sql(table, SPECS):
                cursor.execute(statement)
        dialect.insert_rows(cursor, bulk, SPECS, rows)
        dialect.bulk_insert(cursor, by_row, [s.name for s in SPECS], bound)
    names = ", ".join(f'"{name}"' for name, _ in COLUMNS)
    stored = pg.rows(f'SELECT {names} FROM "bulk" ORDER BY "i32" NULLS FIRST')
    expected = pg.rows(f'SELECT {names} FROM "by_row" ORDER BY "i32" NULLS FIRST')
    assert _comparable(stored) == _comparable(expected)
    assert stored[0] == tuple([None] * len(COLUMNS))
    assert [row[6] for row in stored[1:]] == STRINGS
    assert [row[8] for row in stored[1:4]] == [decimal.Decimal("-12.345"),
                                             decimal.Decimal("0.000"),
                                             decimal.Decimal("123456789.123")]
    local = datetime.datetime(2024, 3, 31, 0, 30, tzinfo=UTC).astimezone(
        zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    assert stored[1][11] == local


def test_columns_it_cannot_write_are_left_to_write_row() -> None:
    array = Schema(Type.ARRAY, value_schema=primitive(Type.INT32))
    assert compile_formatter([primitive(Type.INT32), array], [None, None]) is None
    assert compile_formatter([], []) is None
    formatter = compile_formatter([primitive(Type.INT32), primitive(Type.STRING)], [None, None])
    assert formatter is not None
    assert formatter([(1, "a\tb"), (None, None)]) == "1\ta\\tb\n\\N\t\\N\n"
