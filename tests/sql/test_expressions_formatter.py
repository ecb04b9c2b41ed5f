"""Expressions printed the way ksqlDB's ExpressionFormatter prints them (error messages,
GROUP BY matching and column names depend on this text)."""

from __future__ import annotations

import pytest

from tote.sql import parse_expression
from tote.sql.expressions import format_expression


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("a + b * 2", "(A + (B * 2))"),
        ("f1 * SUM(f2)", "(F1 * SUM(F2))"),
        ("COUNT(*)", "COUNT(*)"),
        ("substring(source, 0, 1)", "SUBSTRING(SOURCE, 0, 1)"),
        ("s.col", "S.COL"),
        ("`lower` = 'it''s'", "(`lower` = 'it''s')"),
        ("x->y->`z`", "X->Y->`z`"),
        ("arr[1]", "ARR[1]"),
        ("a IS NOT DISTINCT FROM b", "(A IS NOT DISTINCT FROM B)"),
        ("a NOT BETWEEN 1 AND 2", "(NOT (A BETWEEN 1 AND 2))"),
        ("a IN (1, 2)", "(A IN (1, 2))"),
        ("a LIKE 'x!%' ESCAPE '!'", "(A LIKE 'x!%' ESCAPE '!')"),
        ("a IS NULL AND NOT b", "((A IS NULL) AND (NOT B))"),
        ("CAST(a AS DECIMAL(4, 2))", "CAST(A AS DECIMAL(4, 2))"),
        ("CASE WHEN a THEN 1 ELSE 2 END", "(CASE WHEN A THEN 1 ELSE 2 END)"),
        ("CASE a WHEN 1 THEN 'x' END", "(CASE A WHEN 1 THEN 'x' END)"),
        ("ARRAY[1, 2]", "ARRAY[1, 2]"),
        ("MAP('a' := 1)", "MAP('a':=1)"),
        ("STRUCT(x := 1)", "STRUCT(X:=1)"),
        ("TRANSFORM(arr, x => x + 1)", "TRANSFORM(ARR, (X) => (X + 1))"),
        ("- -1", "- -1"),
        ("1.50", "1.50"),
        ("1.5E3", "1.5E3"),
        ("NULL", "null"),
        ("true", "true"),
    ],
)
def test_format(sql: str, expected: str) -> None:
    assert format_expression(parse_expression(sql)) == expected
