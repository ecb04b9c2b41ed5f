"""Process identity, signalling and the supervisor lock — the OS plumbing of the stack.

A pid alone is not an identity: after a crash the number can be reused by an unrelated
program, and `tote down` must never signal that. So the state file stores each pid with
its start time (`/proc/<pid>/stat` field 22 on Linux) and every check compares both.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

_PR_SET_PDEATHSIG = 1


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:  # gone, or not ours to read
        return None
    # "pid (comm) state ppid ...": comm may contain spaces and parentheses.
    return raw[raw.rfind(")") + 2:].split()


def start_time(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, 0 where /proc is absent, None if gone."""
    if not Path("/proc/self/stat").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return 0
        return 0
    fields = _stat_fields(pid)
    if fields is None or fields[0] in ("Z", "X"):  # zombies count as gone
        return None
    return int(fields[19])


@dataclass(frozen=True)
class ProcessRef:
    """A pid plus its start time: refers to exactly one process, ever."""

    pid: int
    started: int

    @classmethod
    def of(cls, pid: int) -> ProcessRef | None:
        started = start_time(pid)
        return None if started is None else cls(pid, started)

    def alive(self) -> bool:
        return start_time(self.pid) == self.started

    def signal(self, signum: int) -> bool:
        """Send `signum` if this is still the same process; False if it is gone."""
        if not self.alive():
            return False
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            return False
        return True

    def wait_gone(self, timeout_s: float) -> bool:
        """Poll until the process has exited (True) or the timeout passed (False)."""
        deadline = time.monotonic() + timeout_s
        while self.alive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)
        return True

    def stop(self, timeout_s: float) -> None:
        """SIGTERM, then SIGKILL after `timeout_s`; returns once it is gone."""
        if self.signal(signal.SIGTERM) and not self.wait_gone(timeout_s):
            self.signal(signal.SIGKILL)
            self.wait_gone(10.0)


def die_with_parent() -> None:
    """`preexec_fn` for children: the kernel sends SIGTERM if the supervisor dies (Linux).

    This is what keeps services from outliving a supervisor that was SIGKILLed.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class SupervisorLock:
    """An exclusive flock on `<home>/stack/supervisor.lock`, held while a supervisor runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; False if another supervisor holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def lock_is_held(path: Path) -> bool:
    """True while some supervisor holds the lock (test by trying to take it)."""
    if not path.exists():
        return False
    probe = SupervisorLock(path)
    if probe.acquire():
        probe.release()
        return False
    return True
