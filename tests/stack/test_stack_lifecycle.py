"""`tote up --detach` end to end: services answer, status, restart on SIGKILL, down, up again.

One stack for the whole module (tests run in file order and share it); the last test
takes it down and up again on the same data dir.
"""

from __future__ import annotations

import json
import os
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from tests.stack.helpers import Stack, alive, wait_until

from tote.stack.services import SERVICES

pytestmark = pytest.mark.slow

SCHEMA = json.dumps({"type": "record", "name": "Bet",
                     "fields": [{"name": "AMOUNT", "type": "int"}]}, separators=(",", ":"))


@pytest.fixture(scope="module")
def db_port_taken() -> Iterator[int]:
    """A port something else listens on: the stack's PostgreSQL must pick another."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture(scope="module")
def stack(module_dir: Path, db_port_taken: int) -> Iterator[Stack]:
    stack = Stack.create(module_dir)
    stack.db_port = db_port_taken
    stack.first_up = stack.up()
    try:
        yield stack
    finally:
        stack.down()


def test_up_prints_the_table_of_services(stack: Stack) -> None:
    done = stack.first_up
    assert done is not None
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    assert lines[0] == f"tote stack on {stack.home}"
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in lines if line.startswith("│")}
    assert list(rows) == [*(s.name for s in SERVICES), "postgres"]
    for spec in SERVICES:
        url, pid, state, restarts = rows[spec.name]
        assert url == stack.url(spec.name)
        if spec.available:
            assert (pid.isdigit(), state, restarts) == (True, "running", "0")
        else:
            assert (pid, state, restarts) == ("", "not built yet", "")
    assert rows["postgres"][2:] == ["running", "0"]
    assert lines[-2].startswith("Database: postgresql://postgres:example@127.0.0.1:")
    assert lines[-1] == "Running in the background: `tote status`, `tote logs -f`, `tote down`."


def test_every_available_service_answers(stack: Stack) -> None:
    assert httpx.get(stack.registry + "/", timeout=30).json() == {}
    assert httpx.get(stack.registry + "/subjects", timeout=30).json() == []
    assert httpx.get(stack.proxy + "/topics", timeout=30).status_code == 200
    for spec in SERVICES:
        if spec.available:
            assert httpx.get(stack.url(spec.name) + spec.health_path,
                             timeout=30).status_code == 200


def test_status_json_reports_every_service(stack: Stack, db_port_taken: int) -> None:
    report = stack.status()
    db_port = next(s["port"] for s in report["services"] if s["name"] == "postgres")
    assert db_port != db_port_taken  # the configured port was taken: a free one was chosen
    db_url = f"postgresql://postgres:example@127.0.0.1:{db_port}/totebets"
    assert report["running"] is True
    assert report["phase"] == "running"
    assert report["home"] == str(stack.home)
    assert report["backend"] == "sqlite"
    assert report["database_url"] == db_url
    assert report["error"] is None
    assert alive(report["supervisor_pid"])
    assert report["aliases"] == {
        "db": f"127.0.0.1:{db_port}",
        **{s.seed_host: f"127.0.0.1:{stack.ports[s.name]}" for s in SERVICES
           if s.available and s.seed_host is not None},
    }
    assert report["aliases"]["schema-registry"] == f"127.0.0.1:{stack.ports['schema-registry']}"
    assert report["aliases"]["rest-proxy"] == f"127.0.0.1:{stack.ports['rest-proxy']}"
    summary = [(s["name"], s["url"], s["port"], s["state"], s["healthy"], s["available"])
               for s in report["services"]]
    assert summary == [
        *((s.name, stack.url(s.name), stack.ports[s.name],
           "running" if s.available else "not-built", s.available, s.available)
          for s in SERVICES),
        ("postgres", db_url, db_port, "running", True, True),
    ]
    for row in report["services"]:
        assert (row["pid"] is not None) == row["available"]
        if row["pid"] is not None:
            assert alive(row["pid"])
    assert report["services"][0]["log"] == str(stack.home / "logs" / "schema-registry.log")


def test_postgres_has_the_seed_database_user_and_password(stack: Stack) -> None:
    url = stack.status()["database_url"]
    with psycopg.connect(url, connect_timeout=30) as conn:
        row = conn.execute("SELECT current_database(), current_user").fetchone()
    assert row == ("totebets", "postgres")
    with pytest.raises(psycopg.OperationalError, match='password authentication failed for '
                                                      'user "postgres"'):
        psycopg.connect(url.replace(":example@", ":wrong@"), connect_timeout=30)


def test_services_get_the_host_alias_table(stack: Stack) -> None:
    report = stack.status()
    pid = report["services"][0]["pid"]
    environ = dict(item.split("=", 1) for item in
                   Path(f"/proc/{pid}/environ").read_text().split("\0") if "=" in item)
    assert json.loads(environ["TOTE_HOST_ALIASES"]) == report["aliases"]
    assert environ["TOTE_DB_URL"] == report["database_url"]


def test_second_up_on_a_running_stack_fails_clearly(stack: Stack) -> None:
    done = stack.up()
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == (f"Error: A stack is already running on {stack.home}; "
                           f"stop it with `tote down` first.\n")


def test_prune_refuses_while_running(stack: Stack) -> None:
    done = stack.tote("prune", "--yes", "--home", str(stack.home))
    assert done.returncode == 1
    assert done.stderr == (f"Error: A stack is running on {stack.home}; stop it with "
                           f"`tote down` before pruning.\n")
    assert (stack.home / "log.db").exists()


def test_a_killed_service_is_restarted(stack: Stack) -> None:
    before = stack.service("schema-registry")
    os.kill(before["pid"], signal.SIGKILL)
    wait_until(lambda: not alive(before["pid"]), "the killed registry to exit")

    def restarted() -> bool:
        row = stack.service("schema-registry")
        return bool(row["state"] == "running" and row["restarts"] == 1 and row["healthy"])

    wait_until(restarted, "the registry to be restarted")
    after = stack.service("schema-registry")
    assert after["pid"] != before["pid"]
    assert alive(after["pid"])
    assert httpx.get(stack.registry + "/", timeout=30).json() == {}
    log = stack.tote("logs", "supervisor", "--home", str(stack.home)).stdout
    assert "schema-registry killed by SIGKILL; restarting in 0.5 s" in log
    assert f"schema-registry is up (pid {after['pid']})" in log


def test_logs_of_one_service_and_of_all(stack: Stack) -> None:
    one = stack.tote("logs", "schema-registry", "--home", str(stack.home))
    assert one.returncode == 0
    assert (f"INFO:     Uvicorn running on http://127.0.0.1:{stack.ports['schema-registry']} "
            f"(Press CTRL+C to quit)") in one.stdout.splitlines()
    last = stack.tote("logs", "supervisor", "--tail", "1", "--home", str(stack.home))
    assert len(last.stdout.splitlines()) == 1
    every = stack.tote("logs", "--home", str(stack.home)).stdout.splitlines()
    prefixes = {line.split(" | ")[0].strip() for line in every}
    assert prefixes == {"supervisor", "postgres", *(s.name for s in SERVICES if s.available)}
    bad = stack.tote("logs", "kafka", "--home", str(stack.home))
    assert bad.returncode == 1
    assert bad.stderr == ("Error: Unknown service 'kafka'; expected one of schema-registry, "
                          "rest-proxy, connect, ksqldb, ui, tote, postgres, supervisor.\n")


def test_down_stops_everything_and_up_again_keeps_the_schemas(stack: Stack) -> None:
    registered = httpx.post(stack.registry + "/subjects/bets-value/versions",
                            json={"schema": SCHEMA}, timeout=30)
    assert registered.json() == {"id": 1}
    report = stack.status()
    pids = [report["supervisor_pid"], *(s["pid"] for s in report["services"] if s["pid"])]
    assert len(pids) == 2 + sum(s.available for s in SERVICES)

    done = stack.down()
    assert (done.returncode, done.stdout, done.stderr) == (
        0, f"Stopped the stack on {stack.home}.\n", "")
    assert [pid for pid in pids if alive(pid)] == []
    stopped = stack.status()
    assert (stopped["running"], stopped["phase"], stopped["supervisor_pid"]) == (
        False, "stopped", None)
    assert {s["state"] for s in stopped["services"]} == {
        "stopped", *("not-built" for spec in SERVICES if not spec.available)}
    assert stack.down().stdout == f"No stack is running on {stack.home}.\n"

    again = stack.up()
    assert again.returncode == 0, again.stderr
    assert httpx.get(stack.registry + "/subjects", timeout=30).json() == ["bets-value"]
    assert httpx.get(stack.registry + "/subjects/bets-value/versions/1", timeout=30).json() == {
        "subject": "bets-value", "version": 1, "id": 1, "schema": SCHEMA}
    url = stack.status()["database_url"]
    assert url == report["database_url"]  # the same database port as before
    with psycopg.connect(url, connect_timeout=30) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("totebets",)
