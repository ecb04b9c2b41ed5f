"""Test aggregates ksqlDB's harness loads alongside the built-ins (TEST_UDAF, MULTI_ARG,
VAR_ARG, ...), written from their documented behaviour. They exercise how a call's
arguments split into per-row columns (a fixed count, or a variadic run) and the literal
"init" arguments after them, and how both are matched against the factory's types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.functions.aggregates.common import describe_args
from tote.sql.functions.aggregates.state import decode, encode
from tote.sql.functions.base import AggregateFunction, Aggregator, ScalarFunction, scalar, variant
from tote.sql.functions.resolution import NoMatchingVariant


class Fold(Aggregator):
    """An aggregate given as plain functions; `undo=None` means it cannot retract."""

    def __init__(
        self,
        return_type: SqlType,
        start: Callable[[], Any],
        add: Callable[..., Any],
        merge: Callable[[Any, Any], Any],
        *,
        undo: Callable[..., Any] | None = None,
        finish: Callable[[Any], Any] = lambda acc: acc,
        config_key: str | None = None,
    ) -> None:
        self.return_type = return_type
        self._start, self._add, self._merge = start, add, merge
        self._undo, self._finish = undo, finish
        self.supports_undo = undo is not None
        self._config_key = config_key
        self._configured: Any = None

    def configure(self, settings: Mapping[str, str]) -> None:
        if self._config_key is not None and settings.get(self._config_key) is not None:
            self._configured = int(settings[self._config_key])

    def init(self) -> Any:
        return self._start() if self._configured is None else self._configured

    def add(self, acc: Any, *args: Any) -> Any:
        return self._add(acc, *args)

    def undo(self, acc: Any, *args: Any) -> Any:
        if self._undo is None:
            raise NotImplementedError("cannot retract values")
        return self._undo(acc, *args)

    def result(self, acc: Any) -> Any:
        return self._finish(acc)

    def merge(self, a: Any, b: Any) -> Any:
        return self._merge(a, b)

    def to_state(self, acc: Any) -> Any:
        return encode(acc, self.return_type)

    def from_state(self, state: Any) -> Any:
        return decode(state, self.return_type)


Build = Callable[[Sequence[SqlType], Sequence[Any]], Aggregator]


@dataclass(frozen=True, slots=True)
class Factory:
    """One ksqlDB `@UdafFactory`: its per-row column types, its init argument types (both
    signature text), and how it builds the aggregator from column types and init values."""

    columns: str
    init: str
    returns: str
    build: Build


def literal_type(value: Any) -> SqlType | None:
    if isinstance(value, bool):
        return t.BOOLEAN
    if isinstance(value, int):
        return t.INTEGER if -(2**31) <= value < 2**31 else t.BIGINT
    if isinstance(value, float):
        return t.DOUBLE
    if isinstance(value, Decimal):
        digits = len(value.as_tuple().digits)
        scale = max(0, -int(value.as_tuple().exponent))
        return t.decimal(max(digits, scale), scale)
    if isinstance(value, str):
        return t.STRING
    return None


def _matcher(name: str, factories: Sequence[Factory], part: str) -> ScalarFunction:
    """A scalar stand-in whose variants are the factories' `part` ("columns" or "init"):
    resolving it applies ksqlDB's variant choice; the chosen call returns its factory."""
    return scalar(name, "TEST", "", *(
        variant(getattr(f, part), lambda f=f: f, returns=lambda args, bound: t.BOOLEAN)
        for f in factories
    ))


