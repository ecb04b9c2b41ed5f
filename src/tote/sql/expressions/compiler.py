"""Compile expressions once per query into one Python function (STYLE §4).

`compile_projection` turns all SELECT expressions into a single `def` returning a tuple;
each expression sits in its own try block because ksqlDB makes a failing expression NULL
for that row and reports it to the processing log, without stopping the query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tote.core.errors import SqlError
from tote.core.types import Base, SqlType
from tote.sql.ast import expressions as e
from tote.sql.expressions.codegen import CodeGen
from tote.sql.expressions.errors import ErrorSink, ExpressionError, error_at, ignore_errors
from tote.sql.expressions.formatter import format_expression
from tote.sql.expressions.scope import Scope
from tote.sql.expressions.typing import TypeChecker
from tote.sql.functions.registry import FunctionRegistry
from tote.sql.functions.semantics.casts import UnsupportedCast, converter
from tote.sql.functions.widening import can_widen

TOO_DEEP = "Expression is too deeply nested to compile."


@dataclass(frozen=True)
class Compiled:
    """Generated source (shown by EXPLAIN), the compiled callable, and the result types."""

    source: str
    fn: Callable[[Sequence[Any]], Any]
    types: tuple[SqlType | None, ...] = field(default=())


def _reporter(
    texts: Sequence[str], on_error: ErrorSink
) -> Callable[[int, BaseException, Sequence[Any]], None]:
    def report(index: int, error: BaseException, row: Sequence[Any]) -> None:
        message = str(error) or type(error).__name__
        on_error(ExpressionError(index, texts[index], message, row, error))

    return report


def _safe_caller(
    report: Callable[[int, BaseException, Sequence[Any]], None],
) -> Callable[[Callable[[], Any], int, Sequence[Any]], Any]:
    def safe(thunk: Callable[[], Any], index: int, row: Sequence[Any]) -> Any:
        try:
            return thunk()
        except Exception as exc:  # noqa: BLE001 - reported, and the value is NULL (ksqlDB)
            report(index, exc, row)
            return None

    return safe


@dataclass(frozen=True)
class Around:
    """What an operator generates around a projection so that a record costs it one call:
    the function `name(param)`, its `head` lines (which bind `row`, or return), then the
    projection, then `tail(the projected tuple)`; the lines use names from `env`.

    With `columns` (per slot, a cheap expression reading that column: a name or a
    subscript), the head binds no `row` and `row` is the expression building it: the
    projection reads its columns instead, and builds the row only where it needs it
    whole (to report an error, or for `_safe`)."""

    name: str
    param: str
    head: Sequence[str]
    tail: Callable[[str], Sequence[str]]
    env: dict[str, Any] = field(default_factory=dict)
    row: str = "row"
    columns: Sequence[str] | None = None


def _build(
    name: str, body: list[str], gen: CodeGen, texts: Sequence[str], on_error: ErrorSink,
    *, env: dict[str, Any] | None = None, param: str = "row",
) -> tuple[str, Callable[[Sequence[Any]], Any]]:
    source = "\n".join([f"def {name}({param}):", *("    " + line for line in body)]) + "\n"
    namespace: dict[str, Any] = dict(env or {})
    namespace.update(gen.globals)
    namespace["_report"] = _reporter(texts, on_error)
    namespace["_safe"] = _safe_caller(namespace["_report"])
    namespace["__builtins__"] = {"Exception": Exception}
    try:
        code = compile(source, f"<tote:{name}>", "exec")
    except (SyntaxError, RecursionError, MemoryError):
        raise SqlError(TOO_DEEP) from None
    exec(code, namespace)
    fn: Callable[[Sequence[Any]], Any] = namespace[name]
    return source, fn


def _checked(
    exprs: Sequence[e.Expression], scope: Scope | None, functions: FunctionRegistry
) -> tuple[TypeChecker, list[SqlType | None]]:
    checker = TypeChecker(scope, functions)
    try:
        return checker, [checker.check(x) for x in exprs]
    except RecursionError:
        raise SqlError(TOO_DEEP) from None


def compile_projection(
    exprs: Sequence[e.Expression],
    scope: Scope,
    functions: FunctionRegistry,
    *,
    on_error: ErrorSink = ignore_errors,
    around: Around | None = None,
) -> Compiled:
    """One function `row -> tuple` computing every expression; a failing one yields None
    (with `around`, that operator's function instead, the projection inline)."""
    checker, types = _checked(exprs, scope, functions)
    assert around is None or (around.row == "row") == (around.columns is None)
    gen = CodeGen(checker, around.columns if around is not None else None)
    frags = []
    for index, expr in enumerate(exprs):
        gen.index = index
        frags.append(gen.generate(expr))
    # Where the head builds no row, it is built here if `_safe` needs it, else only to
    # report an error.
    row = around.row if around is not None else "row"
    body: list[str] = []
    if row != "row" and gen.row_used:
        body.append(f"row = {row}")
        row = "row"
    for index, (expr, frag) in enumerate(zip(exprs, frags, strict=True)):
        if isinstance(expr, (e.ColumnRef, e.Literal)):
            body.append(f"v{index} = {frag.code}")
            continue
        body += [
            "try:",
            f"    v{index} = {frag.code}",
            "except Exception as exc:",
            f"    v{index} = None",
            f"    _report({index}, exc, {row})",
        ]
    values = ", ".join(f"v{i}" for i in range(len(exprs)))
    projected = f"({values}{',' if len(exprs) == 1 else ''})"
    texts = [format_expression(x) for x in exprs]
    if around is not None:
        source, fn = _build(around.name, [*around.head, *body, *around.tail(projected)], gen,
                            texts, on_error, env=around.env, param=around.param)
    else:
        source, fn = _build("project", [*body, f"return {projected}"], gen, texts, on_error)
    return Compiled(source, fn, tuple(types))


def compile_predicate(
    expr: e.Expression,
    scope: Scope,
    functions: FunctionRegistry,
    *,
    on_error: ErrorSink = ignore_errors,
) -> Compiled:
    """`row -> bool`: NULL and errors count as False (the row is filtered out)."""
    checker, (kind,) = _checked([expr], scope, functions)
    if kind is not None and kind.base is not Base.BOOLEAN:
        raise error_at(
            expr,
            "Type error in WHERE expression: Should evaluate to boolean but is "
            f"{format_expression(expr)} ({kind}) instead.",
        )
    gen = CodeGen(checker)
    frag = gen.generate(expr)
    test = f"{frag.code} is True" if frag.nullable else frag.code
    body = [
        "try:",
        f"    return {test}",
        "except Exception as exc:",
        "    _report(0, exc, row)",
        "    return False",
    ]
    source, fn = _build("predicate", body, gen, [format_expression(expr)], on_error)
    return Compiled(source, fn, (kind,))


def compile_value(
    expr: e.Expression,
    scope: Scope,
    functions: FunctionRegistry,
    *,
    on_error: ErrorSink = ignore_errors,
) -> Compiled:
    """`row -> value` for one expression (GROUP BY keys, PARTITION BY, aggregate arguments)."""
    checker, (kind,) = _checked([expr], scope, functions)
    gen = CodeGen(checker)
    frag = gen.generate(expr)
    body = [
        "try:",
        f"    return {frag.code}",
        "except Exception as exc:",
        "    _report(0, exc, row)",
        "    return None",
    ]
    source, fn = _build("value", body, gen, [format_expression(expr)], on_error)
    return Compiled(source, fn, (kind,))


def evaluate_constant(
    expr: e.Expression, functions: FunctionRegistry, target: SqlType | None = None
) -> Any:
    """The value of a column-free expression (INSERT VALUES), converted to `target`.

    Unlike a query, a failure here is the statement's error, so it raises SqlError.
    """
    checker, (kind,) = _checked([expr], Scope([]), functions)
    gen = CodeGen(checker)
    frag = gen.generate(expr)
    errors: list[ExpressionError] = []
    source, fn = _build(
        "constant", [f"return {frag.code}"], gen, [format_expression(expr)], errors.append
    )
    del source
    try:
        value = fn(())
    except Exception as exc:  # noqa: BLE001 - any function failure (e.g. re.error for a bad
        # REGEXP_* pattern) is the statement's error, as `_safe` makes it a query's NULL
        raise error_at(
            expr, f"Failed to evaluate expression {format_expression(expr)}: {exc}"
        ) from None
    if errors:  # a function `_safe` caught: ksqlDB's INSERT VALUES logger throws, too
        raise error_at(
            expr, f"Failed to evaluate expression {format_expression(expr)}: "
            f"{errors[0].message}")
    if target is None or value is None or kind is None or kind == target:
        return value
    return coerce_value(expr, value, kind, target)


def coerce_value(node: e.Expression, value: Any, source: SqlType, target: SqlType) -> Any:
    """A value of `source` converted to `target` for storing (INSERT VALUES)."""
    allowed = can_widen(source, target) or source.base is Base.STRING or source.base is target.base
    if not allowed:
        raise error_at(
            node,
            f"Expected type {target} for {format_expression(node)} but got {source}",
        )
    try:
        conv = converter(source, target)
        return conv(value) if conv is not None else value
    except UnsupportedCast:
        raise error_at(
            node, f"Expected type {target} for {format_expression(node)} but got {source}"
        ) from None
    except (ArithmeticError, ValueError) as exc:
        raise error_at(
            node, f"Could not coerce {format_expression(node)} to {target}: {exc}"
        ) from None


__all__ = [
    "Around",
    "Compiled",
    "SqlError",
    "coerce_value",
    "compile_predicate",
    "compile_projection",
    "compile_value",
    "evaluate_constant",
]
