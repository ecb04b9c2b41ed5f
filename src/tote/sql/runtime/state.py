"""Per-task state: an in-memory cache of one log state store, written through transactions.

A `KeyState` is loaded from its store when the task starts (so a restarted engine picks
up exactly the committed state). Changes made while processing a step sit in a pending
overlay; `flush` writes them into the step's transaction, `commit` folds them into the
cache once the transaction committed, and `rollback` forgets them if it did not.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

from tote.log.base import Log, Transaction
from tote.sql.runtime import values

_DELETED = object()


def hashable(key: tuple[Any, ...]) -> Hashable:
    try:
        hash(key)
    except TypeError:
        frozen: Hashable = values.freeze(key)
        return frozen
    return key


class KeyState:
    """A key → value map of one task, backed by the log store `name`."""

    def __init__(self, log: Log, name: str,
                 encode: Callable[[Any], bytes] = values.pack,
                 decode: Callable[[bytes], Any] = values.unpack) -> None:
        self.name = name
        self._encode = encode
        self._decode = decode
        # Both by hashable key: (its stored bytes, its value); the pending value of a
        # deleted key is _DELETED.
        self._base: dict[Hashable, tuple[bytes, Any]] = {}
        self._pending: dict[Hashable, tuple[bytes, Any]] = {}
        for raw_key, raw_value in log.store(name).items():
            key = tuple(values.decode(raw_key))
            self._base[hashable(key)] = (raw_key, decode(raw_value))

    def get(self, key: tuple[Any, ...]) -> Any:
        try:
            found = self._pending.get(key)
        except TypeError:  # an unhashable key part (ARRAY, MAP, STRUCT)
            key = hashable(key)  # type: ignore[assignment]
            found = self._pending.get(key)
        if found is None:
            found = self._base.get(key)
            return None if found is None else found[1]
        value = found[1]
        return None if value is _DELETED else value

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        try:
            hk: Hashable = key
            found = self._base.get(hk)
        except TypeError:
            hk = hashable(key)
            found = self._base.get(hk)
        if found is None:
            found = self._pending.get(hk)  # a key new in this step, put again
        raw = found[0] if found is not None else values.encode(list(key))
        self._pending[hk] = (raw, _DELETED if value is None else value)

    def items(self) -> Iterator[tuple[Hashable, Any]]:
        """Committed-plus-pending entries (for pull queries and tests)."""
        merged = {hk: value for hk, (_, value) in self._base.items()}
        for hk, (_, value) in self._pending.items():
            if value is _DELETED:
                merged.pop(hk, None)
            else:
                merged[hk] = value
        return iter(merged.items())

    def raw_keys(self) -> Iterator[bytes]:
        """The stored bytes of every committed key."""
        return (raw for raw, _ in self._base.values())

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    def flush(self, txn: Transaction) -> None:
        put, name, encode = txn.put, self.name, self._encode
        for raw, value in self._pending.values():
            put(name, raw, None if value is _DELETED else encode(value))

    def commit(self) -> None:
        base = self._base
        for hk, entry in self._pending.items():
            if entry[1] is _DELETED:
                base.pop(hk, None)
            else:
                base[hk] = entry
        self._pending.clear()

    def rollback(self) -> None:
        self._pending.clear()
