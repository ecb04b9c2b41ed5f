"""Choosing a scalar function's variant for the argument types of a call (ksqlDB's UdfIndex).

Two passes, as ksqlDB does: first an exact match (generics bind to the argument types,
NULL literals match anything), then one that allows implicit widening (INT → BIGINT →
DECIMAL → DOUBLE, STRING → DATE/TIME/TIMESTAMP/BYTES). Within a pass the best-ranked
variant wins (`_rank`); two equally ranked ones make the call ambiguous, an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.functions.base import (
    ArgType,
    IntervalUnitArg,
    LambdaArg,
    ResolvedCall,
    ScalarFunction,
    Variant,
)
from tote.sql.functions.patterns import (
    AnyOf,
    ArrayOf,
    Concrete,
    Generic,
    IntervalUnitParam,
    LambdaOf,
    MapOf,
    Pattern,
)
from tote.sql.functions.udf_names import udf_name
from tote.sql.functions.widening import FROM_STRING, as_decimal, can_widen, wider_numeric


class NoMatchingVariant(Exception):
    """No variant accepts the arguments; carries ksqlDB's message."""


@dataclass(slots=True)
class _Match:
    variant: Variant
    arg_types: list[SqlType | tuple[SqlType, ...] | None]
    bindings: dict[str, SqlType]
    casts: int


def _unify(
    pattern: Pattern, arg: SqlType, bindings: dict[str, SqlType], casts: bool
) -> SqlType | None:
    """The type `arg` converts to for `pattern`, binding generics; None if it cannot."""
    if isinstance(pattern, Concrete):
        if arg == pattern.type or (casts and _implicit(arg, pattern.type)):
            return pattern.type
        return None
    if isinstance(pattern, AnyOf):
        if arg.base is pattern.base:
            return arg
        if casts and pattern.base is Base.DECIMAL and arg.base in (Base.INTEGER, Base.BIGINT):
            return as_decimal(arg)
        return None
    if isinstance(pattern, Generic):
        bound = bindings.get(pattern.name)
        if bound is None:
            bindings[pattern.name] = arg
            return arg
        if bound == arg:
            return arg
        if casts and bound.is_numeric and arg.is_numeric:
            wider = wider_numeric(bound, arg)
            bindings[pattern.name] = wider
            return wider
        if casts and can_widen(arg, bound):
            return bound
        return None
    if isinstance(pattern, ArrayOf):
        if arg.base is not Base.ARRAY or arg.element is None:
            return None
        element = _unify(pattern.element, arg.element, bindings, False)
        return t.array(element) if element is not None else None
    if isinstance(pattern, MapOf):
        if arg.base is not Base.MAP or arg.key is None or arg.value is None:
            return None
        key = _unify(pattern.key, arg.key, bindings, False)
        value = _unify(pattern.value, arg.value, bindings, False)
        return t.map_of(key, value) if key is not None and value is not None else None
    return None


def _implicit(arg: SqlType, target: SqlType) -> bool:
    if arg.is_numeric:
        return can_widen(arg, target)
    return arg.base is Base.STRING and target.base in FROM_STRING


def substitute(pattern: Pattern, bindings: dict[str, SqlType]) -> SqlType | None:
    """The concrete type of `pattern` under `bindings`, None if a generic is unbound."""
    if isinstance(pattern, Concrete):
        return pattern.type
    if isinstance(pattern, Generic):
        return bindings.get(pattern.name)
    if isinstance(pattern, ArrayOf):
        element = substitute(pattern.element, bindings)
        return t.array(element) if element is not None else None
    if isinstance(pattern, MapOf):
        key, value = substitute(pattern.key, bindings), substitute(pattern.value, bindings)
        return t.map_of(key, value) if key is not None and value is not None else None
    return None


def _param_for(variant: Variant, index: int) -> Pattern | None:
    params = variant.params
    if index < len(params) and not params[index].variadic:
        return params[index].pattern
    if variant.is_variadic and index >= len(params) - 1:
        return params[-1].pattern
    return None


