"""Code generation for operators: arithmetic with Java semantics, comparisons in one value
domain, three-valued logic, IN, LIKE and CASE. Functions of the `CodeGen` they extend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tote.core.types import Base
from tote.sql.ast import expressions as e
from tote.sql.expressions import runtime as rt
from tote.sql.expressions.errors import error_at
from tote.sql.expressions.fragment import Fragment
from tote.sql.expressions.typerules import logical_operands
from tote.sql.functions.semantics import numbers as num

if TYPE_CHECKING:
    from tote.sql.expressions.codegen import CodeGen

_PY_COMPARE = {
    e.ComparisonOp.EQUAL: "==",
    e.ComparisonOp.NOT_EQUAL: "!=",
    e.ComparisonOp.LESS_THAN: "<",
    e.ComparisonOp.LESS_THAN_OR_EQUAL: "<=",
    e.ComparisonOp.GREATER_THAN: ">",
    e.ComparisonOp.GREATER_THAN_OR_EQUAL: ">=",
}


def subscript(gen: CodeGen, node: e.Subscript) -> Fragment:
    base_type = gen.type(node.base)
    base, index = gen.gen(node.base), gen.gen(node.index)
    if base_type is not None and base_type.base is Base.ARRAY:
        helper = gen.bind(rt.array_at, "array_at")
        return gen.guard([base, index], lambda v: f"{helper}({v[0]}, {v[1]})")
    assert base_type is not None and base_type.key is not None
    index = gen.convert(index, gen.type(node.index), base_type.key)
    return gen.guard([base, index], lambda v: f"{v[0]}.get({v[1]})")


def unary(gen: CodeGen, node: e.ArithmeticUnary) -> Fragment:
    inner = gen.gen(node.operand)
    if node.sign is e.Sign.PLUS:
        return inner
    kind = gen.type(node)
    if kind is not None and kind.base is Base.INTEGER:
        wrap = gen.bind(num.wrap32, "wrap32")
        return gen.guard([inner], lambda v: f"{wrap}(-{v[0]})")
    if kind is not None and kind.base is Base.BIGINT:
        wrap = gen.bind(num.wrap64, "wrap64")
        return gen.guard([inner], lambda v: f"{wrap}(-{v[0]})")
    if kind is not None and kind.base is Base.DECIMAL:
        return gen.guard([inner], lambda v: f"{v[0]}.copy_negate()")
    return gen.guard([inner], lambda v: f"(-{v[0]})")


def _null_operand() -> None:
    raise TypeError("Arithmetic on a NULL operand inside a lambda function")


def arithmetic(gen: CodeGen, node: e.ArithmeticBinary) -> Fragment:
    result = gen.type(node)
    assert result is not None
    op = node.op.value
    left, right = gen.gen(node.left), gen.gen(node.right)
    lt, rtype = gen.type(node.left), gen.type(node.right)
    if result.base is Base.STRING:
        return gen.guard([left, right], lambda v: f"({v[0]} + {v[1]})")
    # ksqlDB's lambda bodies are Java code that unboxes the operands: a NULL one throws,
    # failing the whole lambda function call (the call, not the element, is NULL).
    on_null = f"{gen.bind(_null_operand, 'null_operand')}()" if gen.in_lambda else "None"
    if result.base is Base.DECIMAL:
        assert result.precision is not None and result.scale is not None
        helper = gen.bind(num.decimal_operation(op, result.precision, result.scale), "dec")
        return gen.guard([left, right], lambda v: f"{helper}({v[0]}, {v[1]})", on_null)
    if result.base is Base.DOUBLE:
        left = gen.convert(left, lt, result) if lt is not None and lt.base is Base.DECIMAL else left
        right = (
            gen.convert(right, rtype, result)
            if rtype is not None and rtype.base is Base.DECIMAL
            else right
        )
        if op in "+-*":
            return gen.guard([left, right], lambda v: f"({v[0]} {op} {v[1]})", on_null)
        helper = gen.bind(
            num.double_div if op == "/" else num.double_mod, "ddiv" if op == "/" else "dmod"
        )
        return gen.guard([left, right], lambda v: f"{helper}({v[0]}, {v[1]})", on_null)
    wrap = gen.bind(num.wrap32 if result.base is Base.INTEGER else num.wrap64, "wrap")
    if op in "+-*":
        return gen.guard([left, right], lambda v: f"{wrap}({v[0]} {op} {v[1]})", on_null)
    helper = gen.bind(num.int_div if op == "/" else num.int_mod, "idiv" if op == "/" else "imod")
    return gen.guard([left, right], lambda v: f"{wrap}({helper}({v[0]}, {v[1]}))", on_null)


def compare(  # noqa: PLR0917 - two (expression, code) operand pairs
    gen: CodeGen,
    op: e.ComparisonOp,
    left: e.Expression,
    lf: Fragment,
    right: e.Expression,
    rf: Fragment,
) -> Fragment:
    lt, rtype = gen.type(left), gen.type(right)
    assert lt is not None and rtype is not None
    lconv, rconv = rt.comparison_domain(lt, rtype)
    if lconv is not None:
        name = gen.bind(lconv, "cmp")
        lf = gen.guard([lf], lambda v: f"{name}({v[0]})")
    if rconv is not None:
        name = gen.bind(rconv, "cmp")
        rf = gen.guard([rf], lambda v: f"{name}({v[0]})")
    if op is e.ComparisonOp.IS_DISTINCT_FROM and not (lf.nullable and rf.nullable):
        if not lf.nullable and not rf.nullable:
            return Fragment(f"({lf.code} != {rf.code})", False)
        nullable, fixed = (lf, rf) if lf.nullable else (rf, lf)
        return gen.guard([nullable], lambda v: f"({v[0]} != {fixed.code})", on_null="True")
    if op is e.ComparisonOp.IS_DISTINCT_FROM:
        a = lf if lf.simple else None
        b = rf if rf.simple else None
        a_name = a.code if a else gen.temp()
        b_name = b.code if b else gen.temp()
        a_first = a_name if a else f"({a_name} := {lf.code})"
        b_first = b_name if b else f"({b_name} := {rf.code})"
        return Fragment(
            f"((({a_name} is None) != ({b_name} is None)) if (({a_first} is None) | "
            f"({b_first} is None)) else ({a_name} != {b_name}))",
            False,
        )
    symbol = _PY_COMPARE[op]
    return gen.guard([lf, rf], lambda v: f"({v[0]} {symbol} {v[1]})", on_null="False")


def logical(gen: CodeGen, node: e.LogicalBinary) -> Fragment:
    """Three-valued AND/OR that still short-circuits left to right like ksqlDB's && and ||."""
    parts = [gen.gen(x) for x in logical_operands(node, node.op)]
    word = "and" if node.op is e.LogicalOp.AND else "or"
    if not any(p.nullable for p in parts):
        return Fragment("(" + f" {word} ".join(p.code for p in parts) + ")", False)
    decisive, other = ("False", "True") if word == "and" else ("True", "False")
    names = [gen.temp() for _ in parts]
    tests = " or ".join(
        f"({n} := {p.code}) is {decisive}" for n, p in zip(names, parts, strict=True)
    )
    nulls = " or ".join(f"{n} is None" for n, p in zip(names, parts, strict=True) if p.nullable)
    return Fragment(f"({decisive} if {tests} else (None if {nulls} else {other}))")


