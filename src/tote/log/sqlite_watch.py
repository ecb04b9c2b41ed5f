"""Waking tail readers when any process appends to the SQLite log.

SQLite has no cross-process notification, so one thread per log polls
`PRAGMA data_version` (which changes whenever another connection commits), and only
while somebody is waiting: a log nobody waits on costs nothing. The poll runs every 2 ms
after a change a waiter cares about and slows down to every 8 ms otherwise, so an idle
waiter costs well under 1% of a core while a busy tail still wakes within a few ms.

Most commits concern few waiters: group offset commits and heartbeats append nothing,
and a follower of `_schemas` does not care about `bets`. So a waiter may name what it
waits for: partition slots (`partitions.slot`), and a consumer group whose generation
matters. When the version moves, the thread reads the end offsets of just the slots
waited on and the generations of just the groups waited on (one small query each), and
wakes only the waiters whose slots or groups moved. A waiter that names nothing is woken
by every change, as is everyone when the count of changes (`seq`) moved before it
started waiting. Appends made through the same log object notify at once, naming the
slots they wrote, without waiting for the poll.

While it polls, the thread also checks about once a second that the log's path still
names the file it opened (`check_file`), so a process that only waits for records learns
that the file was deleted or replaced, as its writers do at their next commit.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Collection
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TypeVar

from tote.core.errors import ToteError
from tote.log.wake import Wake

_logger = logging.getLogger(__name__)

DEFAULT_POLL_INTERVAL = 0.002
MAX_POLL_INTERVAL = 0.008
# Seconds between two checks that the path still names the file (while polling).
FILE_CHECK_INTERVAL = 1.0
_SLOWDOWN = 1.25
K = TypeVar("K", int, str)


@dataclass(eq=False)
class _Waiter:
    """One blocked `wait_change` call: what it waits for, and its own condition."""

    slots: frozenset[int] | None
    group: str | None
    cond: threading.Condition
    woken: bool = field(default=False)


@dataclass(frozen=True)
class _Moved:
    """What one change moved (slots None: treat everything as moved). A poll also says
    what it read (`read_*`); an append in this process knows exactly what it wrote
    (`read_slots` None) and moves no group."""

    slots: frozenset[int] | None
    groups: frozenset[str] = frozenset()
    read_slots: frozenset[int] | None = None
    read_groups: frozenset[str] = frozenset()

    def concerns(self, waiter: _Waiter) -> bool:
        """Whether the waiter must wake: what it waits on moved, or was not read (it
        started waiting after the read)."""
        if self.slots is None or waiter.slots is None:
            return True
        if not waiter.slots.isdisjoint(self.slots):
            return True
        if self.read_slots is None:
            return False
        if not waiter.slots <= self.read_slots:
            return True
        group = waiter.group
        return group is not None and (group in self.groups or group not in self.read_groups)


EVERYTHING = _Moved(None)


class ChangeWatcher:
    """A change counter that moves on every commit to the file, by any process."""

    def __init__(
        self,
        open_connection: Callable[[], sqlite3.Connection],
        interval: float,
        check_file: Callable[[], bool] | None = None,
    ) -> None:
        """`check_file` says whether the path still names the log's file (it reports a
        loss itself); the poll thread calls it every FILE_CHECK_INTERVAL until False."""
        self._open = open_connection
        self._check_file = check_file
        self._interval = interval
        self._max_interval = max(interval, MAX_POLL_INTERVAL)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)  # the poll thread parks here
        self._seq = 0
        self._waiters: list[_Waiter] = []
        self._thread: threading.Thread | None = None
        self._closed = False

    @property
    def seq(self) -> int:
        """The current change count; pass it to `wait_change`."""
        with self._lock:
            return self._seq

    def notify(self, slots: Collection[int] | None = None) -> None:
        """Something was committed through this process: wake waiters now (those of
        `slots` only, when given: the partitions that were appended to)."""
        with self._lock:
            self._seq += 1
            self._wake(EVERYTHING if slots is None else _Moved(frozenset(slots)))

    def _wake(self, moved: _Moved) -> None:
        """With the lock held: wake the waiters that `moved` concerns."""
        for waiter in self._waiters:
            if not waiter.woken and moved.concerns(waiter):
                waiter.woken = True
                waiter.cond.notify()

    def wait_change(
        self,
        seq: int,
        timeout: float,
        slots: Collection[int] | None = None,
        group: str | None = None,
        wake: Wake | None = None,
    ) -> int:
        """Block until a change concerning `slots` or `group` (any change, without
        `slots`) after `seq`, until `timeout` passes, or until `wake` is set; return
        the count."""
        with self._lock:
            if self._closed or self._seq != seq or (wake is not None and wake.is_set()):
                return self._seq
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="tote-sqlite-watch", daemon=True
                )
                self._thread.start()
            waiter = _Waiter(
                None if slots is None else frozenset(slots),
                group,
                threading.Condition(self._lock),
            )
            self._waiters.append(waiter)
            self._idle.notify()
            try:
                with nullcontext() if wake is None else wake.hooked(
                        lambda: self._wake_one(waiter)):
                    waiter.cond.wait_for(
                        lambda: waiter.woken or self._closed
                        or (wake is not None and wake.is_set()), timeout)
            finally:
                self._waiters.remove(waiter)
            return self._seq

    def _wake_one(self, waiter: _Waiter) -> None:
        """A waiter's Wake was set (from another thread): end its wait now."""
        with self._lock:
            waiter.cond.notify()

    def _wanted(self) -> tuple[frozenset[int] | None, frozenset[str]]:
        """With the lock held: the slots and groups waited on (None: someone waits for
        anything)."""
        slots: set[int] = set()
        groups = frozenset(w.group for w in self._waiters if w.group is not None)
        for waiter in self._waiters:
            if waiter.slots is None:
                return None, groups
            slots.update(waiter.slots)
        return frozenset(slots), groups

    def _run(self) -> None:
        try:
            conn = self._open()
        except ToteError as exc:  # the file went away (reported by the open): waits time out
            _logger.warning("Not watching the log for changes: %s", exc.message)
            return
        try:
            # No baseline: the first poll counts as a change, so a commit made between a
            # waiter's own check and this thread's start still wakes it.
            last = None
            ends: dict[int, int | None] = {}
            generations: dict[str, int | None] = {}
            interval = self._interval
            check_file = self._check_file
            next_check = time.monotonic() + FILE_CHECK_INTERVAL
            while True:
                with self._lock:
                    self._idle.wait_for(lambda: bool(self._waiters) or self._closed)
                    if self._closed:
                        return
                time.sleep(interval)
                if check_file is not None and time.monotonic() >= next_check:
                    next_check = time.monotonic() + FILE_CHECK_INTERVAL
                    if not check_file():
                        check_file = None  # reported once; writes keep failing on their own
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version == last:
                    interval = min(interval * _SLOWDOWN, self._max_interval)
                    continue
                last = version
                with self._lock:
                    slots, groups = self._wanted()
                moved = EVERYTHING
                if slots is not None:
                    moved = _Moved(
                        _moved(slots, _read(conn, _ENDS, slots), ends),
                        _moved(groups, _read(conn, _GENERATIONS, groups), generations),
                        slots,
                        groups,
                    )
                with self._lock:
                    self._seq += 1
                    self._wake(moved)
                if moved.slots is None or moved.slots or moved.groups:
                    interval = self._interval
                else:  # nothing waited on moved (offset commits, heartbeats): slow down
                    interval = min(interval * _SLOWDOWN, self._max_interval)
        finally:
            conn.close()

    def close(self) -> None:
        """Stop the polling thread (waiters return at once)."""
        with self._lock:
            self._closed = True
            thread, self._thread = self._thread, None
            self._idle.notify_all()
            for waiter in self._waiters:
                waiter.cond.notify()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)


_ENDS = "SELECT slot, end_offset FROM partitions WHERE slot IN ({})"
_GENERATIONS = "SELECT name, generation FROM groups WHERE name IN ({})"


def _read(conn: sqlite3.Connection, query: str, keys: frozenset[K]) -> dict[K, int]:
    if not keys:
        return {}
    rows = conn.execute(query.format(",".join("?" * len(keys))), tuple(keys)).fetchall()
    return dict(rows)


def _moved(keys: frozenset[K], fresh: dict[K, int], seen: dict[K, int | None]) -> frozenset[K]:
    """The keys whose value differs from the one last seen (never seen counts as moved;
    a missing row reads as None); `seen` takes the fresh values."""
    moved = []
    for key in keys:
        value = fresh.get(key)
        if key not in seen or seen[key] != value:
            moved.append(key)
        seen[key] = value
    return frozenset(moved)
