"""ARRAY and MAP functions (ksqlDB's udf/array, udf/list, udf/map)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tote.core import types as t
from tote.core.types import SqlType
from tote.sql.functions.base import ScalarFunction, scalar, variant
from tote.sql.functions.semantics.casts import java_text

ARRAY, MAP = "ARRAY", "MAP"
_SORTABLE = (
    "BOOLEAN",
    "INT",
    "BIGINT",
    "DOUBLE",
    "DECIMAL",
    "STRING",
    "BYTES",
    "DATE",
    "TIME",
    "TIMESTAMP",
)


def _distinct(items: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _contains(items: list[Any] | None, value: Any) -> bool:
    return items is not None and value in items


def _except(left: list[Any], right: list[Any]) -> list[Any]:
    return [x for x in _distinct(left) if x not in right]


def _intersect(left: list[Any], right: list[Any]) -> list[Any]:
    return [x for x in _distinct(left) if x in right]


def _union(left: list[Any], right: list[Any]) -> list[Any]:
    return _distinct(left + right)


def _join(items: list[Any], delimiter: str | None = ",") -> str:
    return (delimiter if delimiter is not None else "").join(java_text(x) for x in items)


def _max(items: list[Any]) -> Any:
    present = [x for x in items if x is not None]
    return max(present) if present else None


def _min(items: list[Any]) -> Any:
    present = [x for x in items if x is not None]
    return min(present) if present else None


def _sort(items: list[Any], direction: str = "ASC") -> list[Any] | None:
    if direction.upper() not in ("ASC", "DESC"):
        return None
    present = sorted((x for x in items if x is not None), reverse=direction.upper() == "DESC")
    return present + [None] * (len(items) - len(present))


def _remove(items: list[Any] | None, victim: Any) -> list[Any] | None:
    if items is None:
        return None
    return (
        [x for x in items if x != victim]
        if victim is not None
        else [x for x in items if x is not None]
    )


def _concat(left: list[Any] | None, right: list[Any] | None) -> list[Any] | None:
    if left is None and right is None:
        return None
    return (left or []) + (right or [])


def _slice(items: list[Any] | None, start: int | None, end: int | None) -> list[Any] | None:
    """1-based, inclusive; like Java's subList, bounds outside the array give NULL."""
    if items is None:
        return None
    first = 0 if start is None else start - 1
    last = len(items) if end is None else end
    if first < 0 or last > len(items) or first > last:
        return None
    return items[first:last]


def _series(start: int, end: int, step: int | None = None) -> list[int]:
    if step is None:
        step = 1 if end >= start else -1
    if step == 0:
        raise ValueError("GENERATE_SERIES step cannot be zero")
    if (end - start) * step < 0:
        raise ValueError("GENERATE_SERIES step has wrong sign")
    return list(range(start, end + (1 if step > 0 else -1), step))


def _entries(items: dict[str, Any], sort: bool) -> list[dict[str, Any]]:
    keys = sorted(items) if sort else list(items)
    return [{"K": k, "V": items[k]} for k in keys]


def _entries_type(arg_types: Sequence[SqlType | None], bindings: Mapping[str, SqlType]) -> SqlType:
    return t.array(t.struct(("K", t.STRING), ("V", bindings["T"])))


def _element_type(arg_types: Sequence[SqlType | None], bindings: Mapping[str, SqlType]) -> SqlType:
    source = arg_types[0]
    assert source is not None and source.element is not None
    return source.element


