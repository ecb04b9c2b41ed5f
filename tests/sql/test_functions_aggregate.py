"""Aggregate functions: result types, accumulate/undo/merge, and JSON state round trips."""

from __future__ import annotations

import json
import math
import statistics
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from tests.sql.exprkit import FUNCTIONS, scope_of

from tote.core import types as t
from tote.core.errors import SqlError
from tote.sql import parse_expression
from tote.sql.expressions import TypeChecker
from tote.sql.functions import Aggregator
from tote.sql.functions.resolution import NoMatchingVariant


def run(agg: Aggregator, values: Sequence[Any], *extra: Sequence[Any]) -> Any:
    """Feed rows through add, pass the state through JSON each time, return the result."""
    acc = agg.init()
    for i, value in enumerate(values):
        acc = agg.add(acc, value, *(e[i] for e in extra))
        acc = agg.from_state(json.loads(json.dumps(agg.to_state(acc))))
    return agg.result(acc)


def resolve(name: str, types: Sequence[t.SqlType], literals: Sequence[Any] = ()) -> Aggregator:
    return FUNCTIONS.aggregate(name).resolve(types, literals)


@pytest.mark.parametrize(
    ("name", "kind", "expected"),
    [
        ("SUM", t.INTEGER, "INTEGER"),
        ("SUM", t.BIGINT, "BIGINT"),
        ("SUM", t.DOUBLE, "DOUBLE"),
        ("SUM", t.decimal(4, 2), "DECIMAL(4, 2)"),
        ("AVG", t.INTEGER, "DOUBLE"),
        ("AVG", t.decimal(4, 2), "DOUBLE"),
        ("MIN", t.STRING, "STRING"),
        ("MAX", t.TIMESTAMP, "TIMESTAMP"),
        ("COUNT", t.STRING, "BIGINT"),
        ("COLLECT_LIST", t.INTEGER, "ARRAY<INTEGER>"),
        ("COLLECT_SET", t.STRING, "ARRAY<STRING>"),
        ("HISTOGRAM", t.STRING, "MAP<STRING, BIGINT>"),
        ("COUNT_DISTINCT", t.INTEGER, "BIGINT"),
        ("STDDEV_SAMPLE", t.INTEGER, "DOUBLE"),
        ("LATEST_BY_OFFSET", t.decimal(4, 2), "DECIMAL(4, 2)"),
    ],
)
def test_return_types(name: str, kind: t.SqlType, expected: str) -> None:
    assert str(resolve(name, [kind]).return_type) == expected


def test_count_star_and_count_column() -> None:
    assert run(resolve("COUNT", []), [None, 1, None]) == 3
    assert run(resolve("COUNT", [t.INTEGER]), [None, 1, None]) == 1


def test_sum_wraps_int_and_keeps_decimal_scale() -> None:
    assert run(resolve("SUM", [t.INTEGER]), [2147483647, 1, None]) == -2147483648
    total = run(resolve("SUM", [t.decimal(4, 2)]), [Decimal("1.10"), Decimal("2.05")])
    assert str(total) == "3.15"
    assert run(resolve("SUM", [t.DOUBLE]), [0.5, 0.25]) == 0.75


def test_sum_decimal_overflow_raises() -> None:
    agg = resolve("SUM", [t.decimal(3, 1)])
    with pytest.raises(ArithmeticError) as caught:
        agg.add(Decimal("99.0"), Decimal("1.0"))
    assert str(caught.value) == (
        "Numeric field overflow: A field with precision 3 and scale 1 must round to an "
        "absolute value less than 10^2. Got 100.0"
    )


def test_average_and_undo() -> None:
    agg = resolve("AVG", [t.INTEGER])
    acc = agg.init()
    for value in (1, 2, 6, None):
        acc = agg.add(acc, value)
    assert agg.result(acc) == 3.0
    acc = agg.undo(acc, 6)
    assert agg.result(acc) == 1.5
    assert agg.result(agg.init()) == 0.0


def test_min_max_ignore_nulls_and_merge() -> None:
    largest = resolve("MAX", [t.INTEGER])
    assert run(largest, [3, None, 7, 1]) == 7
    assert run(resolve("MIN", [t.STRING]), ["b", "a", None]) == "a"
    assert largest.merge(3, 9) == 9
    assert largest.supports_undo is False
    assert FUNCTIONS.aggregate("MAX").table_safe is False


