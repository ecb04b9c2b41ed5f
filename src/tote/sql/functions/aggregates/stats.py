"""STDDEV_SAMPLE / STDDEV_SAMP and CORRELATION over running sums (retractable)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.functions.aggregates.common import check_args
from tote.sql.functions.base import AggregateFunction, Aggregator, variant

_NUMERIC = (Base.INTEGER, Base.BIGINT, Base.DOUBLE)


class StdDevSample(Aggregator):
    """State [count, sum, sum of squares]; fewer than two values give 0.0, like ksqlDB."""

    def __init__(self) -> None:
        self.return_type = t.DOUBLE

    def init(self) -> list[Any]:
        return [0, 0.0, 0.0]

    def add(self, acc: list[Any], *args: Any) -> list[Any]:
        x = args[0]
        if x is None:
            return acc
        return [acc[0] + 1, acc[1] + x, acc[2] + float(x) * x]

    def undo(self, acc: list[Any], *args: Any) -> list[Any]:
        x = args[0]
        if x is None:
            return acc
        return [acc[0] - 1, acc[1] - x, acc[2] - float(x) * x]

    def result(self, acc: list[Any]) -> float:
        count, total, squares = acc
        if count < 2:
            return 0.0
        variance = (squares - total * total / count) / (count - 1)
        return math.sqrt(max(variance, 0.0))

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        return [a[0] + b[0], a[1] + b[1], a[2] + b[2]]


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
        denominator = math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy)) if n else 0.0
        numerator = n * sxy - sx * sy
        if denominator == 0:
            return math.nan
        return float(numerator / denominator)

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        return [x + y for x, y in zip(a, b, strict=True)]


def _stddev(name: str) -> Any:
    def resolve(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
        check_args(name, types, literals, value_count=1, max_literals=0, bases=_NUMERIC)
        return StdDevSample()

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
