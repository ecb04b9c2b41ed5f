"""ksqlDB's own QTT cases as the oracle for expression semantics (DESIGN §6).

Reads the DEV QTT files at test time (never copied) and runs every case that is a single
projection/filter over one stream through the expression compiler: the SELECT values of each
input row must equal the expected output values, in order. Cases that need more than the
expression layer (joins, aggregation, formats, keys) are left to the engine's QTT runner.
"""

from __future__ import annotations

import base64
import datetime
import json
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tests.sql.exprkit import FUNCTIONS

from tote.core.types import Base, SqlType
from tote.serde.sql_values import (
    date_to_days,
    days_to_date,
    millis_to_time,
    millis_to_timestamp,
    time_to_millis,
    timestamp_to_millis,
)
from tote.sql import parse
from tote.sql.ast.expressions import ColumnRef
from tote.sql.ast.queries import AliasedRelation, SingleColumn
from tote.sql.ast.statements import ColumnConstraint, CreateStream, CreateStreamAsSelect
from tote.sql.expressions import Binding, Scope, compile_predicate, compile_projection

QTT = Path(__file__).resolve().parents[2].parent / "shared" / "qtt" / "dev"
FILES = [
    "operators.json",
    "binary-comparison.json",
    "decimal.json",
    "cast.json",
    "null.json",
    "where.json",
    "project-filter.json",
    "as_value.json",
]
FORMATS = {"JSON", "AVRO", "JSON_SR", "PROTOBUF"}


def _cases() -> list[Any]:
    found = []
    for name in FILES:
        path = QTT / name
        if not path.exists():
            continue
        for case in json.loads(path.read_text(), parse_float=Decimal)["tests"]:
            if "expectedException" in case or "format" in case or case.get("enabled") is False:
                continue
            found.append(pytest.param(case, id=f"{name[:-5]} - {case['name']}"))
    return found


def _value(raw: Any, sql: SqlType) -> Any:
    if raw is None:
        return None
    base = sql.base
    if base is Base.DECIMAL:
        return Decimal(str(raw)).quantize(Decimal(1).scaleb(-(sql.scale or 0)))
    if base is Base.DOUBLE:
        return float(raw)
    if base in (Base.INTEGER, Base.BIGINT):
        return int(raw)
    if base is Base.TIMESTAMP:
        return millis_to_timestamp(int(raw))
    if base is Base.DATE:
        return days_to_date(int(raw))
    if base is Base.TIME:
        return millis_to_time(int(raw))
    if base is Base.BYTES:
        return base64.b64decode(raw)
    if base is Base.STRING and not isinstance(raw, str):
        return json.dumps(raw)  # the JSON serde reads any scalar as text
    if base is Base.ARRAY:
        assert sql.element is not None
        return [_value(v, sql.element) for v in raw]
    if base is Base.MAP:
        assert sql.value is not None
        return {k: _value(v, sql.value) for k, v in raw.items()}
    if base is Base.STRUCT:
        lowered = {k.upper(): v for k, v in raw.items()}
        return {
            f.name: _value(raw.get(f.name, lowered.get(f.name.upper())), f.type) for f in sql.fields
        }
    return raw


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(actual, datetime.datetime):
        actual = timestamp_to_millis(actual)
    elif isinstance(actual, datetime.date):
        actual = date_to_days(actual)
    elif isinstance(actual, datetime.time):
        actual = time_to_millis(actual)
    if isinstance(actual, Decimal):
        wanted = Decimal(str(expected)) if expected is not None else None
        return (
            wanted is not None
            and wanted == actual
            and (
                not isinstance(expected, (Decimal, str))
                or wanted.as_tuple().exponent == actual.as_tuple().exponent
            )
        )
    if isinstance(actual, float):
        return expected is not None and math.isclose(float(expected), actual, abs_tol=1e-6)
    if isinstance(actual, list):
        return (
            isinstance(expected, list)
            and len(expected) == len(actual)
            and all(_same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    if isinstance(actual, dict):
        return (
            isinstance(expected, dict)
            and len(expected) == len(actual)
            and all(_same(expected.get(k, expected.get(k.upper())), v) for k, v in actual.items())
        )
    return bool(expected == actual) and type(expected) is type(actual)


def _prepared(case: dict[str, Any]) -> tuple[Any, ...] | None:
    statements = parse("\n".join(case["statements"]))
    if len(statements) != 2:
        return None
    source, query = statements
    if not isinstance(source, CreateStream) or not isinstance(query, CreateStreamAsSelect):
        return None
    fmt = source.properties.get("VALUE_FORMAT") or source.properties.get("FORMAT")
    q = query.query
    if (
        fmt is None
        or str(getattr(fmt, "value", "")).upper() not in FORMATS
        or not isinstance(q.from_, AliasedRelation)
        or q.group_by
        or q.partition_by
        or q.window
        or not all(isinstance(i, SingleColumn) for i in q.select)
    ):
        return None
    columns = [
        (e.name, e.type.resolve(lambda n: None), e.constraint is not ColumnConstraint.NONE)
        for e in source.elements
    ]
    return source, q, columns


def query_topic(case: dict[str, Any]) -> str:
    topics = {o["topic"] for o in case.get("outputs", [])}
    return next(iter(topics)) if len(topics) == 1 else "OUTPUT"


def _in_scope(case: dict[str, Any]) -> bool:
    """Cases this layer can check alone: one projection/filter over one stream, with
    structured output values. The whole QTT runner covers the rest (test_qtt_conformance)."""
    expected = [o["value"] for o in case.get("outputs", []) if o["topic"] == query_topic(case)]
    return _prepared(case) is not None and all(isinstance(v, dict) for v in expected)


CASES = [param for param in _cases() if _in_scope(param.values[0])]


@pytest.mark.skipif(not CASES, reason="QTT files are not present")
@pytest.mark.parametrize("case", CASES)
def test_qtt_projection(case: dict[str, Any]) -> None:
    prepared = _prepared(case)
    assert prepared is not None
    source, query, columns = prepared
    keys = {name for name, _, is_key in columns if is_key}
    scope = Scope(
        [
            Binding(name, query.from_.alias or source.name, kind, i)
            for i, (name, kind, _) in enumerate(columns)
        ],
        clause="SELECT",
    )
    values = [
        i
        for i in query.select
        if not (isinstance(i.expression, ColumnRef) and i.expression.name in keys)
    ]
    projection = compile_projection([i.expression for i in values], scope, FUNCTIONS)
    where = compile_predicate(query.where, scope, FUNCTIONS) if query.where is not None else None
    produced = []
    for record in case.get("inputs", []):
        raw = record.get("value")
        if raw is None or not isinstance(raw, dict):
            continue
        upper = {k.upper(): v for k, v in raw.items()}
        row = [
            _value(record.get("key"), kind) if is_key else _value(upper.get(name.upper()), kind)
            for name, kind, is_key in columns
        ]
        if where is None or where.fn(row):
            produced.append(projection.fn(row))
    expected = [o["value"] for o in case.get("outputs", []) if o["topic"] == query_topic(case)]
    assert len(produced) == len(expected)
    for want, got in zip(expected, produced, strict=True):
        assert len(want) == len(got), (want, got)
        for e, a in zip(want.values(), got, strict=True):
            assert _same(e, a), (want, got)

