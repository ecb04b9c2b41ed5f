"""The compiled form: one generated function per query, NULL/error handling per expression,
structure access and constructors, lambdas, and constant evaluation for INSERT VALUES."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from tests.sql.exprkit import FUNCTIONS, evaluate, scope_of

from tote.core import types as t
from tote.core.errors import SqlError
from tote.sql import parse_expression
from tote.sql.expressions import (
    Compiled,
    ExpressionError,
    compile_predicate,
    compile_projection,
    compile_value,
    evaluate_constant,
)
from tote.sql.expressions.compiler import Around

COLS = [
    ("ARR", t.array(t.INTEGER)),
    ("NESTED", t.array(t.array(t.INTEGER))),
    ("M", t.map_of(t.STRING, t.INTEGER)),
    (
        "S",
        t.struct(
            ("PERSON", t.struct(("NAME", t.STRING))),
        ),
    ),
    ("N", t.INTEGER),
]
ROW = ([10, 20, 30], [[1, 2]], {"expected": 1}, {"PERSON": {"NAME": "bob"}}, 0)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("ARR[1]", 10),
        ("ARR[3]", 30),
        ("ARR[-1]", 30),
        ("ARR[-3]", 10),
        ("ARR[0]", None),
        ("ARR[4]", None),
        ("ARR[-4]", None),
        ("NESTED[1][2]", 2),
        ("NESTED[2][1]", None),
        ("IFNULL(NESTED[2][1], -1)", -1),
        ("M['expected']", 1),
        ("M['missing']", None),
        ("IFNULL(M['missing'], -1)", -1),
        ("S->PERSON->NAME", "bob"),
        ("ARRAY[N, 2]", [0, 2]),
        ("MAP('a' := N, 'b' := NULL)", {"a": 0, "b": None}),
        ("STRUCT(A := N, B := 'x')", {"A": 0, "B": "x"}),
        ("TRANSFORM(ARR, x => x + N + 1)", [11, 21, 31]),
        ("FILTER(ARR, x => x > 15)", [20, 30]),
        ("REDUCE(ARR, 0, (s, x) => s + x)", 60),
        ("TRANSFORM(ARR, x => TRANSFORM(ARRAY[x], y => y * x))", [[100], [400], [900]]),
        ("TRANSFORM(M, (k, v) => UCASE(k), (k, v) => v * 10)", {"EXPECTED": 10}),
        ("FILTER(M, (k, v) => v > 5)", {}),
        ("REDUCE(M, '', (s, k, v) => s + k)", "expected"),
    ],
)
def test_structures_and_lambdas(sql: str, expected: object) -> None:
    assert evaluate(sql, COLS, ROW) == expected


def test_null_structures_give_null() -> None:
    nulls = (None, None, None, None, None)
    assert evaluate("ARR[1]", COLS, nulls) is None
    assert evaluate("S->PERSON->NAME", COLS, nulls) is None
    assert evaluate("M['expected']", COLS, nulls) is None
    assert evaluate("TRANSFORM(ARR, x => x + 1)", COLS, nulls) is None
    assert evaluate("S->PERSON->NAME", COLS, (None, None, None, {"PERSON": None}, None)) is None


def test_projection_is_one_generated_function() -> None:
    exprs = [parse_expression(x) for x in ("N", "N + 1", "UCASE('a')")]
    compiled = compile_projection(exprs, scope_of(COLS), FUNCTIONS)
    assert compiled.source.startswith("def project(row):\n")
    assert "row[4]" in compiled.source
    assert compiled.source.count("def ") == 1
    assert "return (v0, v1, v2)" in compiled.source
    assert [str(x) for x in compiled.types] == ["INTEGER", "INTEGER", "STRING"]
    assert compiled.fn((None, None, None, None, 41)) == (41, 42, "A")


def test_user_text_is_never_spliced_into_the_source() -> None:
    sneaky = "x'); import os; ('"
    exprs = [parse_expression("'" + sneaky.replace("'", "''") + "'"), parse_expression("M['\\n']")]
    compiled = compile_projection(exprs, scope_of(COLS), FUNCTIONS)
    assert "import os" not in compiled.source
    assert compiled.fn(ROW)[0] == sneaky


def test_each_failing_expression_is_null_and_reported_once() -> None:
    errors: list[ExpressionError] = []
    exprs = [parse_expression(x) for x in ("10 / N", "N + 1", "CAST('x' AS INT)")]
    compiled = compile_projection(exprs, scope_of(COLS), FUNCTIONS, on_error=errors.append)
    assert compiled.fn(ROW) == (None, 1, None)
    assert [(e.index, e.expression, e.message) for e in errors] == [
        (0, "(10 / N)", "/ by zero"),
        (2, "CAST('x' AS INTEGER)", 'For input string: "x"'),
    ]
    assert errors[0].row == ROW


def _around_parts(sql: list[str], errors: list[ExpressionError]) -> Compiled:
    """A projection after a head binding the row's two parts, not the row (`Around`)."""
    around = Around("joined", "rec", ["left, right = rec"], lambda row: [f"return {row}"],
                    row="left + right", columns=["left[0]", "right[0]"])
    return compile_projection([parse_expression(x) for x in sql],
                              scope_of([("A", t.INTEGER), ("B", t.STRING)]), FUNCTIONS,
                              on_error=errors.append, around=around)


