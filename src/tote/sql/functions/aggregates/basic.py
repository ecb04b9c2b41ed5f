"""COUNT, SUM, AVG, MIN and MAX, with ksqlDB's result types (SUM(INT) is INT, AVG is DOUBLE)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.functions.aggregates.common import check_args
from tote.sql.functions.aggregates.state import as_is, decode, encode
from tote.sql.functions.base import AggregateFunction, Aggregator, variant
from tote.sql.functions.semantics.numbers import decimal_operation, wrap32, wrap64


class Count(Aggregator):
    def __init__(self, counts_rows: bool) -> None:
        self.return_type = t.BIGINT
        self.counts_rows = counts_rows

    def init(self) -> int:
        return 0

    def add(self, acc: int, *args: Any) -> int:
        return acc + 1 if self.counts_rows or args[0] is not None else acc

    def undo(self, acc: int, *args: Any) -> int:
        return acc - 1 if self.counts_rows or args[0] is not None else acc

    def result(self, acc: int) -> int:
        return acc

    def add_code(self, acc: str, args: Sequence[str]) -> str | None:
        return f"{acc} + 1" if self.counts_rows else f"({acc} if {args[0]} is None else {acc} + 1)"

    def result_code(self, acc: str) -> str | None:
        return acc

    def merge(self, a: int, b: int) -> int:
        return a + b


def _checked_sum(precision: int, scale: int) -> Callable[[Any, Any], Decimal]:
    """Decimal addition that fails past the column's precision, like DecimalSumKudaf."""
    add = decimal_operation("+", precision + 1, scale)
    limit = Decimal(10) ** (precision - scale)

    def run(a: Any, b: Any) -> Decimal:
        total = add(a, b)
        if abs(total) >= limit:
            raise ArithmeticError(
                f"Numeric field overflow: A field with precision {precision} and scale {scale} "
                f"must round to an absolute value less than 10^{precision - scale}. "
                f"Got {format(total, 'f')}"
            )
        return total

    return run


class Sum(Aggregator):
    def __init__(self, sql: SqlType) -> None:
        self.return_type = sql
        self._add: Callable[[Any, Any], Any]
        self._sub: Callable[[Any, Any], Any]
        if sql.base is Base.DECIMAL:
            assert sql.precision is not None and sql.scale is not None
            self._add = _checked_sum(sql.precision, sql.scale)
            self._sub = decimal_operation("-", sql.precision, sql.scale)
            self._zero: Any = Decimal(0).scaleb(-sql.scale)
        elif sql.base is Base.DOUBLE:
            self._add, self._sub, self._zero = (lambda a, b: a + b), (lambda a, b: a - b), 0.0
        else:
            wrap = wrap32 if sql.base is Base.INTEGER else wrap64
            self._add = lambda a, b: wrap(a + b)
            self._sub = lambda a, b: wrap(a - b)
            self._zero = 0

    def init(self) -> Any:
        return self._zero

    def add(self, acc: Any, *args: Any) -> Any:
        return acc if args[0] is None else self._add(acc, args[0])

    def undo(self, acc: Any, *args: Any) -> Any:
        return acc if args[0] is None else self._sub(acc, args[0])

    def result(self, acc: Any) -> Any:
        return acc

    def add_code(self, acc: str, args: Sequence[str]) -> str | None:
        # Only a DOUBLE sum is plain Python addition (DECIMAL and INT sums check or wrap).
        if self.return_type.base is not Base.DOUBLE:
            return None
        return f"({acc} if {args[0]} is None else {acc} + {args[0]})"

    def result_code(self, acc: str) -> str | None:
        return acc

    def merge(self, a: Any, b: Any) -> Any:
        return self._add(a, b)

    def to_state(self, acc: Any) -> Any:
        return encode(acc, self.return_type)

    @property
    def stores_as_is(self) -> bool:
        return as_is(self.return_type)

    def from_state(self, state: Any) -> Any:
        return decode(state, self.return_type)


