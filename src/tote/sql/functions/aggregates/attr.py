"""ATTR: the one value a group is expected to hold, or NULL when it holds several.

The accumulator counts each distinct value (NULL included) so a table can retract rows:
once a value's count drops to zero it no longer counts as present.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tote.core.types import SqlType
from tote.sql.functions.aggregates.common import check_args
from tote.sql.functions.aggregates.state import decode, encode
from tote.sql.functions.base import AggregateFunction, Aggregator, variant

Entries = list[list[Any]]  # [value, count] pairs, in first-seen order


def _bump(entries: Entries, value: Any, delta: int) -> Entries:
    out = [list(entry) for entry in entries]
    for entry in out:
        if entry[0] == value:
            entry[1] = max(0, entry[1] + delta)
            return out
    if delta > 0:
        out.append([value, delta])
    return out


class Attr(Aggregator):
    def __init__(self, sql: SqlType) -> None:
        self.return_type = sql

    def init(self) -> Entries:
        return []

    def add(self, acc: Entries, *args: Any) -> Entries:
        return _bump(acc, args[0], 1)

    def undo(self, acc: Entries, *args: Any) -> Entries:
        return _bump(acc, args[0], -1)

    def result(self, acc: Entries) -> Any:
        present = [value for value, count in acc if count > 0]
        return present[0] if len(present) == 1 else None

    def merge(self, a: Entries, b: Entries) -> Entries:
        out = a
        for value, count in b:
            out = _bump(out, value, count)
        return out

    def to_state(self, acc: Entries) -> Any:
        return [[encode(value, self.return_type), count] for value, count in acc]

    def from_state(self, state: Any) -> Entries:
        return [[decode(value, self.return_type), count] for value, count in state]


def _attr(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
    check_args("ATTR", types, literals, value_count=1, max_literals=0)
    return Attr(types[0])


def functions() -> list[AggregateFunction]:
    return [
        AggregateFunction(
            "ATTR",
            "The single value of a column within a group; NULL when the group holds more "
            "than one distinct value.",
            (variant("T col -> T"),),
            _attr,
        )
    ]
