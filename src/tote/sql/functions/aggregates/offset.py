"""LATEST_BY_OFFSET and EARLIEST_BY_OFFSET, with the optional N and ignoreNulls arguments.

The accumulator keeps [sequence, value] pairs; the sequence orders values across merged
session windows, as ksqlDB's offset structs do.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.functions.aggregates.common import describe_args
from tote.sql.functions.aggregates.state import decode, encode
from tote.sql.functions.base import AggregateFunction, Aggregator, variant
from tote.sql.functions.resolution import NoMatchingVariant

_PLAIN = (Base.STRING, Base.INTEGER, Base.BIGINT, Base.BOOLEAN)


class ByOffset(Aggregator):
    supports_undo = False

    def __init__(self, sql: SqlType, latest: bool, count: int | None, ignore_nulls: bool) -> None:
        self.value_type = sql
        self.return_type = sql if count is None else t.array(sql)
        self.latest = latest
        self.count = count
        self.ignore_nulls = ignore_nulls
        # Values whose stored form is the value itself: the accumulator is its own state.
        self.plain = sql.base in _PLAIN

    def init(self) -> list[list[Any]]:
        return []

    def add(self, acc: list[list[Any]], *args: Any) -> list[list[Any]]:
        value = args[0]
        if value is None and self.ignore_nulls:
            return acc
        seq = (acc[-1][0] + 1) if acc else 0
        keep = self.count or 1
        if self.latest:
            return [[seq, value]] if keep == 1 else [*acc, [seq, value]][-keep:]
        return acc if len(acc) >= keep else [*acc, [seq, value]]

    def result(self, acc: list[list[Any]]) -> Any:
        if self.count is None:
            return acc[-1][1] if acc else None
        return [value for _, value in acc]

    def merge(self, a: list[list[Any]], b: list[list[Any]]) -> list[list[Any]]:
        keep = self.count or 1
        merged = [*a, *[[seq + (a[-1][0] + 1 if a else 0), v] for seq, v in b]]
        return merged[-keep:] if self.latest else merged[:keep]

    def to_state(self, acc: list[list[Any]]) -> Any:
        if self.plain:
            return acc  # never changed in place (add makes new lists)
        return [[seq, encode(v, self.value_type)] for seq, v in acc]

    def from_state(self, state: Any) -> list[list[Any]]:
        if self.plain:
            return [list(pair) for pair in state]
        return [[seq, decode(v, self.value_type)] for seq, v in state]


def _resolver(name: str, latest: bool) -> Any:
    def resolve(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
        count: int | None = None
        ignore_nulls = True
        rest = list(literals)
        if rest and isinstance(rest[0], int) and not isinstance(rest[0], bool):
            count = rest.pop(0)
        if rest and isinstance(rest[0], bool):
            ignore_nulls = rest.pop(0)
        if len(types) != 1 or rest:
            raise NoMatchingVariant(
                f"Function '{name}' does not accept parameters {describe_args(types, literals)}."
            )
        if count is not None and count <= 0:
            raise NoMatchingVariant(f"{'latestN' if latest else 'earliestN'} must be 1 or greater")
        return ByOffset(types[0], latest, count, ignore_nulls)

    return resolve


def functions() -> list[AggregateFunction]:
    signatures = (
        variant("T col -> T"),
        variant("T col, BOOLEAN ignoreNulls -> T"),
        variant("T col, INT latestN -> ARRAY<T>"),
        variant("T col, INT latestN, BOOLEAN ignoreNulls -> ARRAY<T>"),
    )
    return [
        AggregateFunction(
            "LATEST_BY_OFFSET",
            "The latest value(s) of a column by offset.",
            signatures,
            _resolver("LATEST_BY_OFFSET", True),
            table_safe=False,
        ),
        AggregateFunction(
            "EARLIEST_BY_OFFSET",
            "The earliest value(s) of a column by offset.",
            signatures,
            _resolver("EARLIEST_BY_OFFSET", False),
            table_safe=False,
        ),
    ]
