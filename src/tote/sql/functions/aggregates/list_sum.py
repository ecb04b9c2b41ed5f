"""SUM_LIST: the sum of every element of every array in the group (NULLs skipped).

Like ksqlDB, INT and BIGINT totals wrap around on overflow rather than failing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tote.core.types import Base, SqlType
from tote.sql.functions.aggregates.common import describe_args
from tote.sql.functions.base import AggregateFunction, Aggregator, variant
from tote.sql.functions.resolution import NoMatchingVariant
from tote.sql.functions.semantics.numbers import wrap32, wrap64

_ELEMENTS = (Base.INTEGER, Base.BIGINT, Base.DOUBLE)


class ListSum(Aggregator):
    def __init__(self, element: SqlType) -> None:
        self.return_type = element
        self._zero: Any = 0.0 if element.base is Base.DOUBLE else 0
        wrap: Callable[[Any], Any] = {
            Base.INTEGER: wrap32, Base.BIGINT: wrap64
        }.get(element.base, float)
        self._wrap = wrap

    def _total(self, values: list[Any]) -> Any:
        total = self._zero
        for value in values:
            if value is not None:
                total = self._wrap(total + value)
        return total

    def init(self) -> Any:
        return self._zero

    def add(self, acc: Any, *args: Any) -> Any:
        return acc if args[0] is None else self._wrap(acc + self._total(args[0]))

    def undo(self, acc: Any, *args: Any) -> Any:
        return acc if args[0] is None else self._wrap(acc - self._total(args[0]))

    def result(self, acc: Any) -> Any:
        return acc

    def merge(self, a: Any, b: Any) -> Any:
        return self._wrap(a + b)


def _sum_list(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    element = types[0].element if len(types) == 1 and types[0].base is Base.ARRAY else None
    if element is None or element.base not in _ELEMENTS or literals:
        raise NoMatchingVariant(
            f"Function 'SUM_LIST' does not accept parameters {describe_args(types, literals)}."
        )
    return ListSum(element)


def functions() -> list[AggregateFunction]:
    return [
        AggregateFunction(
            "SUM_LIST",
            "Returns the sum of elements contained in the list.",
            tuple(variant(f"ARRAY<{ty}> list -> {ty}") for ty in ("DOUBLE", "INT", "BIGINT")),
            _sum_list,
        )
    ]