@pytest.mark.parametrize(
    ("name", "literals", "values", "expected"),
    [
        ("LATEST_BY_OFFSET", [], [1, 2, None], 2),
        ("LATEST_BY_OFFSET", [False], [1, 2, None], None),
        ("LATEST_BY_OFFSET", [2], [1, 2, None, 3], [2, 3]),
        ("LATEST_BY_OFFSET", [2, False], [1, 2, None], [2, None]),
        ("EARLIEST_BY_OFFSET", [], [None, 1, 2], 1),
        ("EARLIEST_BY_OFFSET", [False], [None, 1, 2], None),
        ("EARLIEST_BY_OFFSET", [2], [None, 1, 2, 3], [1, 2]),
    ],
)
def test_by_offset(name: str, literals: list[Any], values: list[Any], expected: object) -> None:
    assert run(resolve(name, [t.INTEGER], literals), values) == expected


def test_by_offset_merge_keeps_order() -> None:
    agg = resolve("LATEST_BY_OFFSET", [t.INTEGER], [2])
    first = agg.add(agg.add(agg.init(), 1), 2)
    second = agg.add(agg.init(), 3)
    assert agg.result(agg.merge(first, second)) == [2, 3]


def test_collections() -> None:
    assert run(resolve("COLLECT_LIST", [t.INTEGER]), [1, 2, 1, None]) == [1, 2, 1, None]
    assert run(resolve("COLLECT_SET", [t.INTEGER]), [1, 2, 1]) == [1, 2]
    assert run(resolve("HISTOGRAM", [t.STRING]), ["a", "b", "a", None]) == {"a": 2, "b": 1}
    assert run(resolve("TOPK", [t.INTEGER], [2]), [5, 1, 9, 9]) == [9, 9]
    assert run(resolve("TOPKDISTINCT", [t.INTEGER], [2]), [5, 1, 9, 9]) == [9, 5]
    assert run(resolve("COUNT_DISTINCT", [t.STRING]), ["a", "b", "a", None]) == 2
    dates = run(resolve("COLLECT_LIST", [t.decimal(3, 1)]), [Decimal("1.5")])
    assert dates == [Decimal("1.5")]


def test_collection_undo() -> None:
    agg = resolve("HISTOGRAM", [t.STRING])
    acc = agg.add(agg.add(agg.init(), "a"), "a")
    assert agg.undo(agg.undo(acc, "a"), "a") == {}
    collect = resolve("COLLECT_LIST", [t.INTEGER])
    assert collect.undo([1, 2, 1], 1) == [1, 2]  # the latest occurrence goes
    assert collect.undo([1, 2], 3) == [1, 2]


def test_collect_limits_come_from_the_functions_config() -> None:
    collect = resolve("COLLECT_LIST", [t.INTEGER])
    collect.configure({"ksql.functions.collect_list.limit": "2"})
    assert run(collect, [3, 1, 2]) == [3, 1]
    assert collect.merge([3], [1, 2]) == [3, 1]
    distinct = resolve("COLLECT_SET", [t.INTEGER])
    distinct.configure({"ksql.functions.collect_list.limit": "1",
                        "ksql.functions.collect_set.limit": "2"})
    assert run(distinct, [3, 3, 1, 2]) == [3, 1]
    unlimited = resolve("COLLECT_LIST", [t.INTEGER])
    unlimited.configure({"ksql.functions.collect_list.limit": "-1"})
    assert run(unlimited, list(range(1500))) == list(range(1500))


def test_topk_with_other_columns() -> None:
    agg = resolve("TOPK", [t.DOUBLE, t.STRING, t.BIGINT], [2])
    assert str(agg.return_type) == "ARRAY<STRUCT<`sort_col` DOUBLE, `col0` STRING, `col1` BIGINT>>"
    result = run(agg, [1.5, None, 4.0, 1.5, 4.0], ["a", "b", "c", "d", None], [1, 2, 3, 4, 5])
    assert result == [
        {"sort_col": 4.0, "col0": "c", "col1": 3},
        {"sort_col": 4.0, "col0": None, "col1": 5},
    ]
    with pytest.raises(NoMatchingVariant):
        resolve("TOPKDISTINCT", [t.DOUBLE, t.STRING], [2])


def test_statistics() -> None:
    assert run(
        resolve("STDDEV_SAMPLE", [t.DOUBLE]), [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]
    ) == pytest.approx(2.138089935)
    assert run(resolve("STDDEV_SAMP", [t.INTEGER]), [5]) == 0.0
    corr = FUNCTIONS.aggregate("CORRELATION").resolve([t.DOUBLE, t.DOUBLE], [])
    xs, ys = [1.0, 2.0, 3.0, 5.0], [2.0, 4.0, 6.5, 7.0]
    assert run(corr, xs, ys) == pytest.approx(statistics.correlation(xs, ys))
    assert math.isnan(run(corr, [1.0], [2.0]))


