"""The order in which ksqlDB's QTT harness sets up a case's topics.

The harness collects every topic (listed, declared by a CREATE, named by a record) into
a `java.util.HashMap` keyed by topic name and registers their schemas while iterating
it. Schema ids are handed out in registration order, so a case that names a schema by
`VALUE_SCHEMA_ID` without fixing its id relies on that iteration order.
"""

from __future__ import annotations

from collections.abc import Iterable

_INITIAL_CAPACITY = 16
_LOAD_FACTOR = 0.75


def string_hash(text: str) -> int:
    """Java's `String.hashCode` over UTF-16 code units, as an unsigned 32-bit int."""
    value = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        value = (value * 31 + int.from_bytes(data[i:i + 2], "big")) & 0xFFFFFFFF
    return value


def _spread(value: int) -> int:
    return value ^ (value >> 16)


def hash_map_order(keys: Iterable[str]) -> list[str]:
    """`keys` (in insertion order, duplicates ignored) as a HashMap iterates them.

    Buckets are visited by index; a bucket keeps its keys in insertion order, which a
    resize preserves, so sorting by (bucket, insertion index) at the final capacity
    reproduces the iteration.
    """
    unique = list(dict.fromkeys(keys))
    capacity = _INITIAL_CAPACITY
    while len(unique) > capacity * _LOAD_FACTOR:
        capacity *= 2
    ranked = sorted(enumerate(unique),
                    key=lambda item: (_spread(string_hash(item[1])) & (capacity - 1), item[0]))
    return [key for _, key in ranked]
