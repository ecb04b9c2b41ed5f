"""Restart policy: a member that dies is started again after a growing pause, within limits.

A crash soon after a start (within `fast_crash_s`) counts towards giving up; after
`max_fast_crashes` such crashes in a row the member is marked failed and left alone, so a
service that cannot start (bad config, port stolen) shows up as failed instead of
flapping forever. A member that ran for a while before dying starts a fresh count.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from tote.core.backoff import doubling_backoff
from tote.stack.members import Member
from tote.stack.state import FAILED, RESTARTING, RUNNING, STARTING, STOPPED, ServiceStatus


@dataclass(frozen=True)
class RestartPolicy:
    initial_backoff_s: float = 0.5
    max_backoff_s: float = 10.0
    fast_crash_s: float = 15.0
    max_fast_crashes: int = 5

    def backoff_s(self, crashes: int) -> float:
        return doubling_backoff(self.initial_backoff_s, self.max_backoff_s, crashes)


class Supervised:
    """One member, its status row and its restart bookkeeping; driven by `tick()`."""

    def __init__(self, member: Member, status: ServiceStatus, policy: RestartPolicy,
                 notify: Callable[[str], None], clock: Callable[[], float] = time.monotonic,
                 ) -> None:
        self.member = member
        self.status = status
        self.policy = policy
        self._notify = notify
        self._clock = clock
        self._launched_at = 0.0
        self._fast_crashes = 0
        self._restart_at: float | None = None

    @property
    def name(self) -> str:
        return self.member.name

    def start(self) -> None:
        self._launched_at = self._clock()
        self.status.state = STARTING
        self.status.detail = ""
        self.member.launch()
        self._record_process()

    def _record_process(self) -> None:
        ref = self.member.process()
        self.status.pid = None if ref is None else ref.pid
        self.status.started = None if ref is None else ref.started

    def tick(self) -> bool:
        """Advance this member's state machine once; True if its status row changed."""
        state = self.status.state
        if state in (STARTING, RUNNING):
            if not self.member.alive():
                self._crashed()
                return True
            if state == STARTING and self.member.ready():
                self.status.state = RUNNING
                self._record_process()
                self._notify(f"{self.name} is up (pid {self.status.pid})")
                return True
            return False
        if state == RESTARTING and self._restart_at is not None \
                and self._clock() >= self._restart_at:
            self._restart_at = None
            self.status.restarts += 1
            self.start()
            return True
        return False

    def _crashed(self) -> None:
        detail = self.member.exit_detail()
        uptime = self._clock() - self._launched_at
        self._fast_crashes = self._fast_crashes + 1 if uptime < self.policy.fast_crash_s else 1
        self.status.pid = None
        self.status.started = None
        if self._fast_crashes >= self.policy.max_fast_crashes:
            self.status.state = FAILED
            self.status.detail = (f"{detail}; gave up after {self._fast_crashes} crashes "
                                  f"within {self.policy.fast_crash_s:g} s of starting")
            self._notify(f"{self.name} {self.status.detail} (see {self.status.log})")
            return
        pause = self.policy.backoff_s(self._fast_crashes)
        self.status.state = RESTARTING
        self.status.detail = detail
        self._restart_at = self._clock() + pause
        self._notify(f"{self.name} {detail}; restarting in {pause:g} s")

    def stop(self, timeout_s: float) -> None:
        self._restart_at = None
        self.member.stop(timeout_s)
        self.status.state = STOPPED
        self.status.pid = None
        self.status.started = None
