"""The iteration order of Java's hash tables, which ksqlDB's messages and its test harness
expose (a list of query ids, a connector's configs, the order topics get schema ids).

A `java.util.HashMap` (or `HashSet`) visits its buckets by index, and a bucket keeps its
keys in insertion order, which a resize preserves: sorting the keys by (bucket at the
table's final capacity, insertion index) gives the order Java iterates them in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

LOAD_FACTOR = 0.75
INITIAL_CAPACITY = 16


def string_hash(text: str) -> int:
    """Java's `String.hashCode`, over UTF-16 code units, as an unsigned 32-bit int."""
    value = 0
    data = text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        value = (value * 31 + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return value


def table_size_for(wanted: int) -> int:
    """`HashMap.tableSizeFor`: the smallest power of two at least `wanted`."""
    size = 1
    while size < wanted:
        size *= 2
    return size


def grown_capacity(size: int, capacity: int = INITIAL_CAPACITY) -> int:
    """The capacity of a table that started at `capacity` once it holds `size` keys."""
    while size > capacity * LOAD_FACTOR:
        capacity *= 2
    return capacity


def iteration_order(keys: Sequence[str], capacity: int,
                    hash_of: Callable[[str], int] = string_hash) -> list[int]:
    """The indexes of the distinct `keys` (inserted in this order) in the order a table of
    `capacity` iterates them; `hash_of` is the keys' `hashCode`."""
    def bucket(index: int) -> int:
        value = hash_of(keys[index])
        return (value ^ (value >> 16)) & (capacity - 1)

    return sorted(range(len(keys)), key=lambda index: (bucket(index), index))


def hash_map_order(keys: Iterable[str]) -> list[str]:
    """`keys` (duplicates ignored) as a default-sized HashMap they were put into, in this
    order, iterates them."""
    unique = list(dict.fromkeys(keys))
    return [unique[i] for i in iteration_order(unique, grown_capacity(len(unique)))]
