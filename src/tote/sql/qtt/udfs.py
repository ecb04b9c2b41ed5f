"""Test functions ksqlDB's harness loads alongside the built-ins (`BAD_UDF`, `TEST_UDF`,
`WHENCONDITION`...), written from their documented behaviour so the cases that exercise
failing expressions, variant choice and lazy evaluation run. Like Java UDFs they are
called with NULL arguments too (not strict)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import SqlType
from tote.sql.functions import FunctionRegistry
from tote.sql.functions.base import ScalarFunction, scalar, variant
from tote.sql.qtt import udafs, udtfs


def _blow_up(value: int) -> str:
    raise RuntimeError("boom!")


def _might_throw(flag: bool) -> int:
    if flag:
        raise RuntimeError("You asked me to throw...")
    return 0


def _every_other(types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., Any]:
    calls = [0]

    def run(value: str | None) -> str | None:
        index = calls[0]
        calls[0] += 1
        return None if index % 2 == 0 else value

    return run


def bad_udf() -> ScalarFunction:
    return scalar("BAD_UDF", "TEST", "throws exceptions when called",
                  variant("INT arg1 -> STRING", _blow_up),
                  variant("BOOLEAN arg -> INT", _might_throw),
                  variant("STRING arg -> STRING", bind=_every_other, strict=False))


_SHAPE = t.struct(("A", t.STRING))  # the STRUCT<A VARCHAR> TEST_UDF and TOSTRUCT use


def _named(name: str) -> Callable[..., str]:
    """TEST_UDF's variants answer which of them was chosen."""
    return lambda *args: name


def _field_a(value: dict[str, Any] | None) -> Any:
    if value is None:
        raise ValueError("null struct")
    return value.get("A")


def variant_choice_udf() -> ScalarFunction:
    return scalar(
        "TEST_UDF", "TEST", "test",
        variant("INT arg1, STRING arg2 -> STRING", _named("doStuffIntString"), strict=False),
        variant("BIGINT arg1, STRING arg2 -> STRING", _named("doStuffLongString"), strict=False),
        variant("BIGINT arg1, BIGINT arg2, STRING arg3 -> STRING",
                _named("doStuffLongLongString"), strict=False),
        variant("BIGINT... longs -> STRING", _named("doStuffLongVarargs"), strict=False),
        variant("STRUCT struct -> STRING", _field_a, strict=False),
        variant("", lambda: {"A": "foo"}, strict=False, returns=lambda args, bound: _SHAPE),
    )


def to_struct() -> ScalarFunction:
    return scalar("TOSTRUCT", "TEST", "wraps a string with a struct",
                  variant("STRING value", lambda value: {"A": value}, strict=False,
                          returns=lambda args, bound: _SHAPE))


def _lazily(message: str) -> Callable[[Any, bool], Any]:
    """WHENCONDITION / WHENRESULT: their first argument, or a failure when the second says
    the expression should not have been evaluated at all."""
    def run(value: Any, should_be_evaluated: bool) -> Any:
        if not should_be_evaluated:
            raise RuntimeError(message)
        return value

    return run


def when_functions() -> list[ScalarFunction]:
    return [
        scalar("WHENCONDITION", "TEST", "a CASE condition that must run lazily",
               variant("BOOLEAN retValue, BOOLEAN shouldBeEvaluated -> BOOLEAN",
                       _lazily("When condition in case is not running lazily!"),
                       strict=False)),
        scalar("WHENRESULT", "TEST", "a CASE result that must run lazily",
               variant("INT retVal, BOOLEAN shouldBeEvaluated -> INT",
                       _lazily("Then expression in case is not running lazily!"),
                       strict=False)),
    ]


def with_test_functions(functions: FunctionRegistry) -> FunctionRegistry:
    return functions.with_functions([
        bad_udf(), variant_choice_udf(), to_struct(), *when_functions(), *udafs.functions(),
        *udtfs.functions(),
    ])
