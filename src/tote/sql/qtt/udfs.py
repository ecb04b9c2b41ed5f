"""Test functions ksqlDB's harness loads alongside the built-ins (its `BAD_UDF`), written
from their documented behaviour so the cases that exercise failing expressions run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tote.core.types import SqlType
from tote.sql.functions import FunctionRegistry
from tote.sql.functions.base import ScalarFunction, scalar, variant


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


def with_test_functions(functions: FunctionRegistry) -> FunctionRegistry:
    return functions.with_functions([bad_udf()])
