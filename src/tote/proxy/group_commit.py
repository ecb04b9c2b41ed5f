"""Group commit for produce requests: concurrent requests share one log commit.

Under a steady stream of small produce requests the proxy's cost is per request: a hop to
a worker thread, a SQLite `BEGIN IMMEDIATE` … `COMMIT`, a wake-up of the log's tail
readers. Here one writer thread takes every request waiting, appends them all with
`Log.append_many` (one transaction on sqlite) and answers them with one call into the
event loop. Each request stays atomic and fails on its own, and none is answered before
its records are committed.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import TypeAlias

from tote.core.errors import ToteError
from tote.core.records import Position, Record
from tote.log.base import Log

# A group stops growing once it holds this many records (one request is always taken).
MAX_GROUP_RECORDS = 5_000


class ProxyStopping(ToteError):
    error_code = 50301

    def __init__(self) -> None:
        super().__init__("The REST proxy is shutting down.")


@dataclass(slots=True)
class _Pending:
    topic: str
    records: Sequence[Record]
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[list[Position]]


_Outcome: TypeAlias = list[Position] | BaseException


class GroupCommitter:
    """One writer thread that appends whatever produce requests are waiting, together."""

    def __init__(self, log: Log, max_group_records: int = MAX_GROUP_RECORDS) -> None:
        self._log = log
        self._max_records = max_group_records
        self._pending: list[_Pending] = []
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._cond:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="tote-proxy-commit", daemon=True
                )
                self._thread.start()

    async def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        """`Log.append(topic, records)`, committed together with other requests' batches."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[Position]] = loop.create_future()
        with self._cond:
            if self._closed or self._thread is None:
                raise ProxyStopping()
            self._pending.append(_Pending(topic, records, loop, future))
            self._cond.notify()
        # A client that hangs up cancels only the wait: records on their way still commit.
        return await future

    def close(self) -> None:
        """Commit what is waiting, then stop the writer thread."""
        with self._cond:
            self._closed = True
            thread, self._thread = self._thread, None
            self._cond.notify()
        if thread is not None:
            thread.join()

    def _take(self) -> list[_Pending]:
        """The oldest waiting requests, up to the group size (called under the lock)."""
        taken = 0
        count = 0
        for pending in self._pending:
            if count and taken + len(pending.records) > self._max_records:
                break
            taken += len(pending.records)
            count += 1
        group, self._pending = self._pending[:count], self._pending[count:]
        return group

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending:
                    return
                group = self._take()
            self._commit(group)

    def _commit(self, group: list[_Pending]) -> None:
        outcomes: Sequence[_Outcome]
        try:
            outcomes = self._log.append_many([(p.topic, p.records) for p in group])
        except Exception as exc:  # noqa: BLE001 - an I/O error or bug: each request raises it
            outcomes = [exc] * len(group)
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Pending, _Outcome]]] = {}
        for pending, outcome in zip(group, outcomes, strict=True):
            by_loop.setdefault(pending.loop, []).append((pending, outcome))
        for loop, answers in by_loop.items():
            with suppress(RuntimeError):  # that loop has closed: nobody waits any more
                loop.call_soon_threadsafe(_settle, answers)


def _settle(answers: list[tuple[_Pending, _Outcome]]) -> None:
    for pending, outcome in answers:
        if pending.future.done():
            continue
        if isinstance(outcome, BaseException):
            pending.future.set_exception(outcome)
        else:
            pending.future.set_result(outcome)
