"""Following the command topic: replay at start, then every command other servers add.

Every server on a log runs the commands of the command topic in offset order, so they
all hold the same streams, tables and queries. A server's own statements run when they
are submitted (and append their command); the follower then skips those offsets. A
request carrying `commandSequenceNumber` waits until the follower has passed it. A
command topic deleted or reset under the server stops the follower (`CommandLog.lost`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from tote.core.errors import OffsetOutOfRange, TopicNotFound, ToteError
from tote.core.records import TopicPartition
from tote.sql.commands import Command, CommandLog
from tote.sql.results import StatementResult

_LOG = logging.getLogger("tote.sql.server")

Apply = Callable[[int, Command], StatementResult | None]
Observe = Callable[[str, StatementResult | None], None]


INTACT_EVERY = 2.0
"""Seconds between the idle follower's checks that the command topic is still there (on
Kafka each is a metadata request); a request checks for itself every time."""


class CommandTimeout(ToteError):
    error_code = 50301


class CommandFollower:
    def __init__(self, commands: CommandLog, apply: Apply, observe: Observe) -> None:
        self.commands = commands
        self.apply = apply
        self.observe = observe
        self.position = 0
        self.lock = threading.RLock()
        self._own: set[int] = set()
        self._advanced = threading.Condition(self.lock)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def mark_own(self, offset: int) -> None:
        """A command this server appended and already ran."""
        with self.lock:
            if offset >= self.position:
                self._own.add(offset)

    def catch_up(self, check: bool = True) -> int:
        """Run every command not run yet; returns the position reached. `check`: when
        no command is new, whether to check that the topic is still there."""
        log = self.commands.log
        tp = TopicPartition(self.commands.topic, 0)
        with self.lock:
            while not self.commands.lost:
                try:
                    batch = log.read(tp, self.position, 500)
                except (TopicNotFound, OffsetOutOfRange):
                    batch = []
                if not batch:
                    # As ksqlDB's command runner: no new command, is the topic still there?
                    if check:
                        self.commands.intact()
                    return self.position
                for record in batch:
                    offset = record.offset
                    self.commands.saw(offset + 1)
                    if offset in self._own:
                        self._own.discard(offset)
                    elif record.value is not None:
                        key = record.key.decode("utf-8") if record.key else ""
                        self.observe(key, self.apply(offset, Command.from_bytes(record.value)))
                    self.position = offset + 1
                self._advanced.notify_all()
            return self.position

    def wait_for(self, sequence: int, timeout: float) -> None:
        """Until the command at offset `sequence` has run here (50301 after `timeout`)."""
        deadline = threading.Event()
        waited = 0.0
        while True:
            if self.catch_up() > sequence:
                return
            if waited >= timeout:
                raise CommandTimeout("Timed out while waiting for a previous command to "
                                     f"execute. command sequence number: {sequence}")
            deadline.wait(0.05)
            waited += 0.05

    # -- background --------------------------------------------------------------------------

    def start(self, poll_timeout: float = 0.5) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, args=(poll_timeout,),
                                        name="tote-ksql-commands", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout=30)

    def _loop(self, poll_timeout: float) -> None:
        tp = TopicPartition(self.commands.topic, 0)
        checked = float("-inf")
        while not self._stop.is_set():
            try:
                now = time.monotonic()
                check = now - checked >= INTACT_EVERY
                if check:
                    checked = now
                position = self.catch_up(check)
                if self.commands.lost:  # degraded: ksqlDB's command runner stops too
                    return
                self.commands.log.wait({tp: position}, poll_timeout)
            except ToteError as exc:
                _LOG.warning("Following the command topic failed: %s", exc.message)
                self._stop.wait(poll_timeout)
