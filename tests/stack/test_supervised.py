"""The restart policy, with real child processes (a crashing one and a tiny HTTP server)."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.stack.helpers import alive, wait_until

from tote.core.listen import free_port
from tote.stack.members import ServiceProcess
from tote.stack.state import FAILED, RESTARTING, RUNNING, ServiceStatus
from tote.stack.supervised import RestartPolicy, Supervised

FAST = RestartPolicy(initial_backoff_s=0.01, max_backoff_s=0.04, fast_crash_s=60.0,
                     max_fast_crashes=3)


def supervised(tmp_path: Path, argv: list[str], health_url: str,
               events: list[str]) -> Supervised:
    log = tmp_path / "child.log"
    member = ServiceProcess("child", argv, dict(os.environ), log, health_url)
    status = ServiceStatus("child", health_url, 0, True, str(log))
    return Supervised(member, status, FAST, events.append)


@pytest.fixture
def running() -> Iterator[list[Supervised]]:
    started: list[Supervised] = []
    yield started
    for item in started:
        item.stop(10)


def test_backoff_doubles_up_to_the_cap() -> None:
    policy = RestartPolicy(initial_backoff_s=0.5, max_backoff_s=10.0)
    assert [policy.backoff_s(n) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 10, 10]


def test_a_child_that_keeps_crashing_is_given_up_visibly(tmp_path: Path,
                                                        running: list[Supervised]) -> None:
    events: list[str] = []
    child = supervised(tmp_path, [sys.executable, "-c", "import sys; sys.exit(3)"],
                       "http://127.0.0.1:9/", events)
    running.append(child)
    child.start()

    def settled() -> bool:
        child.tick()
        return child.status.state == FAILED

    wait_until(settled, "the child to be given up")
    assert child.status.restarts == 2
    assert child.status.pid is None
    assert child.status.detail == ("exited with code 3; gave up after 3 crashes within 60 s "
                                   "of starting")
    assert events == [
        "child exited with code 3; restarting in 0.01 s",
        "child exited with code 3; restarting in 0.02 s",
        f"child exited with code 3; gave up after 3 crashes within 60 s of starting "
        f"(see {tmp_path / 'child.log'})",
    ]
    assert not child.tick()  # a failed child stays failed


def test_a_crash_shows_the_reason_the_service_gave(tmp_path: Path,
                                                  running: list[Supervised]) -> None:
    events: list[str] = []
    script = ("import sys; print('starting'); "
              "print('Error: the log file is gone.', file=sys.stderr); sys.exit(1)")
    child = supervised(tmp_path, [sys.executable, "-c", script], "http://127.0.0.1:9/", events)
    running.append(child)
    child.start()

    def crashed() -> bool:
        child.tick()
        return child.status.state in (RESTARTING, FAILED)

    wait_until(crashed, "the child to exit")
    assert child.status.detail == "exited with code 1 (the log file is gone.)"
    assert events[0] == "child exited with code 1 (the log file is gone.); restarting in 0.01 s"


def test_a_killed_child_is_restarted_and_becomes_ready_again(tmp_path: Path,
                                                            running: list[Supervised]) -> None:
    port = free_port()
    events: list[str] = []
    child = supervised(tmp_path, [sys.executable, "-m", "http.server", str(port), "--bind",
                                  "127.0.0.1", "--directory", str(tmp_path)],
                       f"http://127.0.0.1:{port}/", events)
    running.append(child)
    child.start()

    def up() -> bool:
        child.tick()
        return child.status.state == RUNNING

    wait_until(up, "the child to answer")
    first = child.status.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: not alive(first), "the child to die")

    def restarted() -> bool:
        child.tick()
        return child.status.state == RUNNING and child.status.pid != first

    wait_until(restarted, "the child to be restarted")
    assert child.status.restarts == 1
    assert child.status.pid not in (None, first)
    assert events == [f"child is up (pid {first})",
                      "child killed by SIGKILL; restarting in 0.01 s",
                      f"child is up (pid {child.status.pid})"]
    child.stop(10)
    assert child.status.state == "stopped"
    assert child.status.pid is None
