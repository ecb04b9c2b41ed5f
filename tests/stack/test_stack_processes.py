"""No orphans: Ctrl-C on a foreground `tote up`, and a supervisor killed with SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tests.server_homes import server_home
from tests.stack.helpers import COMMAND_TIMEOUT_S, Stack, alive, wait_until

from tote.core.listen import free_port
from tote.embedded.postgres import EmbeddedPostgres
from tote.stack.services import SERVICES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def external_db() -> Iterator[str]:
    """A PostgreSQL the test owns, for `tote up --db-url`."""
    with server_home() as home:
        server = EmbeddedPostgres(home / "external-pg", port=free_port(), password="secret")
        with server:
            yield server.dsn("postgres")


def test_ctrl_c_stops_a_foreground_stack_and_every_child(stack_dir: Path,
                                                         external_db: str) -> None:
    stack = Stack.create(stack_dir)
    output = stack_dir / "up.out"
    with output.open("w") as sink:
        # Its own process group, like a terminal's foreground job: Ctrl-C signals the group.
        up = subprocess.Popen(
            [sys.executable, "-m", "tote", "up", "--home", str(stack.home), *stack.port_flags,
             "--db-url", external_db],
            stdout=sink, stderr=subprocess.STDOUT, env=stack.env, start_new_session=True)
    try:
        def ready() -> bool:
            report = stack.status()
            return bool(report["phase"] == "running" and report["supervisor_pid"] == up.pid)

        wait_until(ready, "the foreground stack")
        report = stack.status()
        assert httpx.get(stack.registry + "/", timeout=30).json() == {}
        db_host_port = urlsplit(external_db).netloc.rpartition("@")[2]
        assert report["aliases"]["db"] == db_host_port
        assert report["database_url"] == external_db
        database = report["services"][-1]
        assert (database["name"], database["url"], database["pid"], database["state"],
                database["healthy"]) == ("postgres", external_db, None, "external", True)
        assert not (stack.home / "postgres").exists()  # nothing embedded was created
        pids = [s["pid"] for s in report["services"] if s["pid"]]
        assert len(pids) == sum(s.available for s in SERVICES)

        os.killpg(up.pid, signal.SIGINT)
        assert up.wait(COMMAND_TIMEOUT_S) == 0
    finally:
        if up.poll() is None:
            up.kill()
            up.wait()
    assert [pid for pid in pids if alive(pid)] == []
    text = output.read_text()
    assert "Press Ctrl-C to stop the stack." in text
    assert text.splitlines()[-2:] == ["stopping the stack", "stopped"]
    assert stack.status()["phase"] == "stopped"


def test_after_a_killed_supervisor_up_adopts_postgres_and_down_cleans_up(
        stack_dir: Path) -> None:
    stack = Stack.create(stack_dir)
    done = stack.up()
    assert done.returncode == 0, done.stderr
    report = stack.status()
    services = [s["pid"] for s in report["services"][:-1] if s["pid"]]
    postgres = report["services"][-1]["pid"]

    os.kill(report["supervisor_pid"], signal.SIGKILL)
    wait_until(lambda: not any(alive(pid) for pid in services),
               "the services to exit with their supervisor")
    assert alive(postgres)  # a daemon: it outlives the supervisor...
    after = stack.status()
    assert (after["running"], after["services"][-1]["state"]) == (False, "orphaned")

    again = stack.up()  # ...and the next `tote up` adopts it, on its port
    assert again.returncode == 0, again.stderr
    adopted = stack.status()
    assert adopted["services"][-1]["pid"] == postgres
    assert adopted["database_url"] == report["database_url"]
    assert adopted["aliases"]["db"] == report["aliases"]["db"]

    os.kill(adopted["supervisor_pid"], signal.SIGKILL)
    wait_until(lambda: not any(alive(s["pid"]) for s in adopted["services"][:-1] if s["pid"]),
               "the services to exit with their supervisor")
    down = stack.down()
    assert (down.returncode, down.stdout) == (
        0, "Stopped what a dead supervisor left running: postgres.\n")
    assert not alive(postgres)  # `tote down` stops what a dead supervisor left
    state = json.loads((stack.home / "stack" / "state.json").read_text())
    assert state["phase"] == "running"  # what the killed supervisor last wrote
