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
                 encode: Callable[[Any], bytes] = values.pack_state,
                 decode: Callable[[bytes], Any] = values.unpack_state) -> None:
        self.name = name
        self._encode = encode
        self._decode = decode
        # By hashable key: `_live` every current value (None for a key deleted in this
        # step), so a read is one lookup; `_base` the committed values; `_raw` the stored
        # bytes of a key (kept for the committed ones); `_changed` the keys put in this
        # step, each with the key as it was given (what a new key's bytes are made of).
        self._live: dict[Hashable, Any] = {}
        self._base: dict[Hashable, Any] = {}
        self._raw: dict[Hashable, bytes] = {}
        self._changed: dict[Hashable, tuple[Any, ...]] = {}
        self._flushed = False  # whether `flush` gave every changed key its bytes
        for raw_key, raw_value in log.store(name).items():
            hk = hashable(tuple(values.decode(raw_key)))
            self._raw[hk] = raw_key
            self._base[hk] = decode(raw_value)
        self._live.update(self._base)

    def get(self, key: tuple[Any, ...]) -> Any:
        try:
            return self._live.get(key)
        except TypeError:  # an unhashable key part (ARRAY, MAP, STRUCT)
            return self._live.get(hashable(key))

    def put(self, key: tuple[Any, ...], value: Any) -> None:
        # The key as first given in the step makes a new key's bytes (setdefault).
        try:
            self._changed.setdefault(key, key)
        except TypeError:
            hk = hashable(key)
            self._changed.setdefault(hk, key)
            self._live[hk] = value
            return
        self._live[key] = value

    def overlay(self) -> tuple[dict[Hashable, Any], dict[Hashable, tuple[Any, ...]]]:
        """The maps `get` and `put` work on, for generated code that does them inline
        (a call each is a large part of a small operator's cost). For a hashable key,
        `get(key)` is `live.get(key)` and `put(key, value)` is `changed.setdefault(key,
        key)` then `live[key] = value`; any other key must go through the methods. They
        are the same two objects for the state's whole life (`commit`, `rollback` and
        `flush` see the inline changes as their own)."""
        return self._live, self._changed

    def items(self) -> Iterator[tuple[Hashable, Any]]:
        """Committed-plus-pending entries (for pull queries and tests)."""
        return iter([(hk, value) for hk, value in self._live.items() if value is not None])

    def raw_keys(self) -> Iterator[bytes]:
        """The stored bytes of every committed key."""
        raw = self._raw
        return (raw[hk] for hk in self._base)

    @property
    def dirty(self) -> bool:
        return bool(self._changed)

    def flush(self, txn: Transaction) -> None:
        encode, live, raws = self._encode, self._live, self._raw
        entries: dict[bytes, bytes | None] = {}
        for hk, key in self._changed.items():
            raw = raws.get(hk)
            if raw is None:
                raw = raws[hk] = values.encode(list(key))
            value = live[hk]
            entries[raw] = None if value is None else encode(value)
        txn.put_many(self.name, entries)
        self._flushed = True

    def commit(self) -> None:
        base, live, raws = self._base, self._live, self._raw
        if not self._flushed:  # a transient query's state: committed, never written
            for hk, key in self._changed.items():
                if hk not in raws:
                    raws[hk] = values.encode(list(key))
        for hk in self._changed:
            value = live[hk]
            if value is None:
                base.pop(hk, None)
                del live[hk]
                raws.pop(hk, None)
            else:
                base[hk] = value
        self._changed.clear()
        self._flushed = False

    def rollback(self) -> None:
        base, live, raws = self._base, self._live, self._raw
        for hk in self._changed:
            if hk in base:
                live[hk] = base[hk]
            else:
                del live[hk]
                raws.pop(hk, None)  # bytes made by a flush of this step
        self._changed.clear()
        self._flushed = False
