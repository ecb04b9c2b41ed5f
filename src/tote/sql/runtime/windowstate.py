"""State of windowed operators: timestamped entries of a log store, indexed in memory.

An `IndexedState` is a `KeyState` (same transactions, same exactly-once commit) whose keys
end in `width` time components: a window start; a session's end and start; a buffered
join record's timestamp and sequence number. It also keeps, in memory:

* every key's entries sorted by those components (what a window or session lookup needs);
* a heap of all entries by their first time component, so that entries past retention
  are found without scanning the store (`expiring`);
* optionally (`time_ordered`), all entries in Kafka Streams' time-ordered store order:
  first time component, then key, then the other components (what EMIT FINAL scans).

The indexes follow every `put`; when a step is rolled back they are rebuilt from the
committed entries.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections.abc import Callable, Hashable
from typing import Any

from tote.log.base import Log
from tote.sql.runtime import values
from tote.sql.runtime.state import KeyState, hashable

Key = tuple[Any, ...]
Times = tuple[Any, ...]


class _Greatest:
    """Compares above every value: `(t, _MAX)` sorts after every entry at time t."""

    def __lt__(self, other: object) -> bool:
        return False

    def __gt__(self, other: object) -> bool:
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Greatest)

    def __hash__(self) -> int:
        return 0


_MAX = _Greatest()


def key_order(key: Key) -> str:
    """A text that sorts keys roughly as their serialised bytes do: integers as big-endian
    two's complement (negative after positive), strings as themselves."""
    parts: list[str] = []
    for value in key:
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            parts.append(values.encode(value).decode())
        elif isinstance(value, int):
            parts.append(format(value & 0xFFFF_FFFF_FFFF_FFFF, "016x"))
        else:
            parts.append(value)
    return "\x00".join(parts)


class IndexedState(KeyState):
    """Entries keyed `(*key, *times)`."""

    def __init__(self, log: Log, name: str, width: int, *, expiring: bool = True,
                 time_ordered: bool = False,
                 decode: Callable[[bytes], Any] = values.unpack_state) -> None:
        super().__init__(log, name, decode=decode)
        self.width = width
        self.expiring = expiring
        self.time_ordered = time_ordered
        self._groups: dict[Hashable, list[Times]] = {}
        self._heap: list[tuple[int, int, Key]] = []
        self._order: list[tuple[Any, ...]] = []
        self._order_keys: dict[tuple[Any, ...], Key] = {}
        self._counter = itertools.count()
        self._rebuild()

    # -- reading -----------------------------------------------------------------------------

    def times(self, key: Key) -> list[Times]:
        """The time components of every entry of `key`, in ascending order."""
        return self._groups.get(hashable(key), [])

    def until(self, key: Key, high: int) -> list[Times]:
        """Entries of `key` whose first time component is at most `high`, in order."""
        entries = self._groups.get(hashable(key))
        if not entries:
            return []
        return entries[:bisect.bisect_right(entries, (high, _MAX))]

    def between(self, key: Key, low: int, high: int) -> list[Times]:
        """Entries of `key` whose first time component is in [low, high], in order."""
        entries = self._groups.get(hashable(key))
        if not entries:
            return []
        start = bisect.bisect_left(entries, (low,))
        out: list[Times] = []
        for times in entries[start:]:
            if times[0] > high:
                break
            out.append(times)
        return out

    def ordered(self, low: int, high: int) -> list[Key]:
        """Full keys of every entry whose first time component is in [low, high], in
        time-ordered store order (`time_ordered` stores only)."""
        order = self._order
        start = bisect.bisect_left(order, (low,))
        stop = bisect.bisect_right(order, (high, _MAX))
        return [self._order_keys[entry] for entry in order[start:stop]]

    # -- writing -----------------------------------------------------------------------------

    def put(self, key: Key, value: Any) -> None:
        super().put(key, value)
        self._index(key, value is not None)

    def expire(self, threshold: int) -> None:
        """Delete every entry whose first time component is at or before `threshold`."""
        heap = self._heap
        while heap and heap[0][0] <= threshold:
            _, _, key = heapq.heappop(heap)
            if self.get(key) is not None:
                self.put(key, None)

    def rollback(self) -> None:
        super().rollback()
        self._rebuild()

    # -- the indexes -------------------------------------------------------------------------

    def _index(self, key: Key, present: bool) -> None:
        split = len(key) - self.width
        group, times = hashable(key[:split]), tuple(key[split:])
        entries = self._groups.get(group)
        if present:
            if entries is None:
                entries = self._groups[group] = []
            at = bisect.bisect_left(entries, times)
            if at == len(entries) or entries[at] != times:
                entries.insert(at, times)
                if self.expiring:
                    heapq.heappush(self._heap, (times[0], next(self._counter), key))
                if self.time_ordered:
                    self._place(key, split, True)
            return
        if entries is None:
            return
        at = bisect.bisect_left(entries, times)
        if at < len(entries) and entries[at] == times:
            del entries[at]
            if not entries:
                del self._groups[group]
            if self.time_ordered:
                self._place(key, split, False)

    def _place(self, key: Key, split: int, present: bool) -> None:
        entry = (key[split], key_order(key[:split]), *key[split + 1:])
        at = bisect.bisect_left(self._order, entry)
        if present:
            self._order.insert(at, entry)
            self._order_keys[entry] = key
        elif at < len(self._order) and self._order[at] == entry:
            del self._order[at]
            del self._order_keys[entry]

    def _rebuild(self) -> None:
        """Index the committed entries (at start, and after a rollback)."""
        self._groups = {}
        self._heap = []
        self._order = []
        self._order_keys = {}
        for raw in self.raw_keys():
            self._index(tuple(values.decode(raw)), True)
