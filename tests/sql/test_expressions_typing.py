"""Type checking: result types and ksqlDB's error messages, located at line and column."""

from __future__ import annotations

import pytest
from tests.sql.exprkit import FUNCTIONS, scope_of, typed

from tote.core import types as t
from tote.core.errors import SqlError
from tote.sql import parse_expression
from tote.sql.expressions import Binding, Scope, type_of

COLS = [
    ("A", t.INTEGER),
    ("B", t.array(t.INTEGER)),
    ("C", t.map_of(t.STRING, t.INTEGER)),
    ("S", t.struct(("ID", t.INTEGER), ("NAME", t.STRING))),
    ("F", t.STRING),
]


def error_of(sql: str, scope: Scope | None = None) -> SqlError:
    with pytest.raises(SqlError) as caught:
        type_of(parse_expression(sql), scope or scope_of(COLS), FUNCTIONS)
    return caught.value


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("1", "INTEGER"),
        ("3000000000", "BIGINT"),
        ("1.5E3", "DOUBLE"),
        ("'x'", "STRING"),
        ("true", "BOOLEAN"),
        ("B[1]", "INTEGER"),
        ("C['k']", "INTEGER"),
        ("S->NAME", "STRING"),
        ("ARRAY[1, 2]", "ARRAY<INTEGER>"),
        ("ARRAY[1, 3000000000]", "ARRAY<BIGINT>"),
        ("ARRAY[NULL, 'a']", "ARRAY<STRING>"),
        ("MAP('a' := 1.5)", "MAP<STRING, DECIMAL(2, 1)>"),
        ("STRUCT(X := A, Y := F)", "STRUCT<`X` INTEGER, `Y` STRING>"),
        ("CASE WHEN A > 1 THEN 1 ELSE 2 END", "INTEGER"),
        ("CASE WHEN A > 1 THEN 1 ELSE 20000000000 END", "BIGINT"),
        ("COUNT(*)", "BIGINT"),
        ("SUM(A)", "INTEGER"),
        ("AVG(A)", "DOUBLE"),
        ("TOPK(A, 3)", "ARRAY<INTEGER>"),
        ("LATEST_BY_OFFSET(F, 2, false)", "ARRAY<STRING>"),
        ("EXPLODE(B)", "INTEGER"),
        ("TRANSFORM(B, x => CAST(x AS STRING))", "ARRAY<STRING>"),
        ("COALESCE(A, 2)", "INTEGER"),
        ("A IN (1, 2)", "BOOLEAN"),
    ],
)
def test_types(sql: str, expected: str) -> None:
    assert str(typed(sql, COLS)) == expected


@pytest.mark.parametrize(
    ("sql", "message", "column"),
    [
        ("BOB + 1", "Line: 1, Col: 1: SELECT column 'BOB' cannot be resolved.", 1),
        ("1 + X.A", "Line: 1, Col: 5: SELECT column 'X.A' cannot be resolved.", 5),
        ("WONT_FIND_ME(A)", "Can't find any functions with the name 'WONT_FIND_ME'", 1),
        ("B < B", "Cannot compare B (ARRAY<INTEGER>) to B (ARRAY<INTEGER>) with LESS_THAN.", 1),
        (
            "S > S",
            "Cannot compare S (STRUCT<`ID` INTEGER, `NAME` STRING>) to "
            "S (STRUCT<`ID` INTEGER, `NAME` STRING>) with GREATER_THAN.",
            1,
        ),
        ("A = 'x'", "Cannot compare A (INTEGER) to 'x' (STRING) with EQUAL.", 1),
        (
            "NULL <> NULL",
            "Comparison with NULL not supported: NULL <> NULL\n"
            "Use 'IS NULL' or 'IS NOT NULL' instead.",
            1,
        ),
        (
            "A + F",
            "Error processing expression: (A + F). Unsupported arithmetic types. INTEGER STRING",
            1,
        ),
        ("S->NOPE", "Could not find field 'NOPE' in 'S'.", 1),
        (
            "S['ID']",
            "Subscript expression (S['ID']) do not apply to STRUCT<`ID` INTEGER, `NAME` STRING>. "
            "Use the dereference operator for STRUCTS: S->'ID'",
            1,
        ),
        (
            "ARRAY[]",
            "Array constructor cannot be empty. Please supply at least one element "
            "(see https://github.com/confluentinc/ksql/issues/4239).",
            1,
        ),
        (
            "ARRAY[NULL]",
            "Cannot construct an array with all NULL elements "
            "(see https://github.com/confluentinc/ksql/issues/4239). As a workaround, you may "
            "cast a NULL value to the desired type.",
            1,
        ),
        ("ARRAY[1, 'x']", 'invalid input syntax for type INTEGER: "x".', 10),
        (
            "ARRAY[1, true]",
            "operator does not exist: INTEGER = BOOLEAN (true)\n"
            "Hint: You might need to add explicit type casts.",
            10,
        ),
        (
            "CASE WHEN A THEN 1 END",
            "WHEN operand type should be boolean.\nType for 'A' is INTEGER",
            11,
        ),
        (
            "NULL",
            "Can't infer a type of null. Please explicitly cast it to a required type, "
            "e.g. CAST(null AS VARCHAR).",
            1,
        ),
        ("SUM(A, 2)", "Function 'SUM' does not accept parameters (INTEGER, INTEGER).", 1),
        (
            "TOPK(A, A + 1)",
            "Parameter 2 passed to function TOPK must be a literal constant, "
            "but was expression: '(A + 1)'",
            9,
        ),
    ],
)
def test_errors(sql: str, message: str, column: int) -> None:
    error = error_of(sql)
    assert error.message == message
    assert (error.line, error.column) == (1, column)


def test_no_matching_function_lists_the_alternatives() -> None:
    error = error_of("SUBSTRING(A)")
    assert error.message == (
        "Function 'substring' does not accept parameters (INTEGER).\n"
        "Valid alternatives are:\n"
        "SUBSTRING(VARCHAR str, INT pos)\n"
        "SUBSTRING(VARCHAR str, INT pos, INT length)\n"
        "SUBSTRING(BYTES str, INT pos)\n"
        "SUBSTRING(BYTES str, INT pos, INT length)\n"
        "For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"
    )
    assert error_of("COALESCE()").message.startswith(
        "Function 'COALESCE' does not accept parameters ()."
    )


def test_where_clause_and_ambiguous_columns() -> None:
    scope = Scope(
        [Binding("ID", "L", t.INTEGER, 0), Binding("ID", "R", t.INTEGER, 1)], clause="WHERE"
    )
    assert error_of("ABS(BOB) < 10", scope).message == (
        "Line: 1, Col: 5: WHERE column 'BOB' cannot be resolved."
    )
    assert error_of("ID + 1", scope).message == (
        "Line: 1, Col: 1: Column 'ID' is ambiguous. Could be L.ID or R.ID."
    )
    assert str(type_of(parse_expression("R.ID"), scope, FUNCTIONS)) == "INTEGER"


def test_error_position_on_a_later_line() -> None:
    error = error_of("A +\n  NOPE")
    assert (error.line, error.column) == (2, 3)
    assert error.highlight() == "" or error.span is not None
