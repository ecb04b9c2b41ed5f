"""Test table functions ksqlDB's harness loads alongside the built-ins (TEST_UDTF and
THROWING_UDTF), written from their documented behaviour: each variant of TEST_UDTF returns
its arguments' text (or its one argument) so cases can check how arguments of every type
reach a table function and how its result type is declared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import SqlType
from tote.sql.functions.base import (
    ResolvedTableFunction,
    ScalarFunction,
    TableFunction,
    Variant,
    scalar,
    variant,
)
from tote.sql.functions.semantics.casts import java_text

_SHAPE = t.struct(("A", t.STRING))  # the STRUCT<A VARCHAR> its struct parameters declare


def _present(value: Any) -> Any:
    """Java unboxes (or dereferences) every argument: a NULL one fails the call."""
    if value is None:
        raise ValueError("null argument")
    return value


def _first(container: Any) -> Any:
    """The first element of a list, or the first value of a map."""
    items = container if isinstance(container, list) else list(container.values())
    return _present(items[0])


def _texts(pick: Callable[[Any], Any], inner: bool) -> Any:
    """`String.valueOf` of (`pick` of) each argument, one row each; `inner`: the text is
    of an element (an array's, a map's value), typed as such."""
    def bind(types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., list[Any]]:
        shown = [_inner(ty) if inner else ty for ty in types]

        def run(*values: Any) -> list[Any]:
            return [java_text(pick(_present(v)), ty) for v, ty in zip(values, shown, strict=True)]

        return run

    return bind


def _inner(sql: SqlType | None) -> SqlType | None:
    if sql is None:
        return None
    return sql.element if sql.element is not None else sql.value


def _itself(types: Sequence[SqlType | None], ret: SqlType) -> Callable[..., list[Any]]:
    return lambda value: [_present(value)]


def _throw_if_true(should_throw: Any) -> list[Any]:
    if _present(should_throw):
        raise RuntimeError("You asked me to throw...")
    return [should_throw]


def _test_udtf_variants() -> list[Variant]:
    names = "ilbdsxt"
    kinds = ("INT", "BIGINT", "DOUBLE", "BOOLEAN", "STRING", "DECIMAL", "STRUCT")

    def params(shape: str, first: str | None = None) -> str:
        shown = [shape.format(k) for k in kinds]
        if first is not None:
            shown[0] = first
        return ", ".join(f"{p} {n}" for p, n in zip(shown, names, strict=True))

    scalars, arrays = params("{}"), params("ARRAY<{}>")
    maps, maps_long_key = params("MAP<STRING, {}>"), params("MAP<STRING, {}>", "MAP<BIGINT, INT>")
    singles = [
        variant(f"{ty} value -> {ty}", bind=_itself, strict=False)
        for ty in ("INT", "BIGINT", "DOUBLE", "BOOLEAN", "STRING")
    ]
    return [
        variant(f"{scalars} -> STRING", bind=_texts(_present, False), strict=False),
        variant(f"{arrays} -> STRING", bind=_texts(_first, True), strict=False),
        variant(f"{maps} -> STRING", bind=_texts(_first, True), strict=False),
        variant(f"{maps_long_key} -> STRING", bind=_texts(_first, True), strict=False),
        *singles,
        variant("DECIMAL value", bind=_itself, strict=False,
                returns=lambda args, bound: t.decimal(30, 10)),
        variant("STRUCT value", bind=_itself, strict=False, returns=lambda args, bound: _SHAPE),
    ]


def _table(function: ScalarFunction) -> Callable[[Sequence[SqlType | None]], Any]:
    """Resolves like a scalar function whose call returns the rows."""
    def resolve(arg_types: Sequence[SqlType | None]) -> ResolvedTableFunction:
        call = function.resolve(list(arg_types))
        return ResolvedTableFunction(call.return_type, call.fn)

    return resolve


def functions() -> list[TableFunction]:
    test_udtf = scalar("TEST_UDTF", "TABLE", "test", *_test_udtf_variants())
    throwing = scalar("THROWING_UDTF", "TABLE", "test UDTF that throws if param is true",
                      variant("BOOLEAN shouldThrow -> BOOLEAN", _throw_if_true, strict=False))
    return [
        TableFunction(f.name, f.description, f.variants, _table(f))
        for f in (test_udtf, throwing)
    ]