def _try(variant: Variant, args: Sequence[ArgType], casts: bool) -> _Match | None:
    params = variant.params
    fixed = len(params) - 1 if variant.is_variadic else len(params)
    if len(args) < fixed or (not variant.is_variadic and len(args) != fixed):
        return None
    bindings: dict[str, SqlType] = {}
    resolved: list[SqlType | tuple[SqlType, ...] | None] = []
    cast_count = 0
    # Lambdas are typed after the other arguments have bound the generics.
    order = sorted(range(len(args)), key=lambda i: isinstance(args[i], LambdaArg))
    slots: dict[int, SqlType | tuple[SqlType, ...] | None] = {}
    for i in order:
        pattern = _param_for(variant, i)
        arg = args[i]
        if pattern is None:
            return None
        if isinstance(arg, LambdaArg):
            if not isinstance(pattern, LambdaOf) or len(pattern.params) != arg.arity:
                return None
            param_types = [substitute(p, bindings) for p in pattern.params]
            if any(p is None for p in param_types):
                return None
            concrete = tuple(p for p in param_types if p is not None)
            body = arg.type_body(concrete)
            if body is None or _unify(pattern.result, body, bindings, casts) is None:
                return None
            slots[i] = concrete
            continue
        if isinstance(arg, IntervalUnitArg) or isinstance(pattern, IntervalUnitParam):
            # A unit keyword fits only a unit parameter, which takes nothing else but NULL.
            if arg is not None and not (
                isinstance(arg, IntervalUnitArg) and isinstance(pattern, IntervalUnitParam)
            ):
                return None
            slots[i] = None
            continue
        if isinstance(pattern, LambdaOf):
            return None
        if arg is None:
            slots[i] = None
            continue
        target = _unify(pattern, arg, bindings, casts)
        if target is None:
            return None
        cast_count += target != arg
        slots[i] = target
    for i in range(len(args)):
        resolved.append(slots[i])
    # Generic arguments bound before a later widening must be widened too.
    for i, arg in enumerate(args):
        pattern = _param_for(variant, i)
        if isinstance(pattern, Generic) and isinstance(arg, SqlType):
            resolved[i] = bindings[pattern.name]
    return _Match(variant, resolved, bindings, cast_count)


def arg_text(arg: ArgType) -> str:
    if arg is None or isinstance(arg, IntervalUnitArg):
        return "null"
    if isinstance(arg, LambdaArg):
        return "LAMBDA"
    return _no_escape(arg)


def _no_escape(sql: SqlType) -> str:
    return str(sql).replace("`", "")


def no_match_message(function: ScalarFunction, args: Sequence[ArgType]) -> str:
    alternatives = "\n".join(v.signature_text(function.name) for v in function.variants)
    return (
        f"Function '{udf_name(function.name)}' does not accept parameters "
        f"({', '.join(arg_text(a) for a in args)}).\n"
        f"Valid alternatives are:\n{alternatives}\n"
        "For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"
    )


def ambiguous_message(function: ScalarFunction, args: Sequence[ArgType]) -> str:
    calls = "\n".join(v.signature_text(function.name) for v in function.variants)
    return (
        f"Function '{udf_name(function.name)}' cannot be resolved due to ambiguous method "
        f"parameters ({', '.join(arg_text(a) for a in args)}).\n"
        "Use CAST() to explicitly cast your parameters to one of the supported function "
        f"calls.\nValid function calls are:\n{calls}\n"
        "For detailed information on a function run: DESCRIBE FUNCTION <Function-Name>;"
    )


def _has_generic(pattern: Pattern) -> bool:
    if isinstance(pattern, Generic):
        return True
    if isinstance(pattern, ArrayOf):
        return _has_generic(pattern.element)
    if isinstance(pattern, MapOf):
        return _has_generic(pattern.key) or _has_generic(pattern.value)
    if isinstance(pattern, LambdaOf):
        return any(map(_has_generic, pattern.params)) or _has_generic(pattern.result)
    return False


def _rank(v: Variant) -> tuple[int, int, int, int]:
    """ksqlDB's preference among matching variants: fixed arity over varargs, then more
    parameters, then fewer generic ones, then a later variadic position."""
    variadic = next((i for i, p in enumerate(v.params) if p.variadic), -1)
    generics = sum(_has_generic(p.pattern) for p in v.params)
    return (0 if v.is_variadic else 1, len(v.params), -generics, variadic)


def _pick(function: ScalarFunction, found: list[_Match], args: Sequence[ArgType]) -> _Match:
    """The best-ranked match; two equally ranked ones make the call ambiguous."""
    found.sort(key=lambda m: _rank(m.variant), reverse=True)
    if len(found) > 1 and _rank(found[0].variant) == _rank(found[1].variant):
        raise NoMatchingVariant(ambiguous_message(function, args))
    return found[0]


def resolve_scalar(function: ScalarFunction, args: Sequence[ArgType]) -> ResolvedCall:
    best: _Match | None = None
    for casts in (False, True):
        found = [m for v in function.variants if (m := _try(v, args, casts)) is not None]
        if found:
            best = _pick(function, found, args)
            break
    if best is None:
        raise NoMatchingVariant(no_match_message(function, args))
    v = best.variant
    value_args = [a if isinstance(a, SqlType) else None for a in best.arg_types]
    if isinstance(v.returns, Pattern):
        ret = substitute(v.returns, best.bindings)
        if ret is None:
            raise NoMatchingVariant(
                "Can't infer a type of null. Please explicitly cast it to a required type, "
                "e.g. CAST(null AS VARCHAR)."
            )
    else:
        ret = v.returns(value_args, best.bindings)
    if v.bind is not None:
        fn = v.bind(value_args, ret)
    else:
        assert v.impl is not None, function.name
        fn = v.impl
    return ResolvedCall(function.name, ret, tuple(best.arg_types), fn, v.strict)
