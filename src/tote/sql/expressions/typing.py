"""Static typing of expressions: ksqlDB's ExpressionTypeManager rules and error messages.

`TypeChecker` records the type of every node (and the resolved function of every call) so
the compiler can generate code without looking anything up per row. `type_of` is the
one-shot form the analyzer uses.
"""

from __future__ import annotations

from decimal import Decimal

from tote.core import types as t
from tote.core.errors import SqlError
from tote.core.types import Base, SqlType
from tote.sql.ast import expressions as e
from tote.sql.ast.nodes import Node
from tote.sql.expressions import calls
from tote.sql.expressions.coercion import UserList
from tote.sql.expressions.errors import error_at
from tote.sql.expressions.formatter import format_expression as fmt
from tote.sql.expressions.scope import Scope
from tote.sql.expressions.typerules import (
    NULL_TYPE_MESSAGE,
    comparable,
    decimal_literal_type,
    logical_operands,
)
from tote.sql.functions.base import (
    AggregateFunction,
    Aggregator,
    ResolvedCall,
    ResolvedTableFunction,
)
from tote.sql.functions.registry import FunctionRegistry
from tote.sql.functions.semantics.casts import UnsupportedCast, check_cast, parse_boolean
from tote.sql.functions.widening import common_type, decimal_result, wider_numeric