def _as_map(keys: list[str], values: list[Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for i, key in enumerate(keys):
        if key is not None:
            result[key] = values[i] if i < len(values) else None
    return result


def _map_union(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any] | None:
    if left is None and right is None:
        return None
    return {**(left or {}), **(right or {})}


def _transform(items: Any, fn: Any, value_fn: Any = None) -> Any:
    if items is None:
        return None
    if value_fn is None:
        return [fn(x) for x in items]
    # ksqlDB collects the entries with Java's Collectors.toMap: two entries mapped to one
    # key, or a NULL value, fail the call (which is then NULL) rather than losing data.
    result: dict[Any, Any] = {}
    for k, v in items.items():
        key, value = fn(k, v), value_fn(k, v)
        if key in result:
            raise ValueError(f"Duplicate key {key} (attempted merging values {result[key]} "
                             f"and {value})")
        if value is None:
            raise ValueError(f"TRANSFORM produced a NULL value for key {key}")
        result[key] = value
    return result


def _filter(items: Any, fn: Any) -> Any:
    if items is None:
        return None
    if isinstance(items, dict):
        return {k: v for k, v in items.items() if fn(k, v) is True}
    return [x for x in items if fn(x) is True]


def _reduce(items: Any, state: Any, fn: Any) -> Any:
    if items is None or state is None:
        return state if items is None else None
    if isinstance(items, dict):
        for k, v in items.items():
            state = fn(state, k, v)
    else:
        for x in items:
            state = fn(state, x)
    return state


def functions() -> list[ScalarFunction]:
    return [
        scalar(
            "ARRAY_CONTAINS",
            ARRAY,
            "Whether the array contains the value.",
            variant("ARRAY<T> array, T val -> BOOLEAN", _contains, strict=False),
        ),
        scalar(
            "ARRAY_DISTINCT",
            ARRAY,
            "The distinct elements, in order of first appearance.",
            variant("ARRAY<T> array -> ARRAY<T>", _distinct),
        ),
        scalar(
            "ARRAY_EXCEPT",
            ARRAY,
            "Distinct elements of the first array not in the second.",
            variant("ARRAY<T> left, ARRAY<T> right -> ARRAY<T>", _except),
        ),
        scalar(
            "ARRAY_INTERSECT",
            ARRAY,
            "Distinct elements in both arrays.",
            variant("ARRAY<T> left, ARRAY<T> right -> ARRAY<T>", _intersect),
        ),
        scalar(
            "ARRAY_UNION",
            ARRAY,
            "Distinct elements of either array.",
            variant("ARRAY<T> left, ARRAY<T> right -> ARRAY<T>", _union),
        ),
        scalar(
            "ARRAY_JOIN",
            ARRAY,
            "The elements joined into a string (default delimiter ',').",
            variant("ARRAY<T> array -> STRING", _join),
            variant(
                "ARRAY<T> array, STRING delimiter -> STRING",
                lambda a, d: None if a is None else _join(a, d),
                strict=False,
            ),
        ),
        scalar(
            "ARRAY_LENGTH", ARRAY, "The number of elements.", variant("ARRAY<T> array -> INT", len)
        ),
        scalar(
            "ARRAY_MAX",
            ARRAY,
            "The largest non-NULL element.",
            *(variant(f"ARRAY<{ty}> array -> {ty}", _max) for ty in _SORTABLE if ty != "DECIMAL"),
            variant("ARRAY<DECIMAL> array", _max, returns=_element_type),
        ),
        scalar(
            "ARRAY_MIN",
            ARRAY,
            "The smallest non-NULL element.",
            *(variant(f"ARRAY<{ty}> array -> {ty}", _min) for ty in _SORTABLE if ty != "DECIMAL"),
            variant("ARRAY<DECIMAL> array", _min, returns=_element_type),
        ),
        scalar(
            "ARRAY_SORT",
            ARRAY,
            "The elements sorted ('ASC' or 'DESC'), NULLs last.",
            variant("ARRAY<T> array -> ARRAY<T>", _sort),
            variant("ARRAY<T> array, STRING direction -> ARRAY<T>", _sort),
        ),
        scalar(
            "ARRAY_REMOVE",
            ARRAY,
            "The array without any element equal to the value.",
            variant("ARRAY<T> array, T victim -> ARRAY<T>", _remove, strict=False),
        ),
        scalar(
            "ARRAY_CONCAT",
            ARRAY,
            "The elements of both arrays.",
            variant("ARRAY<T> left, ARRAY<T> right -> ARRAY<T>", _concat, strict=False),
        ),
        scalar(
            "SLICE",
            ARRAY,
            "The elements between two 1-based positions, inclusive.",
            variant("ARRAY<T> array, INT from, INT to -> ARRAY<T>", _slice, strict=False),
        ),
        scalar(
            "GENERATE_SERIES",
            ARRAY,
            "The numbers from start to end inclusive, by step.",
            variant("INT start, INT end -> ARRAY<INT>", _series),
            variant("INT start, INT end, INT step -> ARRAY<INT>", _series),
            variant("BIGINT start, BIGINT end -> ARRAY<BIGINT>", _series),
            variant("BIGINT start, BIGINT end, INT step -> ARRAY<BIGINT>", _series),
        ),
        scalar(
            "ENTRIES",
            MAP,
            "The entries of a map as an array of STRUCT<K, V>.",
            variant("MAP<STRING, T> map, BOOLEAN sorted", _entries, returns=_entries_type),
        ),
        scalar(
            "AS_MAP",
            MAP,
            "A map from an array of keys and an array of values.",
            variant("ARRAY<STRING> keys, ARRAY<T> values -> MAP<STRING, T>", _as_map),
        ),
        scalar(
            "MAP_KEYS",
            MAP,
            "The keys of a map.",
            variant("MAP<STRING, T> map -> ARRAY<STRING>", list),
        ),
        scalar(
            "MAP_VALUES",
            MAP,
            "The values of a map.",
            variant("MAP<STRING, T> map -> ARRAY<T>", lambda m: list(m.values())),
        ),
        scalar(
            "MAP_UNION",
            MAP,
            "The entries of both maps; the second wins on equal keys.",
            variant(
                "MAP<STRING, T> left, MAP<STRING, T> right -> MAP<STRING, T>",
                _map_union,
                strict=False,
            ),
        ),
        scalar(
            "TRANSFORM",
            "LAMBDA",
            "Applies lambdas to every element (or key and value).",
            variant("ARRAY<T> array, (T) => U function -> ARRAY<U>", _transform, strict=False),
            variant(
                "MAP<K, V> map, (K, V) => A keyFunction, (K, V) => B valueFunction -> MAP<A, B>",
                _transform,
                strict=False,
            ),
        ),
        scalar(
            "FILTER",
            "LAMBDA",
            "The elements (or entries) for which the lambda is true.",
            variant("ARRAY<T> array, (T) => BOOLEAN function -> ARRAY<T>", _filter, strict=False),
            variant(
                "MAP<K, V> map, (K, V) => BOOLEAN function -> MAP<K, V>", _filter, strict=False
            ),
        ),
        scalar(
            "REDUCE",
            "LAMBDA",
            "Folds the elements (or entries) into a state with the lambda.",
            variant(
                "ARRAY<T> array, S initialState, (S, T) => S function -> S", _reduce, strict=False
            ),
            variant(
                "MAP<K, V> map, S initialState, (S, K, V) => S function -> S", _reduce, strict=False
            ),
        ),
    ]
