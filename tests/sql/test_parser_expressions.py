"""Expressions: precedence, operators, literals, names, lambdas and types, as ksqlDB reads them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tote.core import types as t
from tote.core.errors import SqlError
from tote.sql import parse_expression, parse_type
from tote.sql.ast.expressions import (
    ArithmeticBinary,
    ArithmeticOp,
    ArithmeticUnary,
    Between,
    BooleanLiteral,
    Cast,
    ColumnRef,
    Comparison,
    ComparisonOp,
    CreateArray,
    CreateMap,
    CreateStruct,
    DecimalLiteral,
    Dereference,
    DoubleLiteral,
    Expression,
    FunctionCall,
    InList,
    IntegerLiteral,
    IntervalUnit,
    IsNotNull,
    IsNull,
    Lambda,
    LambdaVariable,
    Like,
    LogicalBinary,
    LogicalOp,
    LongLiteral,
    MapEntry,
    Not,
    NullLiteral,
    SearchedCase,
    Sign,
    SimpleCase,
    StringLiteral,
    StructFieldValue,
    Subscript,
    TimeUnit,
    WhenClause,
)
from tote.sql.ast.nodes import Node, Span, transform, walk
from tote.sql.ast.types import ArrayType, BuiltinType, CustomType, MapType, StructType
from tote.sql.ast.types import StructTypeField as TypeField

A, B, C, D = ColumnRef("A"), ColumnRef("B"), ColumnRef("C"), ColumnRef("D")


def i(value: int) -> IntegerLiteral:
    return IntegerLiteral(value)


def binary(op: ArithmeticOp, left: Expression, right: Expression) -> ArithmeticBinary:
    return ArithmeticBinary(op, left, right)


def cmp(op: ComparisonOp, left: Expression, right: Expression) -> Comparison:
    return Comparison(op, left, right)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "a OR b AND NOT c = d",
            LogicalBinary(
                LogicalOp.OR,
                A,
                LogicalBinary(LogicalOp.AND, B, Not(cmp(ComparisonOp.EQUAL, C, D))),
            ),
        ),
        ("NOT a AND b", LogicalBinary(LogicalOp.AND, Not(A), B)),
        ("NOT NOT a", Not(Not(A))),
        (
            "a AND b OR c",
            LogicalBinary(LogicalOp.OR, LogicalBinary(LogicalOp.AND, A, B), C),
        ),
        (
            "1 + 2 * 3 - 4 / 5 % 6",
            binary(
                ArithmeticOp.SUBTRACT,
                binary(ArithmeticOp.ADD, i(1), binary(ArithmeticOp.MULTIPLY, i(2), i(3))),
                binary(ArithmeticOp.MODULUS, binary(ArithmeticOp.DIVIDE, i(4), i(5)), i(6)),
            ),
        ),
        ("(1 + 2) * 3", binary(ArithmeticOp.MULTIPLY, binary(ArithmeticOp.ADD, i(1), i(2)), i(3))),
        ("a || b + c", FunctionCall("CONCAT", (A, binary(ArithmeticOp.ADD, B, C)))),
        (
            "'a' || 'b' || 'c'",
            FunctionCall(
                "CONCAT",
                (
                    FunctionCall("CONCAT", (StringLiteral("a"), StringLiteral("b"))),
                    StringLiteral("c"),
                ),
            ),
        ),
        ("-a * b", binary(ArithmeticOp.MULTIPLY, ArithmeticUnary(Sign.MINUS, A), B)),
        ("+a", ArithmeticUnary(Sign.PLUS, A)),
        ("a - -1", binary(ArithmeticOp.SUBTRACT, A, i(-1))),
        ("- -1", ArithmeticUnary(Sign.MINUS, i(-1))),
        (
            "a + 1 > b * 2",
            cmp(
                ComparisonOp.GREATER_THAN,
                binary(ArithmeticOp.ADD, A, i(1)),
                binary(ArithmeticOp.MULTIPLY, B, i(2)),
            ),
        ),
        ("a = b", cmp(ComparisonOp.EQUAL, A, B)),
        ("a <> b", cmp(ComparisonOp.NOT_EQUAL, A, B)),
        ("a != b", cmp(ComparisonOp.NOT_EQUAL, A, B)),
        ("a < b", cmp(ComparisonOp.LESS_THAN, A, B)),
        ("a <= b", cmp(ComparisonOp.LESS_THAN_OR_EQUAL, A, B)),
        ("a > b", cmp(ComparisonOp.GREATER_THAN, A, B)),
        ("a >= b", cmp(ComparisonOp.GREATER_THAN_OR_EQUAL, A, B)),
        ("a IS NULL", IsNull(A)),
        ("a IS NOT NULL", IsNotNull(A)),
        ("a IS DISTINCT FROM b", cmp(ComparisonOp.IS_DISTINCT_FROM, A, B)),
        ("a IS NOT DISTINCT FROM b", Not(cmp(ComparisonOp.IS_DISTINCT_FROM, A, B))),
        ("a BETWEEN 1 AND b + 1", Between(A, i(1), binary(ArithmeticOp.ADD, B, i(1)))),
        ("a NOT BETWEEN b AND c", Not(Between(A, B, C))),
        (
            "a BETWEEN 1 AND 2 AND b",
            LogicalBinary(LogicalOp.AND, Between(A, i(1), i(2)), B),
        ),
        ("a IN (1, b, 'x')", InList(A, (i(1), B, StringLiteral("x")))),
        ("a NOT IN (1)", Not(InList(A, (i(1),)))),
        ("a LIKE 'x%'", Like(A, StringLiteral("x%"))),
        ("a NOT LIKE b ESCAPE '!'", Not(Like(A, B, "!"))),
    ],
)
def test_operators_and_precedence(sql: str, expected: Expression) -> None:
    assert parse_expression(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("1", IntegerLiteral(1)),
        ("2147483647", IntegerLiteral(2147483647)),
        ("2147483648", LongLiteral(2147483648)),
        ("-2147483648", IntegerLiteral(-2147483648)),
        ("-2147483649", LongLiteral(-2147483649)),
        ("9223372036854775807", LongLiteral(9223372036854775807)),
        # BIGINT's minimum: its digits alone overflow, the signed literal does not.
        ("-9223372036854775808", LongLiteral(-9223372036854775808)),
        ("1 - -9223372036854775808", ArithmeticBinary(
            ArithmeticOp.SUBTRACT, IntegerLiteral(1), LongLiteral(-9223372036854775808))),
        ("1.50", DecimalLiteral(Decimal("1.50"))),
        ("-0.5", DecimalLiteral(Decimal("-0.5"))),
        (".5", DecimalLiteral(Decimal("0.5"))),
        ("12.", DecimalLiteral(Decimal("12"))),
        ("1.5E3", DoubleLiteral(1500.0)),
        ("1e-2", DoubleLiteral(0.01)),
        ("-2E0", DoubleLiteral(-2.0)),
        ("'it''s'", StringLiteral("it's")),
        ("''", StringLiteral("")),
        ("TRUE", BooleanLiteral(True)),
        ("false", BooleanLiteral(False)),
        ("NULL", NullLiteral()),
        ("`DECIMAL` '1.230'", DecimalLiteral(Decimal("1.230"))),
    ],
)
def test_literals(sql: str, expected: Expression) -> None:
    assert parse_expression(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("amount", ColumnRef("AMOUNT")),
        ("`Amount`", ColumnRef("Amount")),
        ('"Amount"', ColumnRef("Amount")),
        ("`a``b`", ColumnRef("a`b")),
        ('"a""b"', ColumnRef('a"b')),
        ("1abc", ColumnRef("1ABC")),
        ("bets.race_id", ColumnRef("RACE_ID", "BETS")),
        ("`Bets`.`Race`", ColumnRef("Race", "Bets")),
        ("key", ColumnRef("KEY")),
        ("timestamp", ColumnRef("TIMESTAMP")),
        ("rowtime", ColumnRef("ROWTIME")),
        ("WINDOWSTART", ColumnRef("WINDOWSTART")),
        ("emit", ColumnRef("EMIT")),
        ("a->b->`c`", Dereference(Dereference(A, "B"), "c")),
        ("s.a->b", Dereference(ColumnRef("A", "S"), "B")),
        ("arr[1]", Subscript(ColumnRef("ARR"), i(1))),
        ("m['k']->f", Dereference(Subscript(ColumnRef("M"), StringLiteral("k")), "F")),
        (
            "arr[1][a + 1]",
            Subscript(Subscript(ColumnRef("ARR"), i(1)), binary(ArithmeticOp.ADD, A, i(1))),
        ),
    ],
)
def test_names_and_access(sql: str, expected: Expression) -> None:
    assert parse_expression(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("COUNT(*)", FunctionCall("COUNT")),
        ("now()", FunctionCall("NOW")),
        ("`myUdf`(a, 1)", FunctionCall("myUdf", (A, i(1)))),
        ("sum(a + 1)", FunctionCall("SUM", (binary(ArithmeticOp.ADD, A, i(1)),))),
        (
            "TIMESTAMPADD(SECONDS, 5, ts)",
            FunctionCall("TIMESTAMPADD", (IntervalUnit(TimeUnit.SECONDS), i(5), ColumnRef("TS"))),
        ),
        (
            "f(MILLISECOND, MILLISECONDS, MINUTES, HOURS, DAYS)",
            FunctionCall(
                "F",
                (
                    IntervalUnit(TimeUnit.MILLISECONDS),
                    IntervalUnit(TimeUnit.MILLISECONDS),
                    IntervalUnit(TimeUnit.MINUTES),
                    IntervalUnit(TimeUnit.HOURS),
                    IntervalUnit(TimeUnit.DAYS),
                ),
            ),
        ),
        # As in ksqlDB, the singular units that are also identifiers read as columns.
        ("DATEADD(DAY, 1, d)", FunctionCall("DATEADD", (ColumnRef("DAY"), i(1), D))),
        (
            "TRANSFORM(arr, x => x + 1)",
            FunctionCall(
                "TRANSFORM",
                (
                    ColumnRef("ARR"),
                    Lambda(("X",), binary(ArithmeticOp.ADD, LambdaVariable("X"), i(1))),
                ),
            ),
        ),
        (
            "REDUCE(m, 0, (s, k, v) => s + v, (x) => x.y)",
            FunctionCall(
                "REDUCE",
                (
                    ColumnRef("M"),
                    i(0),
                    Lambda(
                        ("S", "K", "V"),
                        binary(ArithmeticOp.ADD, LambdaVariable("S"), LambdaVariable("V")),
                    ),
                    Lambda(("X",), ColumnRef("Y", "X")),
                ),
            ),
        ),
        (
            "TRANSFORM(a, x => TRANSFORM(x, y => x + y + z))",
            FunctionCall(
                "TRANSFORM",
                (
                    A,
                    Lambda(
                        ("X",),
                        FunctionCall(
                            "TRANSFORM",
                            (
                                LambdaVariable("X"),
                                Lambda(
                                    ("Y",),
                                    binary(
                                        ArithmeticOp.ADD,
                                        binary(
                                            ArithmeticOp.ADD,
                                            LambdaVariable("X"),
                                            LambdaVariable("Y"),
                                        ),
                                        ColumnRef("Z"),
                                    ),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ],
)
def test_function_calls_and_lambdas(sql: str, expected: Expression) -> None:
    assert parse_expression(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "CASE WHEN a = 1 THEN 'one' WHEN a = 2 THEN 'two' ELSE 'many' END",
            SearchedCase(
                (
                    WhenClause(cmp(ComparisonOp.EQUAL, A, i(1)), StringLiteral("one")),
                    WhenClause(cmp(ComparisonOp.EQUAL, A, i(2)), StringLiteral("two")),
                ),
                StringLiteral("many"),
            ),
        ),
        (
            "CASE a WHEN 1 THEN b END",
            SimpleCase(A, (WhenClause(i(1), B),)),
        ),
        ("CAST(a AS DECIMAL(4, 2))", Cast(A, BuiltinType(t.decimal(4, 2)))),
        ("CAST(a AS money)", Cast(A, CustomType("MONEY"))),
        ("ARRAY[1, a]", CreateArray((i(1), A))),
        ("ARRAY[]", CreateArray(())),
        (
            "MAP('a' := 1, b := c)",
            CreateMap((MapEntry(StringLiteral("a"), i(1)), MapEntry(B, C))),
        ),
        ("MAP()", CreateMap(())),
        (
            "STRUCT(a := 1, `B` := 'x')",
            CreateStruct((StructFieldValue("A", i(1)), StructFieldValue("B", StringLiteral("x")))),
        ),
        ("STRUCT()", CreateStruct(())),
    ],
)
def test_conditionals_casts_and_constructors(sql: str, expected: Expression) -> None:
    assert parse_expression(sql) == expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("BOOLEAN", t.BOOLEAN),
        ("INT", t.INTEGER),
        ("integer", t.INTEGER),
        ("BIGINT", t.BIGINT),
        ("DOUBLE", t.DOUBLE),
        ("VARCHAR", t.STRING),
        ("STRING", t.STRING),
        ("VARCHAR(10)", t.STRING),
        ("BYTES", t.BYTES),
        ("DATE", t.DATE),
        ("TIME", t.TIME),
        ("TIMESTAMP", t.TIMESTAMP),
        ("`int`", t.INTEGER),
        ("DECIMAL(10, 0)", t.decimal(10, 0)),
        ("ARRAY<STRING>", t.array(t.STRING)),
        ("INT ARRAY", t.array(t.INTEGER)),
        ("MAP<STRING, ARRAY<BIGINT>>", t.map_of(t.STRING, t.array(t.BIGINT))),
        (
            "STRUCT<a INT, `B` STRUCT<c DOUBLE>>",
            t.struct(("A", t.INTEGER), ("B", t.struct(("C", t.DOUBLE)))),
        ),
        ("STRUCT< >", t.struct()),
    ],
)
def test_builtin_types(sql: str, expected: t.SqlType) -> None:
    assert parse_type(sql) == BuiltinType(expected)


def test_custom_types_stay_names_until_resolved() -> None:
    parsed = parse_type("MAP<STRING, STRUCT<home ADDRESS, n INT>>")

    assert parsed == MapType(
        BuiltinType(t.STRING),
        StructType(
            (TypeField("HOME", CustomType("ADDRESS")), TypeField("N", BuiltinType(t.INTEGER)))
        ),
    )
    address = t.struct(("STREET", t.STRING))
    assert parsed.resolve({"ADDRESS": address}.get) == t.map_of(
        t.STRING, t.struct(("HOME", address), ("N", t.INTEGER))
    )
    assert parse_type("ARRAY<address>") == ArrayType(CustomType("ADDRESS"))


def test_unknown_custom_type_fails_to_resolve() -> None:
    with pytest.raises(SqlError) as caught:
        parse_type("ARRAY<address>").resolve(lambda name: None)

    assert caught.value.message == "Cannot resolve unknown type: ADDRESS"
    assert (caught.value.line, caught.value.column, caught.value.span) == (1, 7, (6, 13))


def test_expression_spans_cover_their_text() -> None:
    sql = "price * (1 + tax) > 10"
    expression = parse_expression(sql)

    assert isinstance(expression, Comparison)
    assert isinstance(expression.left, ArithmeticBinary)
    assert expression.span == Span(1, 1, 0, 22)
    assert sql[expression.left.span.start : expression.left.span.end] == "price * (1 + tax)"
    inner = expression.left.right
    assert sql[inner.span.start : inner.span.end] == "(1 + tax)"
    assert (inner.span.line, inner.span.column) == (1, 9)


def test_spans_are_ignored_by_equality() -> None:
    assert parse_expression("a+1") == parse_expression("  a   +   1")
    assert parse_expression("a+1").span != parse_expression("  a   +   1").span


def test_walk_and_transform() -> None:
    expression = parse_expression("f(a, 1) + 2")

    assert [type(n).__name__ for n in walk(expression)] == [
        "ArithmeticBinary",
        "FunctionCall",
        "ColumnRef",
        "IntegerLiteral",
        "IntegerLiteral",
    ]

    def bump(node: Node) -> Node:
        return IntegerLiteral(node.value + 10) if isinstance(node, IntegerLiteral) else node

    assert transform(expression, bump) == parse_expression("f(a, 11) + 12")
    assert transform(expression, lambda node: node) is expression
