"""What a supervisor runs: `tote serve <name>` child processes (the database: postgres.py).

A member knows how to launch itself, whether it is still alive, whether it is ready,
and how to stop. Restart policy lives elsewhere (`supervised.py`), so the same policy
applies to every member.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

from tote.stack.health import http_ok
from tote.stack.procs import ProcessRef, die_with_parent


class Member(Protocol):
    """One supervised process, whatever kind."""

    name: str

    def launch(self) -> None: ...

    def alive(self) -> bool: ...

    def exit_detail(self) -> str: ...

    def ready(self) -> bool: ...

    def process(self) -> ProcessRef | None: ...

    def stop(self, timeout_s: float) -> None: ...


def tote_command() -> list[str]:
    """How to run `tote` with this interpreter (works without the console script on PATH)."""
    return [sys.executable, "-m", "tote"]


class ServiceProcess:
    """`tote serve <name> ...` as a child: own session, output appended to its log file.

    Its own session keeps a terminal's Ctrl-C away from it (the supervisor stops children
    in order); `die_with_parent` makes the kernel stop it if the supervisor is killed.
    """

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], log_path: Path,
                 health_url: str) -> None:
        self.name = name
        self.argv = list(argv)
        self.env = dict(env)
        self.log_path = log_path
        self.health_url = health_url
        self._popen: subprocess.Popen[bytes] | None = None
        self._ref: ProcessRef | None = None

    def launch(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as out:
            # The supervisor spawns from its only thread; the hook only calls prctl.
            self._popen = subprocess.Popen(
                self.argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                env=self.env, start_new_session=True,
                preexec_fn=die_with_parent,  # noqa: PLW1509
            )
        self._ref = ProcessRef.of(self._popen.pid)

    def alive(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def exit_detail(self) -> str:
        code = None if self._popen is None else self._popen.returncode
        if code is None:
            return "not running"
        if code < 0:
            return f"killed by {signal.Signals(-code).name}"
        reason = last_error_line(self.log_path)
        return f"exited with code {code}" + (f" ({reason})" if reason else "")

    def ready(self) -> bool:
        return self.alive() and http_ok(self.health_url)

    def process(self) -> ProcessRef | None:
        return self._ref if self.alive() else None

    def stop(self, timeout_s: float) -> None:
        """SIGTERM (uvicorn shuts down gracefully), SIGKILL after `timeout_s`; always reaped."""
        popen = self._popen
        if popen is None or popen.poll() is not None:
            return
        popen.terminate()
        try:
            popen.wait(timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait(30)


TAIL_BYTES = 4096


def last_error_line(log_path: Path) -> str | None:
    """The last `Error: ...` line a service wrote to its log (how `tote serve` says why it
    exits), so `tote status` can show the reason beside the exit code."""
    try:
        with log_path.open("rb") as log:
            log.seek(max(log.seek(0, os.SEEK_END) - TAIL_BYTES, 0))
            tail = log.read().decode("utf-8", "replace")
    except OSError:
        return None
    errors = [line.strip() for line in tail.splitlines() if line.startswith("Error: ")]
    return errors[-1][len("Error: "):] if errors else None
