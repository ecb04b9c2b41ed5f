"""Base of every AST node: source spans and generic traversal.

Nodes are frozen dataclasses. The span is excluded from equality (as ksqlDB ignores node
locations when comparing expressions), so `GROUP BY a + 1` matches `SELECT a + 1` wherever
each was written, and tests can compare trees without spelling out positions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node was written: 1-based line/column of its first character, and the
    half-open [start, end) offsets into the parsed text."""

    line: int
    column: int
    start: int
    end: int

    def to(self, other: Span) -> Span:
        """The span from the start of this one to the end of `other`."""
        return Span(self.line, self.column, self.start, max(self.end, other.end))

    def __str__(self) -> str:
        # ksqlDB's NodeLocation rendering, used in its "Illegal argument at ..." messages.
        return f"Line: {self.line}, Col: {self.column}"


NO_SPAN = Span(0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class Node:
    """An AST node. `span` is keyword-only and never part of equality or repr."""

    span: Span = field(default=NO_SPAN, compare=False, repr=False, kw_only=True)


N = TypeVar("N", bound=Node)


def _nodes_in(value: Any) -> Iterator[Node]:
    if isinstance(value, Node):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _nodes_in(item)


def children(node: Node) -> Iterator[Node]:
    """The direct child nodes of `node`, in field order (tuples are flattened)."""
    for f in fields(node):
        if f.name != "span":
            yield from _nodes_in(getattr(node, f.name))


def walk(node: Node) -> Iterator[Node]:
    """`node` and all its descendants, depth first, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))


def _rebuild(value: Any, fn: Callable[[Node], Node]) -> Any:
    """`value` with every node in it transformed; the same object when nothing changed."""
    if isinstance(value, Node):
        return transform(value, fn)
    if isinstance(value, tuple):
        items = tuple(_rebuild(item, fn) for item in value)
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return items
    return value


def transform(node: N, fn: Callable[[Node], Node]) -> N:
    """Rebuild `node` bottom-up, replacing every node by `fn(node)`.

    `fn` returns its argument to keep a node. Unchanged subtrees are not copied.
    """
    changes: dict[str, Any] = {}
    for f in fields(node):
        if f.name != "span":
            old = getattr(node, f.name)
            new = _rebuild(old, fn)
            if new is not old:
                changes[f.name] = new
    rebuilt = replace(node, **changes) if changes else node
    return fn(rebuilt)  # type: ignore[return-value]