def udaf(
    name: str, factories: Sequence[Factory], *, value_args: int = 1,
    trailing_literals: int | None = None,
) -> AggregateFunction:
    """An aggregate whose columns pick the factory as ksqlDB's UDF index would (exact types
    before implicit widening), then whose literals must fit that factory's init types."""
    columns = _matcher(name, factories, "columns")

    def pick(types: Sequence[SqlType | None]) -> Factory | None:
        """The factory for all the arguments' types, per-row ones first; None if none fits."""
        count = aggregate.split(len(types))
        try:
            factory: Factory = columns.resolve(list(types[:count])).fn()
            _matcher(name, [factory], "init").resolve(list(types[count:]))
        except NoMatchingVariant:
            return None
        return factory

    def resolve(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
        factory = pick([*types, *map(literal_type, literals)])
        if factory is None:
            raise NoMatchingVariant(
                f"Function '{name}' does not accept parameters {describe_args(types, literals)}."
            )
        return factory.build(types, literals)

    signatures = tuple(
        variant(", ".join(p for p in (f.columns, f.init) if p) + f" -> {f.returns}")
        for f in factories
    )
    aggregate = AggregateFunction(name, f"Test aggregate {name}.", signatures, resolve,
                                 value_args=value_args, trailing_literals=trailing_literals)
    return replace(aggregate, accepts=lambda types: pick(types) is not None)


def _plus(a: Any, b: Any) -> Any:
    return a + b


def _sum(return_type: SqlType, *, retracts: bool, config_key: str | None = None) -> Build:
    zero: Any = 0.0 if return_type.base is Base.DOUBLE else 0
    return lambda types, literals: Fold(
        return_type, lambda: zero,
        lambda acc, v: acc if v is None else acc + v, _plus,
        undo=(lambda acc, v: acc if v is None else acc - v) if retracts else None,
        config_key=config_key,
    )


def _sum_numbers(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    if types[0].base not in (Base.INTEGER, Base.BIGINT, Base.DOUBLE):
        raise NoMatchingVariant(f"Type {types[0]} is not handled.")
    return _sum(types[0], retracts=False)(types, literals)


def _sum_lengths(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    return Fold(t.BIGINT, lambda: len(literals[0] or ""),
                lambda acc, s: acc + len(s or ""), _plus)


_PAIR = t.struct(("A", t.INTEGER), ("B", t.INTEGER))


def _sum_fields(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    def add(acc: dict[str, int], value: dict[str, Any] | None) -> dict[str, int]:
        if value is None:
            return acc
        return {k: acc[k] + (value.get(k) or 0) for k in ("A", "B")}

    return Fold(_PAIR, lambda: {"A": 0, "B": 0}, add, add)


def _init_total(literals: Sequence[Any]) -> int:
    """An INT then STRING... init: the number plus the strings' lengths."""
    return int(literals[0]) + sum(len(s or "") for s in literals[1:])


def _size(value: Any) -> int:
    if value is None:
        return 0
    return len(value) if isinstance(value, str) else int(value)


def _sum_sizes(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    """BIGINTs count as themselves, STRINGs as their length, NULLs as nothing."""
    start = _init_total(literals) if literals else 0
    return Fold(t.BIGINT, lambda: start,
                lambda acc, *values: acc + sum(map(_size, values)), _plus)


def _sum_sizes_plus(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    """As `_sum_sizes`, with the two INT init arguments added to the result."""
    constant = int(literals[0]) + int(literals[1])
    return Fold(t.BIGINT, lambda: 0, lambda acc, *values: acc + sum(map(_size, values)), _plus,
                finish=lambda acc: acc + constant)


def _first_when_complete(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    """The first column of each row whose columns are all non-NULL."""
    def add(acc: list[Any], *values: Any) -> list[Any]:
        return [*acc, values[0]] if all(v is not None for v in values) else acc

    return Fold(t.array(types[0]), list, add, _plus)


def _obj_col_arg(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    # Its variadic columns are Java Objects: any type, each its own.
    if not types or types[0] != t.INTEGER or literals:
        raise NoMatchingVariant(
            f"Function 'OBJ_COL_ARG' does not accept parameters {describe_args(types, literals)}."
        )
    return _first_when_complete(types, literals)


def functions() -> list[AggregateFunction]:
    init = "INT initArg1, STRING... initArg2"
    return [
        udaf("TEST_UDAF", [
            Factory("BIGINT val", "", "BIGINT", _sum(t.BIGINT, retracts=True)),
            Factory("INT val", "", "BIGINT", _sum(
                t.BIGINT, retracts=True, config_key="ksql.functions.test_udaf.init")),
            Factory("DOUBLE val", "", "DOUBLE", _sum(t.DOUBLE, retracts=False)),
            Factory("T val", "", "T", _sum_numbers),
            Factory("STRING val", "STRING initial", "BIGINT", _sum_lengths),
            Factory("STRUCT val", "", "STRUCT", _sum_fields),
        ], value_args=1),
        udaf("MULTI_ARG", [Factory("BIGINT a, STRING b", init, "BIGINT", _sum_sizes)],
             value_args=2),
        udaf("FOUR_ARG", [Factory("BIGINT a, STRING b, STRING c, STRING d", init, "BIGINT",
                                  _sum_sizes)], value_args=4),
        udaf("FIVE_ARG", [Factory("BIGINT a, STRING b, STRING c, STRING d, INT e", init,
                                  "BIGINT", _sum_sizes)], value_args=5),
        udaf("VAR_ARG", [Factory("BIGINT a, STRING... b", "", "BIGINT", _sum_sizes)],
             trailing_literals=0),
        udaf("MID_VAR_ARG", [Factory("BIGINT a, STRING... b", "INT first, INT second", "BIGINT",
                                     _sum_sizes_plus)], trailing_literals=2),
        udaf("GENERIC_VAR_ARG", [Factory("A a, B b, C... c", "", "ARRAY<A>",
                                         _first_when_complete)], trailing_literals=0),
        AggregateFunction(
            "OBJ_COL_ARG", "Test aggregate OBJ_COL_ARG.",
            (variant("INT a -> ARRAY<INT>"),), _obj_col_arg, trailing_literals=0,
        ),
    ]
