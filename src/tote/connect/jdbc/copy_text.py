"""Rows → PostgreSQL COPY text, with a function generated once per column list.

psycopg's `Copy.write_row` looks up a dumper for every value of every row. When the
rows come from the Avro row decoder, each column's Python type is known from its Connect
schema, so the conversion can be chosen once: the column list becomes one generated
list comprehension (an f-string per row) and the whole chunk is sent with one
`Copy.write`. Columns of a type not listed here (arrays, maps, structs) are not
compiled; the caller then uses `write_row`.

COPY text format (PostgreSQL docs, COPY "Text Format"): columns separated by a tab,
rows ended by a newline, NULL written `\\N`, and backslash, tab, newline and carriage
return escaped with a backslash. Values are written as psycopg's text dumpers write
them: `t`/`f`, `str()` of ints, floats (`inf`, `nan` included), decimals, dates and
times, `\\x` hex for bytea, and timestamps after the dialect's binder (the database's
time zone, without tzinfo).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tote.connect.data import DATE, DECIMAL, TIME, TIMESTAMP, Schema, Type

Formatter = Callable[[Sequence[tuple[Any, ...]]], str]
Binder = Callable[[Any], Any]
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_PLAIN = frozenset({Type.INT8, Type.INT16, Type.INT32, Type.INT64, Type.FLOAT32,
                    Type.FLOAT64})
_AS_STR = frozenset({DECIMAL, DATE, TIME})


def _expression(schema: Schema, var: str, binder: str | None) -> str | None:
    """The f-string expression writing a non-null value of this schema, or None."""
    value = f"{binder}({var})" if binder is not None else var
    if schema.name in _AS_STR or schema.name == TIMESTAMP:
        return value  # str(): Decimal digits, ISO date / time / datetime with a space
    if schema.name is not None and schema.name.startswith("org.apache.kafka.connect.data."):
        return None
    if schema.type in _PLAIN:
        return value
    if schema.type is Type.BOOLEAN:
        return f"('t' if {value} else 'f')"
    if schema.type is Type.STRING:
        return f"{value}.translate(_ESCAPES)"
    if schema.type is Type.BYTES:
        return f"_BYTEA + {value}.hex()"
    return None


def compile_formatter(schemas: Sequence[Schema], binders: Sequence[Binder | None]
                      ) -> Formatter | None:
    """The COPY text writer for rows of these column schemas (values already of the
    schema's Python types; `binders` applied to non-null values), or None."""
    if not schemas or len(schemas) != len(binders):
        return None
    env: dict[str, Any] = {"_ESCAPES": _ESCAPES, "_N": "\\N", "_BYTEA": "\\\\x"}
    parts, names = [], []
    for index, (schema, binder) in enumerate(zip(schemas, binders, strict=True)):
        var = f"v{index}"
        bind_name = None
        if binder is not None:
            bind_name = f"_bind{index}"
            env[bind_name] = binder
        expression = _expression(schema, var, bind_name)
        if expression is None:
            return None
        parts.append(f"{{(_N if {var} is None else {expression})}}")
        names.append(var)
    row = "\\t".join(parts) + "\\n"
    source = (f"def format_rows(rows):\n"
              f"    return ''.join([f\"{row}\" for ({', '.join(names)},) in rows])\n")
    namespace = dict(env)
    exec(compile(source, "<copy text>", "exec"), namespace)
    formatter: Formatter = namespace["format_rows"]
    return formatter