def test_a_projection_reads_the_columns_of_a_row_its_head_never_builds() -> None:
    errors: list[ExpressionError] = []
    plain = _around_parts(["B", "10 / A"], errors)
    assert "row" not in plain.source
    assert plain.fn(((5,), ("x",))) == ("x", 2)
    assert plain.fn(((0,), ("y",))) == ("y", None)
    # ... but builds it to report an error,
    assert [(e.index, e.message, e.row) for e in errors] == [(1, "/ by zero", (0, "y"))]
    # ... and where an expression needs it whole (a failing cast is NULL in place).
    safe = _around_parts(["CAST(B AS INT)", "A"], errors)
    assert "row = left + right" in safe.source
    assert safe.fn(((1,), ("12",))) == (12, 1)
    assert safe.fn(((2,), ("z",))) == (None, 2)
    assert errors[-1].row == (2, "z")


def test_predicate_errors_and_nulls_are_false() -> None:
    errors: list[ExpressionError] = []
    compiled = compile_predicate(
        parse_expression("10 / N > 1"), scope_of(COLS), FUNCTIONS, on_error=errors.append
    )
    assert compiled.fn(ROW) is False
    assert len(errors) == 1
    assert (
        compile_predicate(parse_expression("N > 1"), scope_of(COLS), FUNCTIONS).fn((None,) * 5)
        is False
    )
    assert compile_predicate(parse_expression("N < 1"), scope_of(COLS), FUNCTIONS).fn(ROW) is True


def test_predicate_must_be_boolean() -> None:
    with pytest.raises(SqlError) as caught:
        compile_predicate(parse_expression("N + 1"), scope_of(COLS), FUNCTIONS)
    assert caught.value.message == (
        "Type error in WHERE expression: "
        "Should evaluate to boolean but is (N + 1) (INTEGER) instead."
    )


def test_compile_value() -> None:
    compiled = compile_value(parse_expression("ARR[2] * 2"), scope_of(COLS), FUNCTIONS)
    assert compiled.fn(ROW) == 40
    assert [str(x) for x in compiled.types] == ["INTEGER"]


def test_aggregate_calls_are_not_compiled_as_scalars() -> None:
    with pytest.raises(SqlError) as caught:
        compile_value(parse_expression("SUM(N)"), scope_of(COLS), FUNCTIONS)
    assert caught.value.message == "Aggregate function SUM cannot be used here: SUM(N)"


@pytest.mark.parametrize(
    ("sql", "target", "expected"),
    [
        ("1", t.BIGINT, 1),
        ("1", t.DOUBLE, 1.0),
        ("1.5", t.decimal(4, 2), Decimal("1.50")),
        ("-1", t.INTEGER, -1),
        ("'2020-05-26'", t.DATE, datetime.date(2020, 5, 26)),
        ("'10'", t.INTEGER, 10),
        ("ARRAY[1, 2]", t.array(t.BIGINT), [1, 2]),
        ("STRUCT(A := 1)", t.struct(("A", t.BIGINT), ("B", t.STRING)), {"A": 1, "B": None}),
        ("NULL", t.STRING, None),
        ("CONCAT('a', 'b')", t.STRING, "ab"),
        ("1 + 2", None, 3),
    ],
)
def test_evaluate_constant(sql: str, target: t.SqlType | None, expected: object) -> None:
    value = evaluate_constant(parse_expression(sql), FUNCTIONS, target)
    assert value == expected
    assert type(value) is type(expected)
    if isinstance(expected, Decimal):
        assert str(value) == str(expected)


def test_evaluate_constant_errors() -> None:
    with pytest.raises(SqlError) as caught:
        evaluate_constant(parse_expression("1 / 0"), FUNCTIONS)
    assert caught.value.message == "Failed to evaluate expression (1 / 0): / by zero"
    with pytest.raises(SqlError) as caught:
        evaluate_constant(parse_expression("true"), FUNCTIONS, t.INTEGER)
    assert caught.value.message == "Expected type INTEGER for true but got BOOLEAN"
    with pytest.raises(SqlError) as caught:
        evaluate_constant(parse_expression("COL"), FUNCTIONS, t.INTEGER)
    assert caught.value.message == "Line: 1, Col: 1: Column 'COL' cannot be resolved."


def test_long_or_chains_compile_flat_and_deep_nesting_is_an_error() -> None:
    scope = scope_of([("F", t.STRING), ("I", t.INTEGER)])
    chain = " OR ".join(f"F = 'v{i}'" for i in range(400))
    compiled = compile_predicate(parse_expression(chain), scope, FUNCTIONS)
    assert compiled.fn(("v399", 1)) is True
    assert compiled.fn(("other", 1)) is False
    nested = " + ".join(["I"] * 400)
    with pytest.raises(SqlError) as caught:
        compile_value(parse_expression(nested), scope, FUNCTIONS)
    assert caught.value.message == "Expression is too deeply nested to compile."
