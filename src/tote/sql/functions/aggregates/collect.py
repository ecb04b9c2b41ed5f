"""COLLECT_LIST, COLLECT_SET, HISTOGRAM, TOPK, TOPKDISTINCT and COUNT_DISTINCT."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import Base, SqlType
from tote.sql.functions.aggregates.common import check_args
from tote.sql.functions.aggregates.state import decode, encode
from tote.sql.functions.base import AggregateFunction, Aggregator, variant

LIMIT = 1000  # HISTOGRAM's fixed limit on distinct keys


class _Listing(Aggregator):
    """An accumulator that is a list of values of `value_type`."""

    def __init__(self, value_type: SqlType) -> None:
        self.value_type = value_type

    def to_state(self, acc: list[Any]) -> Any:
        return [encode(v, self.value_type) for v in acc]

    def from_state(self, state: Any) -> list[Any]:
        return [decode(v, self.value_type) for v in state]


class CollectList(_Listing):
    """All values in arrival order, up to `ksql.functions.collect_list.limit` (no limit
    unless set; a negative limit is none); values past the limit are ignored."""

    limit_config = "ksql.functions.collect_list.limit"

    def __init__(self, sql: SqlType) -> None:
        super().__init__(sql)
        self.return_type = t.array(sql)
        self.limit: int | None = None

    def configure(self, settings: Mapping[str, str]) -> None:
        raw = settings.get(self.limit_config)
        if raw is not None:
            limit = int(raw)
            self.limit = None if limit < 0 else limit

    def _full(self, acc: list[Any]) -> bool:
        return self.limit is not None and len(acc) >= self.limit

    def init(self) -> list[Any]:
        return []

    def add(self, acc: list[Any], *args: Any) -> list[Any]:
        return acc if self._full(acc) else [*acc, args[0]]

    def undo(self, acc: list[Any], *args: Any) -> list[Any]:
        """Removes the last occurrence (a value past the limit was never added)."""
        for index in range(len(acc) - 1, -1, -1):
            if acc[index] == args[0]:
                return acc[:index] + acc[index + 1:]
        return acc

    def result(self, acc: list[Any]) -> list[Any]:
        return list(acc)

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        merged = a + b
        return merged if self.limit is None else merged[: max(self.limit, len(a))]


class CollectSet(CollectList):
    limit_config = "ksql.functions.collect_set.limit"

    def add(self, acc: list[Any], *args: Any) -> list[Any]:
        return acc if args[0] in acc or self._full(acc) else [*acc, args[0]]

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        merged = list(a)
        for item in b:
            if self._full(merged):
                break
            if item not in merged:
                merged.append(item)
        return merged


class Histogram(Aggregator):
    def __init__(self) -> None:
        self.return_type = t.map_of(t.STRING, t.BIGINT)

    def init(self) -> dict[str, int]:
        return {}

    def add(self, acc: dict[str, int], *args: Any) -> dict[str, int]:
        key = args[0]
        if key is None or (key not in acc and len(acc) >= LIMIT):
            return acc
        return {**acc, key: acc.get(key, 0) + 1}

    def undo(self, acc: dict[str, int], *args: Any) -> dict[str, int]:
        key = args[0]
        if key not in acc:
            return acc
        copy = dict(acc)
        copy[key] -= 1
        if copy[key] <= 0:
            del copy[key]
        return copy

    def result(self, acc: dict[str, int]) -> dict[str, int]:
        return dict(acc)

    def merge(self, a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
        merged = dict(a)
        for key, count in b.items():
            merged[key] = merged.get(key, 0) + count
        return merged


class TopK(_Listing):
    """The K largest values, largest first. With extra columns (`TOPK(v, c1, c2, k)`) each
    entry is a STRUCT of `sort_col` (the value) and `col0`, `col1`... (the other columns of
    that row), ordered by `sort_col`; ties keep the order they arrived in."""

    supports_undo = False

    def __init__(self, sql: SqlType, k: int, distinct: bool,
                 others: Sequence[SqlType] = ()) -> None:
        self.columns = len(others)
        if others:
            sql = t.struct(("sort_col", sql),
                           *((f"col{i}", other) for i, other in enumerate(others)))
        super().__init__(sql)
        self.return_type = t.array(sql)
        self.k = k
        self.distinct = distinct

    def init(self) -> list[Any]:
        return []

    def add(self, acc: list[Any], *args: Any) -> list[Any]:
        value = args[0]
        if value is None or (self.distinct and value in acc):
            return acc
        if not self.columns:
            return sorted([*acc, value], reverse=True)[: self.k]
        entry = {"sort_col": value, **{f"col{i}": v for i, v in enumerate(args[1:])}}
        return sorted([*acc, entry], key=_sort_col, reverse=True)[: self.k]

    def result(self, acc: list[Any]) -> list[Any]:
        return list(acc)

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        result = list(a)
        for value in b:
            if self.columns:
                result = sorted([*result, value], key=_sort_col, reverse=True)[: self.k]
            else:
                result = self.add(result, value)
        return result


def _sort_col(entry: dict[str, Any]) -> Any:
    return entry["sort_col"]


class CountDistinct(_Listing):
    """Exact distinct count (ksqlDB approximates with HyperLogLog; exact is a valid estimate)."""

    supports_undo = False

    def __init__(self, sql: SqlType) -> None:
        super().__init__(sql)
        self.return_type = t.BIGINT

    def init(self) -> list[Any]:
        return []

    def add(self, acc: list[Any], *args: Any) -> list[Any]:
        value = args[0]
        return acc if value is None or value in acc else [*acc, value]

    def result(self, acc: list[Any]) -> int:
        return len(acc)

    def merge(self, a: list[Any], b: list[Any]) -> list[Any]:
        return a + [v for v in b if v not in a]


_TOPK_TYPES = (
    Base.INTEGER,
    Base.BIGINT,
    Base.DOUBLE,
    Base.DECIMAL,
    Base.STRING,
    Base.DATE,
    Base.TIME,
    Base.TIMESTAMP,
    Base.BYTES,
)


def _topk(name: str, distinct: bool) -> Any:
    def resolve(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
        # TOPK takes other columns to report with each value; TOPKDISTINCT does not.
        count = max(len(types), 1) if not distinct else 1
        check_args(name, types, literals, value_count=count, max_literals=1)
        sorted_by = types[0].base in _TOPK_TYPES
        k = literals[0] if len(literals) == 1 else None
        if not sorted_by or not isinstance(k, int) or isinstance(k, bool):
            check_args(name, types, literals, value_count=count, max_literals=-1)
        assert isinstance(k, int)
        return TopK(types[0], k, distinct, types[1:])

    return resolve


def _single(name: str, cls: Any, bases: Sequence[Base] | None = None) -> Any:
    def resolve(types: Sequence[SqlType], literals: Sequence[Any]) -> Aggregator:
        check_args(name, types, literals, value_count=1, max_literals=0, bases=bases)
        return cls(types[0]) if cls is not Histogram else Histogram()

    return resolve


def functions() -> list[AggregateFunction]:
    return [
        AggregateFunction(
            "COLLECT_LIST",
            "Gathers all values of a column into an array.",
            (variant("T col -> ARRAY<T>"),),
            _single("COLLECT_LIST", CollectList),
        ),
        AggregateFunction(
            "COLLECT_SET",
            "Gathers the distinct values of a column into an array.",
            (variant("T col -> ARRAY<T>"),),
            _single("COLLECT_SET", CollectSet),
        ),
        AggregateFunction(
            "HISTOGRAM",
            "Counts how many times each string value occurs.",
            (variant("STRING col -> MAP<STRING, BIGINT>"),),
            _single("HISTOGRAM", Histogram, (Base.STRING,)),
        ),
        AggregateFunction(
            "TOPK",
            "The K largest values of a column.",
            (variant("T col, INT k -> ARRAY<T>"),),
            _topk("TOPK", False),
            table_safe=False,
            trailing_literals=1,
        ),
        AggregateFunction(
            "TOPKDISTINCT",
            "The K largest distinct values of a column.",
            (variant("T col, INT k -> ARRAY<T>"),),
            _topk("TOPKDISTINCT", True),
            table_safe=False,
        ),
        AggregateFunction(
            "COUNT_DISTINCT",
            "The number of distinct non-NULL values.",
            (variant("T col -> BIGINT"),),
            _single("COUNT_DISTINCT", CountDistinct),
            table_safe=False,
        ),
    ]
