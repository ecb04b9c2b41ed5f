"""WAL checkpoints beside the writers instead of inside their commits.

SQLite checkpoints the WAL inside the commit that takes it past 1,000 pages: that commit
copies the pages into the database file and syncs it, tens of ms on a slow disk, and
with group commit every request waiting on that commit waits too (it was the whole p99
of the REST proxy's single-record produce). A `Checkpointer` runs passive checkpoints
every few ms while commits come in, so the copying and syncing happen on its own
thread; the writer's automatic checkpoint then finds almost nothing left to do, and
still restarts the WAL so the file does not grow.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable

from tote.core.errors import ToteError

_logger = logging.getLogger(__name__)

# How long the checkpointer rests between two passes while commits keep coming.
CHECKPOINT_INTERVAL = 0.05


class Checkpointer:
    """A thread that checkpoints the WAL after commits; started by the first `poke`."""

    def __init__(
        self,
        open_connection: Callable[[], sqlite3.Connection],
        interval: float = CHECKPOINT_INTERVAL,
    ) -> None:
        self._open = open_connection
        self._interval = interval
        self._cond = threading.Condition()
        self._dirty = False
        self._closed = False
        self._thread: threading.Thread | None = None

    def poke(self) -> None:
        """Something was committed: checkpoint soon."""
        with self._cond:
            if self._closed:
                return
            self._dirty = True
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tote-sqlite-checkpoint", daemon=True
                )
                self._thread.start()
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            thread, self._thread = self._thread, None
            self._cond.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    def _run(self) -> None:
        try:
            conn = self._open()
        except ToteError as exc:  # the file went away: commits checkpoint themselves
            _logger.warning("Background checkpoints stopped: %s", exc.message)
            return
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: self._dirty or self._closed)
                    if self._closed:
                        return
                    self._dirty = False
                try:
                    # fetchall: a statement left open would hold a read lock on the WAL.
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:  # busy, or the file went away: try next time
                    _logger.debug("Background checkpoint skipped: %s", exc)
                with self._cond:
                    self._cond.wait_for(lambda: self._closed, self._interval)
        finally:
            conn.close()
