"""How the contract suite opens each log backend, and opens it again over the same data.

Backend modules are imported inside `open`, so a backend that is missing or broken only
fails its own parametrisation of each test.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

import pytest

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import ToteError
from tote.core.records import LogRecord
from tote.log.base import GroupConsumer, Log

BACKEND_NAMES = ("memory", "sqlite", "kafka")
# Kafka-protocol brokers take about half the session timeout to settle a rebalance.
SESSION_MS = 2000
# How long tests wait for something that should happen (slow shared machine, real broker).
DEADLINE_S = 60.0
# How long a settled group's description may lag its members' own assignments: the broker
# answers from the state the members' SyncGroup left, so this only covers a rebalance still
# in flight (which takes about half a session timeout), not the generous DEADLINE_S.
DESCRIBE_S = 2 * SESSION_MS / 1000

T = TypeVar("T")


class Backend(Protocol):
    name: str

    def open(self) -> Log:
        """A fresh log (fresh data, except on the shared kafka broker)."""

    def reopen(self, log: Log) -> Log:
        """Close `log` and return a log over the same data, as after a process restart."""


class MemoryBackend:
    """One MemoryLog object: closing keeps its data, so it is its own reopened log."""

    name = "memory"

    def __init__(self, clock: Clock = SYSTEM_CLOCK) -> None:
        self.clock = clock

    def open(self) -> Log:
        from tote.log.memory import MemoryLog

        return MemoryLog(clock=self.clock)

    def reopen(self, log: Log) -> Log:
        log.close()
        return log


class SqliteBackend:
    """A SqliteLog over one file in the test's tmp_path; reopening opens the same file."""

    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self) -> Log:
        from tote.log.sqlite import SqliteLog

        return SqliteLog(self.path)

    def reopen(self, log: Log) -> Log:
        log.close()
        return self.open()


class KafkaBackend:
    """A KafkaLog on the session's shared broker: tests must use unique names."""

    name = "kafka"

    def __init__(self, bootstrap_servers: str) -> None:
        self.bootstrap_servers = bootstrap_servers

    def open(self) -> Log:
        from tote.log.kafka import KafkaLog

        return KafkaLog(self.bootstrap_servers)

    def reopen(self, log: Log) -> Log:
        log.close()
        return self.open()


class LogHarness:
    """The log under test, plus `reopen()`; closes every log it opened at teardown."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.log = backend.open()
        self._opened = [self.log]

    def reopen(self) -> Log:
        self.log = self.backend.reopen(self.log)
        self._opened.append(self.log)
        return self.log

    def close(self) -> None:
        for log in self._opened:
            log.close()


class Names:
    """Unique, valid names: `names.topic()` -> 'topic-1f3a...'."""

    def __init__(self, test_name: str) -> None:
        self._base = "".join(c if c.isalnum() else "-" for c in test_name)[:40].strip("-")

    def _make(self, kind: str) -> str:
        return f"{kind}-{self._base}-{uuid.uuid4().hex[:10]}"

    def topic(self) -> str:
        return self._make("t")

    def group(self) -> str:
        return self._make("g")

    def txn_id(self) -> str:
        return self._make("tx")

    def store(self) -> str:
        return self._make("s")


def eventually(
    attempt: Callable[[], T | None], what: str, deadline_s: float = DEADLINE_S
) -> T:
    """Call `attempt` until it returns something other than None; fail after the deadline.

    `attempt` should block briefly itself (a poll or wait with a timeout), so this is a
    bounded retry, not sleep-and-hope.
    """
    end = time.monotonic() + deadline_s
    while True:
        result = attempt()
        if result is not None:
            return result
        if time.monotonic() > end:
            pytest.fail(f"timed out after {deadline_s:.0f}s waiting for {what}")


def assert_error(
    exc: pytest.ExceptionInfo[ToteError], kind: type[ToteError], code: int, message: str
) -> None:
    """The exact error a user sees: its class, Confluent error code and message."""
    assert type(exc.value) is kind
    assert exc.value.error_code == code
    assert exc.value.message == message


def settle(members: list[GroupConsumer], expect: list[int], what: str) -> None:
    """Poll every member until their assignments have the expected sizes and do not overlap."""

    def attempt() -> bool | None:
        for member in members:
            member.poll(timeout=0.1, max_records=0)
        owned = [member.assignment() for member in members]
        disjoint = sum(len(a) for a in owned) == len(frozenset().union(*owned))
        return True if disjoint and [len(a) for a in owned] == expect else None

    eventually(attempt, what)


def consume(members: list[GroupConsumer], count: int) -> list[LogRecord]:
    """Poll the members in turn until `count` records have arrived; return them."""
    got: list[LogRecord] = []

    def attempt() -> bool | None:
        for member in members:
            got.extend(member.poll(timeout=0.1))
        return True if len(got) >= count else None

    eventually(attempt, f"{count} records (have {len(got)})")
    return got
