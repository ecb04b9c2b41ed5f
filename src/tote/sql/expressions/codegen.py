"""Expression → Python source. Each node becomes a Python expression string; helpers and
constants are bound into the compiled function's globals under generated names.

NULL handling is generated inline: `(None if row[1] is None else -row[1])`. Operands that
are not cheap to repeat are evaluated once into walrus temporaries, always inside the
first (always evaluated) condition, so every row costs only the operations it needs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from tote.core.types import SqlType
from tote.sql.ast import expressions as e
from tote.sql.expressions import operators
from tote.sql.expressions.errors import error_at
from tote.sql.expressions.formatter import format_expression
from tote.sql.expressions.fragment import Fragment
from tote.sql.expressions.typing import TypeChecker
from tote.sql.functions.base import ResolvedCall
from tote.sql.functions.semantics.casts import cast_may_fail, converter


class CodeGen:
    """Generates code for expressions already checked by `checker`."""

    def __init__(self, checker: TypeChecker, columns: Sequence[str] | None = None) -> None:
        self.checker = checker
        # How a column is read where the row is not built (`compiler.Around.columns`), and
        # whether the generated code needs the whole row even so (`safe`).
        self.columns = columns
        self.row_used = False
        self.globals: dict[str, Any] = {}
        self._bound: dict[int, str] = {}
        self._constants: dict[tuple[type, Any], str] = {}
        self._counter = 0
        self._lambda_names: list[dict[str, str]] = []
        self.index = 0  # the projection expression being generated, for error reports

    # --- names --------------------------------------------------------------------------

    def _next(self, prefix: str) -> str:
        self._counter += 1
        return f"_{prefix}{self._counter}"

    def bind(self, value: Any, prefix: str) -> str:
        """A global name for a helper object (the same object gets the same name)."""
        name = self._bound.get(id(value))
        if name is None:
            name = self._bound[id(value)] = self._next(prefix)
            self.globals[name] = value
        return name

    @property
    def in_lambda(self) -> bool:
        """Whether code is being generated for a lambda function's body."""
        return bool(self._lambda_names)

    def temp(self) -> str:
        return self._next("t")

    def const(self, value: Any) -> Fragment:
        if value is None:
            return Fragment("None", True, True)
        if isinstance(value, bool):
            return Fragment(repr(value), False, True)
        if isinstance(value, int) or (
            isinstance(value, float) and not math.isnan(value) and abs(value) != float("inf")
        ):
            return Fragment(repr(value), False, True)
        key = (type(value), value)
        name = self._constants.get(key)
        if name is None:
            name = self._constants[key] = self._next("k")
            self.globals[name] = value
        return Fragment(name, False, True)

    # --- null guards --------------------------------------------------------------------

    def guard(
        self, parts: Sequence[Fragment], build: Callable[[list[str]], str], on_null: str = "None"
    ) -> Fragment:
        """`build(values)` unless a part is NULL, in which case `on_null`."""
        checks: list[str] = []
        names: list[str] = []
        for part in parts:
            if not part.nullable:
                names.append(part.code)
            elif part.simple:
                check = f"{part.code} is None"
                if check not in checks:
                    checks.append(check)
                names.append(part.code)
            else:
                name = self.temp()
                checks.append(f"({name} := {part.code}) is None")
                names.append(name)
        body = build(names)
        if not checks:
            return Fragment(body, False)
        return Fragment(f"({on_null} if {' or '.join(checks)} else {body})", on_null == "None")

    def share(self, frag: Fragment) -> tuple[Fragment, Fragment]:
        """The fragment for a first use that binds a temporary, and one for later uses."""
        if frag.simple:
            return frag, frag
        name = self.temp()
        return Fragment(f"({name} := {frag.code})", frag.nullable), Fragment(
            name, frag.nullable, True
        )

    def convert(self, frag: Fragment, source: SqlType | None, target: SqlType | None) -> Fragment:
        if target is None:
            return frag
        conv = converter(source, target)
        if conv is None:
            return frag
        name = self.bind(conv, "cv")
        return self.guard([frag], lambda v: f"{name}({v[0]})")

    def safe(self, frag: Fragment) -> Fragment:
        """ksqlDB's nested error handling: a failing cast or nested function call becomes
        NULL in place (and is reported) while the rest of the expression goes on."""
        self.row_used = True
        return Fragment(f"_safe(lambda: {frag.code}, {self.index}, row)")

    def type(self, node: e.Expression) -> SqlType | None:
        return self.checker.type(node)

    def generate(self, node: e.Expression) -> Fragment:
        """`gen` for a whole expression; pathological nesting is a SqlError, not a crash."""
        try:
            return self.gen(node)
        except RecursionError:
            raise error_at(node, "Expression is too deeply nested to compile.") from None

    # --- dispatch -----------------------------------------------------------------------

    def gen(self, node: e.Expression) -> Fragment:
        match node:
            case e.NullLiteral():
                return self.const(None)
            case e.BooleanLiteral(value=v) | e.IntegerLiteral(value=v) | e.LongLiteral(value=v):
                return self.const(v)
            case e.DoubleLiteral(value=v) | e.DecimalLiteral(value=v) | e.StringLiteral(value=v):
                return self.const(v)
            case e.IntervalUnit(unit=unit):
                return self.const(unit.name)
            case e.ColumnRef():
                assert self.checker.scope is not None
                slot = self.checker.scope.resolve(node).slot
                if self.columns is not None:
                    return Fragment(self.columns[slot], True, True)
                return Fragment(f"row[{slot}]", True, True)
            case e.LambdaVariable(name=name):
                for names in reversed(self._lambda_names):
                    if name in names:
                        return Fragment(names[name], True, True)
                raise error_at(node, f"Unknown lambda variable: {name}")
            case e.Dereference(base=base, field=field):
                key = self.const(field).code
                return self.guard([self.gen(base)], lambda v: f"{v[0]}.get({key})")
            case e.Subscript():
                return operators.subscript(self, node)
            case e.FunctionCall():
                return self._call(node)
            case e.Lambda():
                raise error_at(node, "Lambda expressions can only be used as function arguments.")
            case e.Cast(expression=inner):
                source, target = self.type(inner), self.type(node)
                converted = self.convert(self.gen(inner), source, target)
                if target is not None and (cast_may_fail(source, target) or _may_fail(inner)):
                    return self.safe(converted)
                return converted
            case e.ArithmeticUnary():
                return operators.unary(self, node)
            case e.ArithmeticBinary():
                return operators.arithmetic(self, node)
            case e.Comparison(op=op, left=left, right=right):
                return operators.compare(self, op, left, self.gen(left), right, self.gen(right))
            case e.LogicalBinary():
                return operators.logical(self, node)
            case e.Not(operand=operand):
                negated = self.gen(operand)
                if not negated.nullable:
                    return Fragment(f"(not {negated.code})", False)
                return self.guard([negated], lambda v: f"(not {v[0]})")
            case e.IsNull(operand=operand):
                return Fragment(f"({self.gen(operand).code} is None)", False)
            case e.IsNotNull(operand=operand):
                return Fragment(f"({self.gen(operand).code} is not None)", False)
            case e.Between(value=value, lower=lower, upper=upper):
                first, rest = self.share(self.gen(value))
                low = operators.compare(
                    self, e.ComparisonOp.GREATER_THAN_OR_EQUAL, value, first, lower, self.gen(lower)
                )
                high = operators.compare(
                    self, e.ComparisonOp.LESS_THAN_OR_EQUAL, value, rest, upper, self.gen(upper)
                )
                return Fragment(f"({low.code} and {high.code})", False)
            case e.InList():
                return operators.in_list(self, node)
            case e.Like():
                return operators.like(self, node)
            case e.SearchedCase() | e.SimpleCase():
                return operators.case(self, node)
            case e.CreateArray(items=items):
                element = self.checker.common.get(id(node))
                codes = [self._item(i, element).code for i in items]
                return Fragment(f"[{', '.join(codes)}]", False)
            case e.CreateMap(entries=entries):
                common = self.checker.common.get(id(node))
                assert common is not None
                pairs = [
                    f"{self._item(x.key, common.key).code}: "
                    f"{self._item(x.value, common.value).code}"
                    for x in entries
                ]
                return Fragment("{" + ", ".join(pairs) + "}", False)
            case e.CreateStruct(fields=fields):
                pairs = [f"{self.const(f.name).code}: {self._item(f.value, None).code}"
                         for f in fields]
                return Fragment("{" + ", ".join(pairs) + "}", False)
        raise error_at(node, f"Cannot compile expression: {format_expression(node)}")

    def _item(self, node: e.Expression, target: SqlType | None) -> Fragment:
        """One element of an ARRAY, MAP or STRUCT constructor: as ksqlDB, an element that
        fails is NULL in place (and reported), the rest of the value is still built."""
        value = self.convert(self.gen(node), self.type(node), target)
        return self.safe(value) if _may_fail(node) else value

    # --- calls --------------------------------------------------------------------------

    def _call(self, node: e.FunctionCall) -> Fragment:
        resolved = self.checker.calls.get(id(node))
        if resolved is None:
            kind = "Aggregate" if id(node) in self.checker.aggregates else "Table"
            raise error_at(
                node,
                f"{kind} function {node.name} cannot be used here: {format_expression(node)}",
            )
        fn = self.bind(resolved.fn, "f_" + node.name.lower())
        values: list[Fragment] = []
        for arg, target in zip(node.args, resolved.arg_types, strict=True):
            if isinstance(arg, e.Lambda):
                assert isinstance(target, tuple)
                values.append(Fragment(self._lambda(arg), False, True))
            else:
                assert not isinstance(target, tuple)
                value = self.convert(self.gen(arg), self.type(arg), target)
                if isinstance(arg, e.FunctionCall) or (
                    isinstance(arg, e.Dereference) and _may_fail(arg)
                ):
                    value = self.safe(value)
                values.append(value)
        return self._invoke(fn, resolved, values)

    def _invoke(self, fn: str, resolved: ResolvedCall, values: list[Fragment]) -> Fragment:
        if resolved.strict:
            return self.guard(values, lambda v: f"{fn}({', '.join(v)})")
        return Fragment(f"{fn}({', '.join(v.code for v in values)})")

    def _lambda(self, node: e.Lambda) -> str:
        names = {p: self._next("x") for p in node.params}
        self._lambda_names.append(names)
        try:
            body = self.gen(node.body)
        finally:
            self._lambda_names.pop()
        return f"(lambda {', '.join(names.values())}: {body.code})"


def _may_fail(node: e.Expression) -> bool:
    """Whether evaluating `node` can raise (anything beyond slots, literals and lookups)."""
    match node:
        case e.ColumnRef() | e.Literal() | e.LambdaVariable() | e.IntervalUnit():
            return False
        case e.IsNull(operand=inner) | e.IsNotNull(operand=inner) | e.Dereference(base=inner):
            return _may_fail(inner)
    return True