class TypeChecker:
    """Types expressions against a scope, remembering per-node results for the compiler."""

    def __init__(self, scope: Scope | None, functions: FunctionRegistry, *,
                 lenient: bool = False) -> None:
        self.scope = scope
        self.functions = functions
        # ksqlDB's ExpressionTypeManager pass: IN lists and CASTs are only checked when it
        # generates code, so a lenient checker takes them on trust.
        self.lenient = lenient
        self.types: dict[int, SqlType | None] = {}
        self.calls: dict[int, ResolvedCall] = {}
        self.aggregates: dict[int, tuple[AggregateFunction, Aggregator]] = {}
        self.tables: dict[int, ResolvedTableFunction] = {}
        self.common: dict[int, SqlType | None] = {}
        self.lambdas: list[dict[str, SqlType]] = []

    def type(self, node: Node) -> SqlType | None:
        """The type recorded for an already checked node."""
        return self.types.get(id(node))

    def check(self, node: e.Expression) -> SqlType | None:
        result = self._check(node)
        self.types[id(node)] = result
        return result

    def _check(self, node: e.Expression) -> SqlType | None:
        match node:
            case e.NullLiteral():
                return None
            case e.BooleanLiteral():
                return t.BOOLEAN
            case e.IntegerLiteral():
                return t.INTEGER
            case e.LongLiteral():
                return t.BIGINT
            case e.DoubleLiteral():
                return t.DOUBLE
            case e.DecimalLiteral(value=value):
                return decimal_literal_type(value)
            case e.StringLiteral() | e.IntervalUnit():
                return t.STRING
            case e.ColumnRef():
                if self.scope is None:
                    raise error_at(node, f"Column '{fmt(node)}' cannot be resolved.")
                return self.scope.resolve(node).type
            case e.LambdaVariable(name=name):
                for env in reversed(self.lambdas):
                    if name in env:
                        return env[name]
                raise error_at(node, f"Unknown lambda variable: {name}")
            case e.Dereference():
                return self._dereference(node)
            case e.Subscript():
                return self._subscript(node)
            case e.FunctionCall():
                return self._call(node)
            case e.Lambda():
                raise error_at(node, "Lambda expressions can only be used as function arguments.")
            case e.Cast(expression=inner, type=target_node):
                if self.lenient:
                    return target_node.resolve(lambda name: None)
                source = self.check(inner)
                target = target_node.resolve(lambda name: None)
                if source is not None:
                    try:
                        check_cast(source, target)
                    except UnsupportedCast as exc:
                        raise error_at(node, str(exc)) from None
                return target
            case e.ArithmeticUnary(operand=operand):
                operand_type = self.check(operand)
                if operand_type is not None and not operand_type.is_numeric:
                    raise error_at(
                        node,
                        f"Error processing expression: {fmt(node)}. "
                        f"Unsupported arithmetic type: {operand_type.base.value}",
                    )
                return operand_type
            case e.ArithmeticBinary():
                return self._arithmetic(node)
            case e.Comparison(op=op, left=left, right=right):
                self._compare(node, op, left, right)
                return t.BOOLEAN
            case e.LogicalBinary(op=op):
                for operand in logical_operands(node, op):
                    self._boolean(node, operand)
                return t.BOOLEAN
            case e.Not(operand=operand):
                self._boolean(node, operand)
                return t.BOOLEAN
            case e.IsNull(operand=operand) | e.IsNotNull(operand=operand):
                self.check(operand)
                return t.BOOLEAN
            case e.Between(value=value, lower=lower, upper=upper):
                self._compare(node, e.ComparisonOp.GREATER_THAN_OR_EQUAL, value, lower)
                self._compare(node, e.ComparisonOp.LESS_THAN_OR_EQUAL, value, upper)
                return t.BOOLEAN
            case e.InList(value=value, items=items):
                if not self.lenient:
                    self.common[id(node)] = UserList(self.check).common([value, *items])
                return t.BOOLEAN
            case e.Like(value=value, pattern=pattern):
                for part in (value, pattern):
                    part_type = self.check(part)
                    if part_type is not None and part_type.base is not Base.STRING:
                        raise error_at(
                            node,
                            f"Error processing expression: {fmt(node)}. "
                            f"LIKE requires STRING operands, got {part_type}.",
                        )
                return t.BOOLEAN
            case e.SearchedCase() | e.SimpleCase():
                return self._case(node)
            case e.CreateArray(items=items):
                if not items:
                    raise error_at(
                        node,
                        "Array constructor cannot be empty. Please supply at least one element "
                        "(see https://github.com/confluentinc/ksql/issues/4239).",
                    )
                element = UserList(self.check).common(items)
                if element is None:
                    raise error_at(
                        node,
                        "Cannot construct an array with all NULL elements "
                        "(see https://github.com/confluentinc/ksql/issues/4239). As a workaround, "
                        "you may cast a NULL value to the desired type.",
                    )
                self.common[id(node)] = element
                return t.array(element)
            case e.CreateMap(entries=entries):
                return self._map(node, entries)
            case e.CreateStruct(fields=fields):
                members: list[tuple[str, SqlType]] = []
                for f in fields:
                    field_type = self.check(f.value)
                    if field_type is None:
                        raise error_at(f.value, NULL_TYPE_MESSAGE)
                    _no_duplicate_field(node, members, f.name, field_type)
                    members.append((f.name, field_type))
                return t.struct(*members)
        raise error_at(node, f"Unsupported expression: {fmt(node)}")

    # --- helpers ------------------------------------------------------------------------

    def _boolean(self, node: e.Expression, operand: e.Expression) -> None:
        operand_type = self.check(operand)
        if operand_type is not None and operand_type.base is not Base.BOOLEAN:
            raise error_at(
                operand,
                f"Error processing expression: {fmt(node)}. "
                f"Expected BOOLEAN but {fmt(operand)} has type {operand_type}.",
            )

    def _dereference(self, node: e.Dereference) -> SqlType:
        base = self.check(node.base)
        if base is None or base.base is not Base.STRUCT:
            raise error_at(node, f"Expected STRUCT type, got: {base}")
        found = base.field(node.field)
        if found is None:
            raise error_at(node, f"Could not find field '{node.field}' in '{fmt(node.base)}'.")
        return found.type

    def _subscript(self, node: e.Subscript) -> SqlType:
        base = self.check(node.base)
        index = self.check(node.index)
        if base is not None and base.base is Base.ARRAY:
            assert base.element is not None
            if index is not None and index.base not in (Base.INTEGER, Base.BIGINT):
                raise error_at(node.index, f"Array index must be an INTEGER, got {index}.")
            return base.element
        if base is not None and base.base is Base.MAP:
            assert base.key is not None and base.value is not None
            if index is not None and common_type(index, base.key) != base.key:
                raise error_at(node.index, f"Map key must be {base.key}, got {index}.")
            return base.value
        hint = ""
        if base is not None and base.base is Base.STRUCT:
            hint = f" Use the dereference operator for STRUCTS: {fmt(node.base)}->{fmt(node.index)}"
        raise error_at(node, f"Subscript expression ({fmt(node)}) do not apply to {base}.{hint}")

    def _arithmetic(self, node: e.ArithmeticBinary) -> SqlType:
        left, right = self.check(node.left), self.check(node.right)
        if left is None or right is None:
            raise error_at(
                node,
                f"Error processing expression: {fmt(node)}. Arithmetic on types "
                f"{left or 'null'} and {right or 'null'} are not supported.",
            )
        if node.op is e.ArithmeticOp.ADD and left.base is Base.STRING and right.base is Base.STRING:
            return t.STRING
        if left.is_numeric and right.is_numeric:
            if Base.DOUBLE not in (left.base, right.base) and Base.DECIMAL in (
                left.base,
                right.base,
            ):
                return decimal_result(node.op.value, left, right)
            return wider_numeric(left, right)
        raise error_at(
            node,
            f"Error processing expression: {fmt(node)}. Unsupported arithmetic types. "
            f"{left.base.value} {right.base.value}",
        )

    def _compare(
        self, node: Node, op: e.ComparisonOp, left: e.Expression, right: e.Expression
    ) -> None:
        lt, rt = self.check(left), self.check(right)
        if lt is None or rt is None:
            raise error_at(
                node,
                f"Comparison with NULL not supported: {lt.base.value if lt else 'NULL'} "
                f"{op.value} {rt.base.value if rt else 'NULL'}\n"
                "Use 'IS NULL' or 'IS NOT NULL' instead.",
            )
        if not comparable(lt, op, rt):
            raise error_at(
                node,
                f"Cannot compare {fmt(left)} ({lt}) to {fmt(right)} ({rt}) with {op.name}.",
            )

    def _unify(self, items: list[e.Expression]) -> SqlType | None:
        """The common type of a user list (ARRAY[...], IN (...), CASE results), ksqlDB's
        CoercionUtil: the first non-NULL item leads; numbers widen; string literals that
        spell a number or boolean are accepted where those are expected."""
        common: SqlType | None = None
        for item in items:
            item_type = self.check(item)
            if item_type is None:
                continue
            if common is None:
                common = item_type
                continue
            if isinstance(item, e.StringLiteral) and common.base is Base.BOOLEAN:
                text = item.value.strip().lower()
                if not text or not (
                    "true".startswith(text)
                    or "yes".startswith(text)
                    or "false".startswith(text)
                    or "no".startswith(text)
                ):
                    raise error_at(item, f'invalid input syntax for type BOOLEAN: "{item.value}".')
                parse_boolean(item.value)
                continue
            if isinstance(item, e.StringLiteral) and common.is_numeric:
                common = wider_numeric(common, self._string_number_type(item, common))
                continue
            merged = common_type(common, item_type)
            if merged is None:
                raise error_at(
                    item,
                    f"operator does not exist: {common} = {item_type} ({fmt(item)})\n"
                    "Hint: You might need to add explicit type casts.",
                )
            common = merged
        return common

    def _string_number_type(self, item: e.StringLiteral, target: SqlType) -> SqlType:
        text = item.value.strip()
        try:
            value = Decimal(text)
        except ArithmeticError:
            value = None
        if value is None or not value.is_finite():
            raise error_at(
                item, f'invalid input syntax for type {target.base.value}: "{item.value}".'
            )
        if not any(c in text for c in ".eE"):
            if -(2**31) < value < 2**31 - 1:
                return t.INTEGER
            if -(2**63) < value < 2**63 - 1:
                return t.BIGINT
        return decimal_literal_type(value)

    def _case(self, node: e.SearchedCase | e.SimpleCase) -> SqlType:
        if isinstance(node, e.SimpleCase):
            for when in node.whens:
                self._compare(when, e.ComparisonOp.EQUAL, node.operand, when.condition)
        else:
            for when in node.whens:
                condition = self.check(when.condition)
                if condition is not None and condition.base is not Base.BOOLEAN:
                    raise error_at(
                        when.condition,
                        "WHEN operand type should be boolean.\n"
                        f"Type for '{fmt(when.condition)}' is {condition}",
                    )
        results = [w.result for w in node.whens]
        if node.default is not None:
            results.append(node.default)
        try:
            common = self._unify(results)
        except SqlError as exc:
            raise error_at(
                node,
                "Invalid Case expression. Type for all 'THEN' clauses should be the same.\n"
                + exc.message,
            ) from None
        if common is None:
            raise error_at(node, "Invalid Case expression. All case branches have NULL type")
        self.common[id(node)] = common
        return common

    def _map(self, node: e.CreateMap, entries: tuple[e.MapEntry, ...]) -> SqlType:
        if not entries:
            raise error_at(
                node,
                "Map constructor cannot be empty. Please supply at least one key value pair "
                "(see https://github.com/confluentinc/ksql/issues/4239).",
            )
        key = UserList(self.check).common([x.key for x in entries])
        value = UserList(self.check).common([x.value for x in entries])
        for part, found in (("keys", key), ("values", value)):
            if found is None:
                what = "key" if part == "keys" else "value"
                raise error_at(
                    node,
                    f"Cannot construct a map with all NULL {part} "
                    "(see https://github.com/confluentinc/ksql/issues/4239). As a workaround, "
                    f"you may cast a NULL {what} to the desired type.",
                )
        assert key is not None and value is not None
        self.common[id(node)] = t.map_of(key, value)
        return t.map_of(key, value)

    def _call(self, node: e.FunctionCall) -> SqlType:
        return calls.call(self, node)

    def type_lambda(self, node: e.Lambda, param_types: tuple[SqlType, ...]) -> SqlType | None:
        return calls.type_lambda(self, node, param_types)

    def resolve_aggregate(self, node: e.FunctionCall) -> tuple[AggregateFunction, Aggregator]:
        """The aggregate and its Aggregator for a call; the first `function.split(n)`
        arguments are per-row values, the rest literal init arguments."""
        return calls.resolve_aggregate(self, node)


def type_of(expr: e.Expression, scope: Scope, functions: FunctionRegistry, *,
            lenient: bool = False) -> SqlType:
    """The SqlType of `expr`; SqlError (ksqlDB wording, with position) on a type error.
    `lenient` leaves IN lists and CASTs unchecked, as ksqlDB's first (non-codegen) pass."""
    result = TypeChecker(scope, functions, lenient=lenient).check(expr)
    if result is None:
        raise error_at(expr, NULL_TYPE_MESSAGE)
    return result


def _no_duplicate_field(node: e.Expression, members: list[tuple[str, SqlType]], name: str,
                        field_type: SqlType) -> None:
    """A STRUCT constructor may not name a field twice (a struct type cannot hold both)."""
    for earlier, earlier_type in members:
        if earlier == name:
            raise error_at(node, "Duplicate field names found in STRUCT: "
                                 f"'`{earlier}` {earlier_type}' and '`{name}` {field_type}'")
