"""STDDEV_SAMPLE / STDDEV_SAMP and CORRELATION over running sums (retractable), computed
as ksqlDB's UDAFs do so results match to the last bit."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.functions.aggregates.common import check_args
from tote.sql.functions.base import AggregateFunction, Aggregator, variant
from tote.sql.functions.semantics.numbers import wrap32, wrap64

_NUMERIC = (Base.INTEGER, Base.BIGINT, Base.DOUBLE)


class StdDevSample(Aggregator):
    """ksqlDB's Youngs-Cramer running form; state [count, sum, m2].

    Whole-number inputs keep a Java INT or BIGINT sum and compute each step's delta in Java
    integer arithmetic, overflow included, so results match ksqlDB's bit for bit. STDDEV_SAMP
    returns m2 / (count - 1) without the square root (ksqlDB does, so it is a variance);
    STDDEV_SAMPLE returns its square root. Fewer than two values give 0.0.
    """

    def __init__(self, base: Base, root: bool) -> None:
        self.return_type = t.DOUBLE
        self._base = base
        self._root = root
        self._wrap_sum: Callable[[Any], Any] = (
            wrap32 if base is Base.INTEGER else wrap64 if base is Base.BIGINT else float)

    def _delta(self, count: int, total: Any, x: Any) -> float:
        if self._base is Base.DOUBLE:
            return float(x * (count + 1) - (total + x))
        return float(wrap64(wrap64(x * (count + 1)) - self._wrap_sum(total + x)))

    def init(self) -> list[Any]:
        return [0, 0.0 if self._base is Base.DOUBLE else 0, 0.0]

    def add(self, acc: list[Any], *args: Any) -> list[Any]:
        x = args[0]
        if x is None:
            return acc
        count, total, m2 = acc
        step = 0.0
        if count > 0:
            delta = self._delta(count, total, x)
            step = delta * delta / float((count + 1) * count)
        return [count + 1, self._wrap_sum(x + total), step + m2]

    def undo(self, acc: list[Any], *args: Any) -> list[Any]:
        x = args[0]
        if x is None:
            return acc
        count, total, m2 = acc
        step = 0.0
        if count - 1 > 0:
            delta = self._delta(count, total, x)
            step = delta * delta / float((count - 1) * count)
        return [count - 1, self._wrap_sum(total - x), m2 - step]

    def result(self, acc: list[Any]) -> float:
        count, _, m2 = acc
        if count < 2:
            return 0.0
        variance = java_divide(m2, float(count - 1))
        return _java_sqrt(variance) if self._root else variance

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        (count_a, sum_a, m2_a), (count_b, sum_b, m2_b) = a, b
        count = count_a + count_b
        if count_a == 0 or count_b == 0:
            m2 = m2_a + m2_b
        else:
            inner = self._mean_gap(count_a, sum_a, count_b, sum_b)
            m2 = m2_a + m2_b + float(count_a * count_b) * inner * inner / float(count)
        return [count, self._wrap_sum(sum_a + sum_b), m2]

    def _mean_gap(self, count_a: int, sum_a: Any, count_b: int, sum_b: Any) -> float:
        if self._base is Base.DOUBLE or self._root:
            return float(sum_a) / count_a - float(sum_b) / count_b
        # STDDEV_SAMP divides whole-number sums by counts in Java integer division.
        return float(_java_quotient(sum_a, count_a) - _java_quotient(sum_b, count_b))


def _java_quotient(a: int, b: int) -> int:
    """Java's long division: truncates toward zero."""
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def _java_sqrt(value: float) -> float:
    return math.nan if value < 0 or math.isnan(value) else math.sqrt(value)


def java_divide(a: float, b: float) -> float:
    """Java's double division: x / 0.0 is an infinity or NaN instead of an error."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


class Correlation(Aggregator):
    """Pearson correlation; state [n, sx, sy, sxx, syy, sxy]."""

    def __init__(self) -> None:
        self.return_type = t.DOUBLE

    def init(self) -> list[Any]:
        return [0, 0.0, 0.0, 0.0, 0.0, 0.0]

    def _step(self, acc: list[Any], x: Any, y: Any, sign: int) -> list[Any]:
        if x is None or y is None:
            return acc
        fx, fy = float(x), float(y)
        return [
            acc[0] + sign,
            acc[1] + sign * fx,
            acc[2] + sign * fy,
            acc[3] + sign * fx * fx,
            acc[4] + sign * fy * fy,
            acc[5] + sign * fx * fy,
        ]

    def add(self, acc: list[Any], *args: Any) -> list[Any]:
        return self._step(acc, args[0], args[1], 1)

    def undo(self, acc: list[Any], *args: Any) -> list[Any]:
        return self._step(acc, args[0], args[1], -1)

    def result(self, acc: list[Any]) -> float:
        n, sx, sy, sxx, syy, sxy = acc
        numerator = n * sxy - sx * sy
        denominator = _java_sqrt((n * sxx - sx * sx) * (n * syy - sy * sy))
        return java_divide(float(numerator), denominator)

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        return [x + y for x, y in zip(a, b, strict=True)]


def _stddev(name: str) -> Any:
    def resolve(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
        check_args(name, types, literals, value_count=1, max_literals=0, bases=_NUMERIC)
        return StdDevSample(types[0].base, root=name == "STDDEV_SAMPLE")

    return resolve


def _correlation(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    check_args("CORRELATION", types, literals, value_count=2, max_literals=0, bases=_NUMERIC)
    return Correlation()


def functions() -> list[AggregateFunction]:
    numeric = tuple(variant(f"{ty} col -> DOUBLE") for ty in ("INT", "BIGINT", "DOUBLE"))
    return [
        AggregateFunction(
            "STDDEV_SAMPLE", "The sample standard deviation.", numeric, _stddev("STDDEV_SAMPLE")
        ),
        AggregateFunction(
            "STDDEV_SAMP", "The sample standard deviation.", numeric, _stddev("STDDEV_SAMP")
        ),
        AggregateFunction(
            "CORRELATION",
            "The Pearson correlation of two columns.",
            tuple(variant(f"{ty} x, {ty} y -> DOUBLE") for ty in ("INT", "BIGINT", "DOUBLE")),
            _correlation,
            value_args=2,
        ),
    ]
