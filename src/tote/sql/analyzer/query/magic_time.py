"""Record time in a query: timestamp text in WHERE, and what a bad TIMESTAMP column does.

ksqlDB lets a filter write `ROWTIME > '2018-01-01T00:00:00.001'` or
`WINDOWSTART BETWEEN '2020-02-10' AND '2020-02-11'`: where one side of a comparison (or
the value of a BETWEEN) is ROWTIME, WINDOWSTART or WINDOWEND itself and the other side
(a bound) is a string literal, the text is read as a possibly partial timestamp (UTC
unless it carries an offset) and stands as epoch milliseconds. Text that is no
timestamp is an error of the statement, not a type error of the comparison.

With `ksql.timestamp.throw.on.invalid` set when a query is created, a source record whose
TIMESTAMP column cannot be read stops the query (it is dropped and logged otherwise).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import fields
from dataclasses import replace as with_fields

from tote.sql.analyzer.query.rewrite import replace
from tote.sql.ast.expressions import (
    Between,
    ColumnRef,
    Comparison,
    Expression,
    LongLiteral,
    StringLiteral,
)
from tote.sql.errors import StatementError
from tote.sql.planner.logical import Node, SourceNode

_TIME_COLUMNS = frozenset({"ROWTIME", "WINDOWSTART", "WINDOWEND"})
_PARTIAL = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<mo>\d{2})(?:-(?P<d>\d{2})(?:T(?P<h>\d{2})(?::(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:\.(?P<ms>\d{1,3}))?)?)?)?)?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?$")


def parse_partial_timestamp(text: str) -> int | None:
    """ksqlDB's partial timestamps: `2020-02-23T23:45:12.000`, `2020-02-22T23:45`,
    `2020-02-24T24` (hour 24 is the next midnight), with an optional offset."""
    match = _PARTIAL.match(text.strip())
    if match is None:
        return None
    parts = match.groupdict()
    hour = int(parts["h"] or 0)
    try:
        base = datetime.datetime(int(parts["y"]), int(parts["mo"] or 1), int(parts["d"] or 1),
                                 0, int(parts["mi"] or 0), int(parts["s"] or 0),
                                 int((parts["ms"] or "0").ljust(3, "0")) * 1000)
    except ValueError:
        return None
    moment = base + datetime.timedelta(hours=hour)
    tz = parts["tz"]
    offset = datetime.timedelta(0)
    if tz and tz != "Z":
        digits = tz.replace(":", "")
        sign = -1 if digits[0] == "-" else 1
        offset = sign * datetime.timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
    aware = moment.replace(tzinfo=datetime.timezone(offset))
    return int(aware.timestamp() * 1000)


def _is_time_column(expr: Expression) -> bool:
    return isinstance(expr, ColumnRef) and expr.name in _TIME_COLUMNS


def _as_millis(expr: Expression) -> Expression:
    """A string literal as the epoch milliseconds it names; anything else unchanged."""
    if not isinstance(expr, StringLiteral):
        return expr
    millis = parse_partial_timestamp(expr.value)
    if millis is None:
        raise StatementError(
            f"Failed to parse timestamp '{expr.value}': it is not a timestamp of the form "
            "yyyy-MM-dd'T'HH:mm:ss.SSS, whole or cut short after any field (e.g. "
            "'2020-05-26'), optionally followed by Z or an offset such as +0200.")
    return LongLiteral(millis, span=expr.span)


def times_as_millis(where: Expression) -> Expression:
    """`where` with timestamp text next to ROWTIME / WINDOWSTART / WINDOWEND as millis."""

    def swap(node: Expression) -> Expression | None:
        if isinstance(node, Comparison):
            if _is_time_column(node.left):
                right = _as_millis(node.right)
                return None if right is node.right else Comparison(
                    node.op, node.left, right, span=node.span)
            if _is_time_column(node.right):
                left = _as_millis(node.left)
                return None if left is node.left else Comparison(
                    node.op, left, node.right, span=node.span)
        if isinstance(node, Between) and _is_time_column(node.value):
            lower, upper = _as_millis(node.lower), _as_millis(node.upper)
            if lower is not node.lower or upper is not node.upper:
                return Between(node.value, lower, upper, span=node.span)
        return None

    return replace(where, swap)


def strict_times(node: Node) -> Node:
    """The plan `node` with every source read marked `strict_time`."""
    if isinstance(node, SourceNode):
        return with_fields(node, strict_time=True)
    changes = {f.name: strict_times(value) for f in fields(node)
               if isinstance(value := getattr(node, f.name), Node)}
    return with_fields(node, **changes) if changes else node  # type: ignore[arg-type]
