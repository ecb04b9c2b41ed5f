"""Function objects: scalar functions with typed variants, aggregates and table functions.

Each function module declares its functions as data (`scalar(...)` with `variant(...)`
signature strings); the registry looks them up by name and `resolve` picks the variant
for the argument types the type checker found, exactly once per query.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tote.core.types import SqlType
from tote.sql.functions.patterns import Param, Pattern, parse_params, parse_pattern


@dataclass(frozen=True, slots=True)
class LambdaArg:
    """A lambda argument: its parameter count and how to type its body given their types."""

    arity: int
    type_body: Callable[[Sequence[SqlType]], SqlType | None]


@dataclass(frozen=True, slots=True)
class IntervalUnitArg:
    """A time unit keyword argument (`DAYS`): ksqlDB gives it no SQL type, so only an
    `INTERVALUNIT` parameter takes it and a no-match message shows it as `null`."""


INTERVAL_UNIT_ARG = IntervalUnitArg()

# None is an untyped NULL literal
ArgType = SqlType | LambdaArg | IntervalUnitArg | None

ReturnRule = Callable[[Sequence[SqlType | None], Mapping[str, SqlType]], SqlType]
Binder = Callable[[Sequence[SqlType | None], SqlType], Callable[..., Any]]


@dataclass(frozen=True, slots=True)
class Variant:
    """One signature of a scalar function and its implementation.

    `impl` is called with the argument values; `bind(arg_types, return_type)` instead builds
    the callable once per query for implementations that depend on types. `strict` variants
    return NULL when any argument is NULL without being called (most ksqlDB UDFs do that).
    """

    params: tuple[Param, ...]
    returns: Pattern | ReturnRule
    impl: Callable[..., Any] | None = None
    bind: Binder | None = None
    strict: bool = True
    description: str = ""

    @property
    def is_variadic(self) -> bool:
        return bool(self.params) and self.params[-1].variadic

    def signature_text(self, name: str) -> str:
        return f"{name}({', '.join(str(p) for p in self.params)})"

    def return_text(self) -> str:
        return str(self.returns) if isinstance(self.returns, Pattern) else "depends on arguments"


def variant(
    signature: str,
    impl: Callable[..., Any] | None = None,
    *,
    bind: Binder | None = None,
    strict: bool = True,
    returns: ReturnRule | None = None,
    description: str = "",
) -> Variant:
    """A variant from `"STRING str, INT pos -> STRING"` (the return part may be a rule)."""
    params_text, sep, ret_text = signature.rpartition("->")
    if not sep:
        params_text, ret_text = signature, ""
    params_text = params_text.strip()
    params = parse_params(params_text) if params_text else ()
    ret: Pattern | ReturnRule = returns if returns is not None else parse_pattern(ret_text)
    return Variant(params, ret, impl, bind, strict, description)


@dataclass(frozen=True, slots=True)
class ResolvedCall:
    """A scalar call resolved for concrete argument types.

    `arg_types[i]` is the type argument i must be converted to before the call (None for a
    NULL literal); for a lambda argument it is the tuple of the lambda's parameter types.
    """

    name: str
    return_type: SqlType
    arg_types: tuple[SqlType | tuple[SqlType, ...] | None, ...]
    fn: Callable[..., Any]
    strict: bool


@dataclass(frozen=True, slots=True)
class ScalarFunction:
    name: str
    category: str
    description: str
    variants: tuple[Variant, ...]
    # What DESCRIBE FUNCTION shows as Author and Jar (user functions say where they live).
    author: str = "Confluent"
    path: str = "internal"

    def resolve(self, args: Sequence[ArgType]) -> ResolvedCall:
        from tote.sql.functions.resolution import resolve_scalar

        return resolve_scalar(self, args)


def scalar(name: str, category: str, description: str, *variants: Variant) -> ScalarFunction:
    return ScalarFunction(name, category, description, tuple(variants))


# --- aggregates ---------------------------------------------------------------------------


class Aggregator(ABC):
    """A resolved aggregate: accumulator life cycle for one aggregate call in one query.

    Accumulators are treated as immutable values (every method returns a new one), and
    `to_state`/`from_state` turn them into JSON-compatible data for state stores.
    """

    return_type: SqlType
    supports_undo: bool = True

    def configure(self, settings: Mapping[str, str]) -> None:
        """Reads the `ksql.functions.*` config the query runs with; most ignore it."""
        del settings

    @abstractmethod
    def init(self) -> Any: ...

    @abstractmethod
    def add(self, acc: Any, *args: Any) -> Any: ...

    def undo(self, acc: Any, *args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} cannot retract values")

    @abstractmethod
    def result(self, acc: Any) -> Any: ...

    # Generated per-record code (the GROUP BY stream path) inlines these instead of
    # calling `add` / `result`: a Python expression over the accumulator `acc` and the
    # argument names `args` (each may be read more than once), or None to make the call.
    def add_code(self, acc: str, args: Sequence[str]) -> str | None:
        del acc, args
        return None

    def result_code(self, acc: str) -> str | None:
        del acc
        return None

    @abstractmethod
    def merge(self, a: Any, b: Any) -> Any: ...

    def to_state(self, acc: Any) -> Any:
        return acc

    @property
    def stores_as_is(self) -> bool:
        """Whether `to_state` gives every accumulator back unchanged (writing a group's
        state then skips the calls)."""
        return type(self).to_state is Aggregator.to_state

    def from_state(self, state: Any) -> Any:
        return state


AggregateResolver = Callable[[Sequence[SqlType], Sequence[Any]], Aggregator]


@dataclass(frozen=True, slots=True)
class AggregateFunction:
    """An aggregate. `value_args` is how many leading arguments are per-row values (the
    rest must be literals, ksqlDB's "init args"); `signatures` are for DESCRIBE FUNCTION."""

    name: str
    description: str
    signatures: tuple[Variant, ...]
    resolver: AggregateResolver
    value_args: int = 1
    table_safe: bool = True  # can retract (usable on a table source)
    # Variadic per-row arguments (TOPK's extra columns): every argument but this many
    # trailing literals is a per-row value; `value_args` is then ignored.
    trailing_literals: int | None = None
    # Whether the types of all the arguments (per-row and init) fit a signature, checked
    # before the init arguments must be literals, the order ksqlDB resolves a call in.
    accepts: Callable[[Sequence[SqlType | None]], bool] | None = None
    category: str = "AGGREGATE"
    author: str = "Confluent"
    path: str = "internal"

    def resolve(self, arg_types: Sequence[SqlType], literal_args: Sequence[Any]) -> Aggregator:
        """`arg_types`: types of the per-row arguments; `literal_args`: the init literals."""
        return self.resolver(arg_types, literal_args)

    def split(self, arg_count: int) -> int:
        """How many of `arg_count` arguments are per-row values."""
        if self.trailing_literals is not None:
            return max(arg_count - self.trailing_literals, min(1, arg_count))
        return min(self.value_args, arg_count)


# --- table functions ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedTableFunction:
    return_type: SqlType
    fn: Callable[..., list[Any]]


@dataclass(frozen=True, slots=True)
class TableFunction:
    name: str
    description: str
    signatures: tuple[Variant, ...]
    resolver: Callable[[Sequence[SqlType | None]], ResolvedTableFunction]
    category: str = "TABLE"
    author: str = "Confluent"
    path: str = "internal"

    def resolve(self, arg_types: Sequence[SqlType | None]) -> ResolvedTableFunction:
        return self.resolver(arg_types)


# --- descriptions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ParameterDescription:
    name: str
    type: str
    is_variadic: bool


@dataclass(frozen=True, slots=True)
class SignatureDescription:
    arguments: tuple[ParameterDescription, ...]
    return_type: str
    description: str


@dataclass(frozen=True, slots=True)
class FunctionDescription:
    """What DESCRIBE FUNCTION shows."""

    name: str
    type: str  # SCALAR, AGGREGATE or TABLE
    category: str
    description: str
    signatures: tuple[SignatureDescription, ...] = field(default=())
    author: str = "Confluent"
    version: str = ""
    path: str = "internal"


@dataclass(frozen=True, slots=True)
class FunctionSummary:
    """One row of SHOW FUNCTIONS."""

    name: str
    type: str
    category: str


def describe_variants(variants: Sequence[Variant]) -> tuple[SignatureDescription, ...]:
    return tuple(
        SignatureDescription(
            tuple(
                ParameterDescription(
                    p.name, str(p.pattern) + ("[]" if p.variadic else ""), p.variadic
                )
                for p in v.params
            ),
            v.return_text(),
            v.description,
        )
        for v in variants
    )
