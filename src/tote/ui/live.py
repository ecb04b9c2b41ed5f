"""A piece of live state the UI shows and streams: the value, why it is (not) live, and
a version that server-sent-event streams can sleep on until the next change.

The value itself stays plain (for the pools board a pure `PoolsBoard`): the feed mutates
it and calls `changed()`, or builds a new one and `replace()`s it in one step, so a
replay never shows a half-filled board. Everything here runs on the app's event loop.
"""

from __future__ import annotations

import asyncio
from typing import Generic, TypeVar

T = TypeVar("T")


class Versioned:
    """A version that moves on every change, the feed's status, and waiters on both."""

    def __init__(self) -> None:
        self.version = 0
        self.status = "starting"
        self.live = False
        self._waiters: set[asyncio.Event] = set()

    def changed(self) -> None:
        self.version += 1
        for waiter in self._waiters:
            waiter.set()

    def set_status(self, status: str, *, live: bool) -> None:
        if (status, live) != (self.status, self.live):
            self.status, self.live = status, live
            self.changed()

    async def wait_change(self, version: int, timeout: float) -> int:
        """The version once it differs from `version`, or after `timeout` s."""
        if self.version != version:
            return self.version
        waiter = asyncio.Event()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter.wait(), timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)
        return self.version


class LiveState(Versioned, Generic[T]):
    """A plain value shown live: mutated then `changed()`, or `replace()`d whole."""

    def __init__(self, current: T) -> None:
        super().__init__()
        self.current = current

    def replace(self, current: T) -> None:
        self.current = current
        self.changed()
