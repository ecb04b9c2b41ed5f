"""Waking tail readers when any process appends to the SQLite log.

SQLite has no cross-process notification, so one thread per log polls
`PRAGMA data_version` (which changes whenever another connection commits), and only
while somebody is waiting: a log nobody waits on costs nothing. The poll runs every 2 ms
while the file is busy and slows down to every 8 ms after a quiet spell, so an idle
waiter costs well under 1% of a core while a busy tail still wakes within a few ms.
Appends made through the same log object notify at once, without waiting for the poll.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable

DEFAULT_POLL_INTERVAL = 0.002
MAX_POLL_INTERVAL = 0.008
_SLOWDOWN = 1.25


class ChangeWatcher:
    """A change counter that moves on every commit to the file, by any process."""

    def __init__(
        self, open_connection: Callable[[], sqlite3.Connection], interval: float
    ) -> None:
        self._open = open_connection
        self._interval = interval
        self._max_interval = max(interval, MAX_POLL_INTERVAL)
        self._cond = threading.Condition()
        self._seq = 0
        self._waiters = 0
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def seq(self) -> int:
        """The current change count; pass it to `wait_change`."""
        with self._cond:
            return self._seq

    def notify(self) -> None:
        """Something was committed through this process: wake waiters now."""
        with self._cond:
            self._seq += 1
            self._cond.notify_all()

    def wait_change(self, seq: int, timeout: float) -> int:
        """Block until the count moves past `seq` or `timeout` passes; return the count."""
        with self._cond:
            if self._closed:
                return self._seq
            self._waiters += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tote-sqlite-watch", daemon=True
                )
                self._thread.start()
            self._cond.notify_all()
            try:
                self._cond.wait_for(lambda: self._seq != seq or self._closed, timeout)
            finally:
                self._waiters -= 1
            return self._seq

    def _run(self) -> None:
        conn = self._open()
        try:
            last = conn.execute("PRAGMA data_version").fetchone()[0]
            interval = self._interval
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._waiters > 0 or self._closed)
                    if self._closed:
                        return
                time.sleep(interval)
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != last:
                    last = version
                    interval = self._interval
                    self.notify()
                else:
                    interval = min(interval * _SLOWDOWN, self._max_interval)
        finally:
            conn.close()

    def close(self) -> None:
        """Stop the polling thread (waiters return at once)."""
        with self._cond:
            self._closed = True
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

