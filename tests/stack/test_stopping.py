"""The supervisor stops its services together: every one is asked before any has finished.

Real child processes that take a while to shut down: each notes when it gets SIGTERM and
when it exits, in one shared file (appends of one short line do not interleave).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.stack.helpers import wait_until

from tote.stack.members import ServiceProcess
from tote.stack.state import STOPPED, ServiceStatus
from tote.stack.stopping import stop_together
from tote.stack.supervised import RestartPolicy, Supervised

SHUTDOWN_S = 1.5  # each child's graceful shutdown; the stops overlap if they are together
CHILD = """
import os, signal, sys, time
name, events = sys.argv[1], sys.argv[2]
def note(what):
    with open(events, "a") as out:
        out.write(f"{what} {name}\\n")
def shut_down(signum, frame):
    note("term")
    time.sleep(float(sys.argv[3]))
    note("exit")
    sys.exit(0)
signal.signal(signal.SIGTERM, shut_down)
note("ready")
while True:
    time.sleep(1)
"""


def child(tmp_path: Path, name: str, events: Path) -> Supervised:
    log = tmp_path / f"{name}.log"
    member = ServiceProcess(name, [sys.executable, "-c", CHILD, name, str(events),
                                   str(SHUTDOWN_S)],
                            dict(os.environ), log, "http://127.0.0.1:9/")
    return Supervised(member, ServiceStatus(name, "", 0, True, str(log)), RestartPolicy(),
                      lambda _: None)


def test_every_service_gets_sigterm_before_any_has_shut_down(tmp_path: Path) -> None:
    events = tmp_path / "events"
    members = [child(tmp_path, name, events) for name in ("a", "b", "c")]
    try:
        for member in members:
            member.start()
        wait_until(lambda: events.exists() and events.read_text().count("ready") == 3,
                   "the children to handle SIGTERM")
        stop_together(members, timeout_s=60)
    finally:
        for member in members:
            member.member.stop(10)
    noted = [line.split()[0] for line in events.read_text().splitlines()[3:]]
    assert noted == ["term"] * 3 + ["exit"] * 3
    assert [m.status.state for m in members] == [STOPPED] * 3
    assert not any(m.member.alive() for m in members)


def test_nothing_to_stop_is_nothing_to_do() -> None:
    stop_together([], timeout_s=1)
