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
        self._base: dict[Hashable, Any] = {}
        self._raw_keys: dict[Hashable, bytes] = {}
        self._pending: dict[Hashable, tuple[bytes, Any]] = {}
        for raw_key, raw_value in log.store(name).items():
            key = tuple(values.decode(raw_key))
            hk = hashable(key)
            self._base[hk] = decode(raw_value)
            self._raw_keys[hk] = raw_key

    def get(self, key: tuple[Any, ...]) -> Any:
        try:
            pending = self._pending.get(key)
        except TypeError:  # an unhashable key part (ARRAY, MAP, STRUCT)
            key = hashable(key)  # type: ignore[assignment]
            pending = self._pending.get(key)
        if pending is not None:
            value = pending[1]
            return None if value is _DELETED else value
        return self._base.get(key)

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        try:
            hk: Hashable = key
            raw = self._raw_keys.get(hk)
        except TypeError:
            hk = hashable(key)
            raw = self._raw_keys.get(hk)
        if raw is None:
            pending = self._pending.get(hk)  # a key new in this step, put again
            raw = pending[0] if pending is not None else values.encode(list(key))
        self._pending[hk] = (raw, _DELETED if value is None else value)

    def items(self) -> Iterator[tuple[Hashable, Any]]:
        """Committed-plus-pending entries (for pull queries and tests)."""
        merged = dict(self._base)
        for hk, (_, value) in self._pending.items():
            if value is _DELETED:
                merged.pop(hk, None)
            else:
                merged[hk] = value
        return iter(merged.items())

    @property
    def dirty(self) -> bool:
        return bool(self._pending)

    def flush(self, txn: Transaction) -> None:
        for _, (raw, value) in self._pending.items():
            txn.put(self.name, raw, None if value is _DELETED else self._encode(value))

    def commit(self) -> None:
        for hk, (raw, value) in self._pending.items():
            if value is _DELETED:
                self._base.pop(hk, None)
                self._raw_keys.pop(hk, None)
            else:
                self._base[hk] = value
                self._raw_keys[hk] = raw
        self._pending.clear()

    def rollback(self) -> None:
        self._pending.clear()