class Average(Aggregator):
    """State is [sum, count]; like ksqlDB, an empty average is 0.0 and INT sums wrap."""

    def __init__(self, sql: SqlType) -> None:
        self.return_type = t.DOUBLE
        self._to_double = sql.base is Base.DECIMAL
        self._sum = Sum(t.DOUBLE if self._to_double else sql)

    def init(self) -> list[Any]:
        return [self._sum.init(), 0]

    def add(self, acc: list[Any], *args: Any) -> list[Any]:
        value = args[0]
        if value is None:
            return acc
        return [self._sum.add(acc[0], float(value) if self._to_double else value), acc[1] + 1]

    def undo(self, acc: list[Any], *args: Any) -> list[Any]:
        value = args[0]
        if value is None:
            return acc
        return [self._sum.undo(acc[0], float(value) if self._to_double else value), acc[1] - 1]

    def result(self, acc: list[Any]) -> float:
        return 0.0 if acc[1] == 0 else float(acc[0]) / acc[1]

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        return [self._sum.merge(a[0], b[0]), a[1] + b[1]]

    def to_state(self, acc: list[Any]) -> Any:
        return [self._sum.to_state(acc[0]), acc[1]]

    def from_state(self, state: Any) -> list[Any]:
        return [self._sum.from_state(state[0]), state[1]]


class Extreme(Aggregator):
    """MIN / MAX: NULLs ignored; cannot retract (ksqlDB rejects them on tables)."""

    supports_undo = False

    def __init__(self, sql: SqlType, largest: bool) -> None:
        self.return_type = sql
        self.largest = largest

    def init(self) -> Any:
        return None

    def add(self, acc: Any, *args: Any) -> Any:
        value = args[0]
        if value is None:
            return acc
        if acc is None:
            return value
        return max(acc, value) if self.largest else min(acc, value)

    def result(self, acc: Any) -> Any:
        return acc

    def merge(self, a: Any, b: Any) -> Any:
        return self.add(a, b)

    def to_state(self, acc: Any) -> Any:
        return encode(acc, self.return_type)

    def from_state(self, state: Any) -> Any:
        return decode(state, self.return_type)


_SUMMABLE = (Base.INTEGER, Base.BIGINT, Base.DOUBLE, Base.DECIMAL)
_COMPARABLE = (
    *_SUMMABLE,
    Base.STRING,
    Base.DATE,
    Base.TIME,
    Base.TIMESTAMP,
    Base.BYTES,
    Base.BOOLEAN,
)


def _count(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    return Count(counts_rows=not types)


def _sum(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    check_args("SUM", types, literals, value_count=1, max_literals=0, bases=_SUMMABLE)
    return Sum(types[0])


def _avg(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    check_args("AVG", types, literals, value_count=1, max_literals=0, bases=_SUMMABLE)
    return Average(types[0])


def _extreme(name: str, largest: bool) -> Any:
    def resolve(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
        check_args(name, types, literals, value_count=1, max_literals=0, bases=_COMPARABLE)
        return Extreme(types[0], largest)

    return resolve


def functions() -> list[AggregateFunction]:
    numeric = [variant(f"{ty} col -> {ty}") for ty in ("INT", "BIGINT", "DOUBLE")] + [
        variant("DECIMAL col -> DECIMAL")
    ]
    return [
        AggregateFunction(
            "COUNT",
            "Counts records (COUNT(*)) or non-NULL values.",
            (variant("-> BIGINT"), variant("T col -> BIGINT")),
            _count,
        ),
        AggregateFunction("SUM", "Computes the sum for a key.", tuple(numeric), _sum),
        AggregateFunction(
            "AVG",
            "Returns the average value of the column.",
            tuple(variant(f"{ty} col -> DOUBLE") for ty in ("INT", "BIGINT", "DOUBLE")),
            _avg,
        ),
        AggregateFunction(
            "MIN",
            "Computes the minimum value for a key.",
            (variant("T col -> T"),),
            _extreme("MIN", False),
            table_safe=False,
        ),
        AggregateFunction(
            "MAX",
            "Computes the maximum value for a key.",
            (variant("T col -> T"),),
            _extreme("MAX", True),
            table_safe=False,
        ),
    ]
