"""Expression rewrites the query analyzer needs: qualifying column references, swapping
sub-expressions for columns, and collecting references.

Expressions compare structurally (spans are ignored), so after qualification `ID` and
`INPUT.ID` are the same expression, which is how GROUP BY, PARTITION BY and join keys are
matched against the projection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from tote.sql.ast.expressions import ColumnRef, Expression, FunctionCall, Lambda
from tote.sql.ast.nodes import Node, transform, walk
from tote.sql.expressions.formatter import format_expression


def qualify(expr: Expression, owners: Mapping[str, Sequence[str]]) -> Expression:
    """`expr` with each unqualified column reference qualified by the only source holding
    it (`owners`: column name → aliases). Unknown and ambiguous names are left for the
    scope to report."""

    def fix(node: Node) -> Node:
        if isinstance(node, ColumnRef) and node.source is None:
            aliases = owners.get(node.name, ())
            if len(aliases) == 1:
                return ColumnRef(node.name, aliases[0], span=node.span)
        return node

    return transform(expr, fix)


def unqualify(expr: Expression) -> Expression:
    def fix(node: Node) -> Node:
        if isinstance(node, ColumnRef) and node.source is not None:
            return ColumnRef(node.name, span=node.span)
        return node

    return transform(expr, fix)


def replace(expr: Expression, swap: Callable[[Expression], Expression | None]) -> Expression:
    """Replace sub-expressions top-down: where `swap` returns an expression, it stands in
    for the whole subtree (used to turn GROUP BY expressions and aggregate calls into
    columns of the aggregate's output)."""
    found = swap(expr)
    if found is not None:
        return found
    changes: dict[str, object] = {}
    from dataclasses import fields
    from dataclasses import replace as dc_replace

    for f in fields(expr):
        if f.name == "span":
            continue
        value = getattr(expr, f.name)
        new = _replace_value(value, swap)
        if new is not value:
            changes[f.name] = new
    return dc_replace(expr, **changes) if changes else expr  # type: ignore[arg-type]


def _replace_value(value: object, swap: Callable[[Expression], Expression | None]) -> object:
    if isinstance(value, Expression):
        return replace(value, swap)
    if isinstance(value, Node):
        from dataclasses import fields
        from dataclasses import replace as dc_replace

        changes: dict[str, object] = {}
        for f in fields(value):
            if f.name == "span":
                continue
            inner = getattr(value, f.name)
            new = _replace_value(inner, swap)
            if new is not inner:
                changes[f.name] = new
        return dc_replace(value, **changes) if changes else value  # type: ignore[arg-type]
    if isinstance(value, tuple):
        items = tuple(_replace_value(v, swap) for v in value)
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items
    return value


def column_refs(expr: Node) -> list[ColumnRef]:
    return [n for n in walk(expr) if isinstance(n, ColumnRef)]


def function_calls(expr: Node) -> list[FunctionCall]:
    return [n for n in walk(expr) if isinstance(n, FunctionCall)]


def has_lambda(expr: Node) -> bool:
    return any(isinstance(n, Lambda) for n in walk(expr))


def text(expr: Expression) -> str:
    """ksqlDB's rendering of an expression, as its messages show it."""
    return format_expression(expr)