def test_aggregate_argument_errors() -> None:
    checker = TypeChecker(scope_of([("S", t.STRING), ("N", t.INTEGER)]), FUNCTIONS)
    for sql, message in [
        ("SUM(S)", "Function 'SUM' does not accept parameters (STRING)."),
        ("TOPK(N)", "Function 'TOPK' does not accept parameters (INTEGER)."),
        ("LATEST_BY_OFFSET(N, 0)", "latestN must be 1 or greater"),
        ("HISTOGRAM(N)", "Function 'HISTOGRAM' does not accept parameters (INTEGER)."),
    ]:
        with pytest.raises(SqlError) as caught:
            checker.check(parse_expression(sql))
        assert caught.value.message == message


def test_resolve_aggregate_splits_value_and_literal_arguments() -> None:
    checker = TypeChecker(scope_of([("N", t.INTEGER)]), FUNCTIONS)
    function, agg = checker.resolve_aggregate(parse_expression("TOPK(N, 3)"))  # type: ignore[arg-type]
    assert function.name == "TOPK"
    assert function.split(2) == 1
    assert str(agg.return_type) == "ARRAY<INTEGER>"
    assert FUNCTIONS.aggregate("CORRELATION").split(2) == 2
    assert FUNCTIONS.aggregate("COUNT").split(0) == 0


def test_attr_is_the_groups_single_value_or_null() -> None:
    agg = resolve("ATTR", [t.STRING])
    assert agg.return_type == t.STRING
    assert run(agg, ["x", "x", "x"]) == "x"
    assert run(agg, ["x", "y"]) is None
    assert run(agg, [None, None]) is None
    assert run(agg, [None, "x"]) is None  # NULL counts as a value of its own
    shape = t.struct(("A", t.INTEGER))
    assert run(resolve("ATTR", [shape]), [{"A": 1}, {"A": 1}]) == {"A": 1}
    assert run(resolve("ATTR", [t.array(t.BIGINT)]), [[1, 2], [2, 1]]) is None


def test_attr_recovers_once_the_other_value_is_retracted() -> None:
    agg = resolve("ATTR", [t.INTEGER])
    acc = agg.add(agg.add(agg.add(agg.init(), 5), 6), 5)
    assert agg.result(acc) is None
    acc = agg.from_state(json.loads(json.dumps(agg.to_state(agg.undo(acc, 6)))))
    assert agg.result(acc) == 5
    assert agg.result(agg.undo(agg.undo(acc, 5), 5)) is None  # nothing left
    assert agg.result(agg.merge(agg.add(agg.init(), 5), agg.add(agg.init(), 7))) is None


def test_sum_list_adds_every_element_skipping_nulls() -> None:
    ints = resolve("SUM_LIST", [t.array(t.INTEGER)])
    assert ints.return_type == t.INTEGER
    assert run(ints, [[3, 4], None, [None, 10]]) == 17
    assert run(ints, [[2147483647], [1]]) == -2147483648  # wraps like Java's int
    assert run(resolve("SUM_LIST", [t.array(t.DOUBLE)]), [[0.5, 0.25], [1.0]]) == 1.75
    longs = resolve("SUM_LIST", [t.array(t.BIGINT)])
    assert longs.return_type == t.BIGINT
    assert longs.result(longs.undo(longs.add(longs.add(0, [5, 6]), [7]), [5, 6])) == 7
    with pytest.raises(NoMatchingVariant) as refused:
        resolve("SUM_LIST", [t.array(t.STRING)])
    assert str(refused.value) == (
        "Function 'SUM_LIST' does not accept parameters (ARRAY<STRING>).")


def test_argument_types_are_matched_before_init_arguments_must_be_literals() -> None:
    """A call no signature fits is refused as such even when an init argument is also not
    a literal; a call that fits is told which parameter must be a literal."""
    from tote.sql.functions import AggregateFunction

    def accepts(types: Sequence[t.SqlType | None]) -> bool:
        return list(types) == [t.BIGINT, t.INTEGER]

    scaled = AggregateFunction(
        "SCALED", "a BIGINT column and an INT literal", (), lambda types, literals: resolve(
            "SUM", types), value_args=1, accepts=accepts)
    functions = FUNCTIONS.with_functions([scaled])
    checker = TypeChecker(scope_of([("B", t.BIGINT), ("S", t.STRING), ("N", t.INTEGER)]),
                          functions)
    for sql, message in [
        ("SCALED(B, S)", "Function 'SCALED' does not accept parameters (BIGINT, STRING)."),
        ("SCALED(B, N)", "Parameter 2 passed to function SCALED must be a literal constant, "
                         "but was expression: 'N'"),
    ]:
        with pytest.raises(SqlError) as caught:
            checker.check(parse_expression(sql))
        assert caught.value.message == message