def in_list(gen: CodeGen, node: e.InList) -> Fragment:
    common = gen.checker.common.get(id(node))
    value = gen.convert(gen.gen(node.value), gen.type(node.value), common)
    items = [
        gen.convert(gen.gen(i), gen.type(i), common).code
        for i in node.items
        if not isinstance(i, e.NullLiteral)
    ]
    if not items:
        return Fragment("False", False)
    listed = ", ".join(items) + ("," if len(items) == 1 else "")
    return gen.guard([value], lambda v: f"({v[0]} in ({listed}))", on_null="False")


def like(gen: CodeGen, node: e.Like) -> Fragment:
    value = gen.gen(node.value)
    if isinstance(node.pattern, e.StringLiteral):
        try:
            regex = rt.like_regex(node.pattern.value, node.escape)
        except rt.LikeError as exc:
            raise error_at(node, str(exc)) from None
        name = gen.bind(regex, "like")
        return gen.guard([value], lambda v: f"({name}.fullmatch({v[0]}) is not None)")
    helper = gen.bind(rt.like_matcher(node.escape), "like")
    return gen.guard([value, gen.gen(node.pattern)], lambda v: f"{helper}({v[0]}, {v[1]})")


def case(gen: CodeGen, node: e.SearchedCase | e.SimpleCase) -> Fragment:
    common = gen.checker.common.get(id(node))

    def result(expr: e.Expression) -> str:
        return gen.convert(gen.gen(expr), gen.type(expr), common).code

    code = result(node.default) if node.default is not None else "None"
    conditions: list[str] = []
    if isinstance(node, e.SimpleCase):
        first, rest = gen.share(gen.gen(node.operand))
        for i, when in enumerate(node.whens):
            operand = first if i == 0 else rest
            cond = compare(
                gen,
                e.ComparisonOp.EQUAL,
                node.operand,
                operand,
                when.condition,
                gen.gen(when.condition),
            )
            conditions.append(cond.code)
    else:
        for when in node.whens:
            test = gen.gen(when.condition)
            conditions.append(f"({test.code} is True)" if test.nullable else test.code)
    # Build inside-out; conditions are still evaluated in order at run time.
    results = [result(w.result) for w in node.whens]
    for test_code, res in reversed(list(zip(conditions, results, strict=True))):
        code = f"({res} if {test_code} else {code})"
    return Fragment(code)
