"""The function registry: an immutable name → function table built by `default_functions()`.

No module-level registry: each engine gets its own instance (tests build their own too), and
`with_functions` returns an extended copy for user-supplied functions.
"""

from __future__ import annotations

from collections.abc import Iterable

from tote.core.errors import SqlError
from tote.sql.functions.base import (
    AggregateFunction,
    FunctionDescription,
    FunctionSummary,
    ScalarFunction,
    TableFunction,
    describe_variants,
)

Function = ScalarFunction | AggregateFunction | TableFunction


def _unknown(name: str) -> SqlError:
    return SqlError(f"Can't find any functions with the name '{name}'")


class FunctionRegistry:
    """Scalar, aggregate and table functions by upper-case name."""

    def __init__(self, functions: Iterable[Function] = ()) -> None:
        self._functions: dict[str, Function] = {}
        for function in functions:
            if function.name in self._functions:
                raise ValueError(f"function {function.name} declared twice")
            self._functions[function.name] = function

    def with_functions(self, functions: Iterable[Function]) -> FunctionRegistry:
        return FunctionRegistry([*self._functions.values(), *functions])

    def kind(self, name: str) -> str | None:
        """ "SCALAR", "AGGREGATE", "TABLE", or None when there is no such function."""
        function = self._functions.get(name.upper())
        if isinstance(function, ScalarFunction):
            return "SCALAR"
        if isinstance(function, AggregateFunction):
            return "AGGREGATE"
        if isinstance(function, TableFunction):
            return "TABLE"
        return None

    def is_aggregate(self, name: str) -> bool:
        return self.kind(name) == "AGGREGATE"

    def is_table(self, name: str) -> bool:
        return self.kind(name) == "TABLE"

    def scalar(self, name: str) -> ScalarFunction:
        function = self._functions.get(name.upper())
        if not isinstance(function, ScalarFunction):
            raise _unknown(name)
        return function

    def aggregate(self, name: str) -> AggregateFunction:
        function = self._functions.get(name.upper())
        if not isinstance(function, AggregateFunction):
            raise _unknown(name)
        return function

    def table(self, name: str) -> TableFunction:
        function = self._functions.get(name.upper())
        if not isinstance(function, TableFunction):
            raise _unknown(name)
        return function

    def describe(self, name: str) -> FunctionDescription:
        function = self._functions.get(name.upper())
        if function is None:
            raise _unknown(name)
        kind = self.kind(name) or ""
        variants = (
            function.variants if isinstance(function, ScalarFunction) else function.signatures
        )
        return FunctionDescription(
            name=function.name,
            type=kind,
            category=function.category,
            description=function.description,
            signatures=describe_variants(variants),
            author=function.author,
            path=function.path,
        )

    def list(self) -> list[FunctionSummary]:
        """All functions sorted by name, as SHOW FUNCTIONS lists them."""
        return [
            FunctionSummary(name, self.kind(name) or "", function.category)
            for name, function in sorted(self._functions.items())
        ]
