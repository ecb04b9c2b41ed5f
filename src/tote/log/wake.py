"""A `Wake`: lets one thread end another's `Log.wait_or_wake` at once.

    wake = Wake()
    log.wait_or_wake(positions, 0.5, wake)   # in a poll thread: returns when set...
    wake.set()                               # ...from any thread (a closed query)

A push query closed by its client, or a PRINT whose client went away, would otherwise
hold its poll thread until the log wait timed out; under fast churn those threads piled
up. Each log backend blocks on something of its own (a condition, a consumer poll), so
the waiter registers how to interrupt it (`hooked`) and `set` calls that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Wake:
    """A one-way flag: once set it stays set, and every registered hook is called once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._event = threading.Event()
        self._hooks: list[Callable[[], None]] = []

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        """Sleep until set or `timeout` passes (a wait with nothing else to watch)."""
        return self._event.wait(max(timeout, 0.0))

    def set(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            hooks = list(self._hooks)
        for hook in hooks:  # outside the lock: a hook takes its backend's own lock
            hook()

    @contextmanager
    def hooked(self, hook: Callable[[], None]) -> Iterator[None]:
        """Call `hook` on `set` while inside the block. The waiter checks `is_set` after
        entering (under its backend's lock), so a `set` before that is not missed."""
        with self._lock:
            self._hooks.append(hook)
        try:
            yield
        finally:
            with self._lock:
                self._hooks.remove(hook)
