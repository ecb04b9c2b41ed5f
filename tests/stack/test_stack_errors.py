"""User errors of the stack commands: one `Error: ...` line, exit code 1, nothing started."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.stack.helpers import Stack

from tote.core.listen import free_port
from tote.stack.services import SERVICES


@pytest.fixture
def stack(tmp_path: Path) -> Stack:
    return Stack.create(tmp_path)


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def failed(stack: Stack, *args: str) -> str:
    done = stack.tote(*args)
    assert (done.returncode, done.stdout) == (1, ""), done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    return done.stderr


def test_a_taken_service_port_names_the_port_and_the_flag(stack: Stack, taken_port: int) -> None:
    stack.ports["schema-registry"] = taken_port
    assert failed(stack, "up", "--home", str(stack.home), *stack.port_flags) == (
        f"Error: Port {taken_port} on 127.0.0.1 for schema-registry is already in use; "
        "pick another with "
        f"--registry-port (or TOTE_REGISTRY_PORT).\n")
    assert not stack.home.exists()


def test_ports_come_from_the_environment_and_tote_toml(stack: Stack, taken_port: int,
                                                       tmp_path: Path) -> None:
    stack.env["TOTE_PROXY_PORT"] = str(taken_port)
    args = ("up", "--home", str(stack.home), "--registry-port", str(free_port()))
    assert failed(stack, *args) == (
        f"Error: Port {taken_port} on 127.0.0.1 for rest-proxy is already in use; "
        "pick another with "
        f"--proxy-port (or TOTE_PROXY_PORT).\n")
    del stack.env["TOTE_PROXY_PORT"]
    toml = tmp_path / "tote.toml"
    toml.write_text(f"proxy_port = {taken_port}\n")
    stack.env["TOTE_CONFIG"] = str(toml)
    assert failed(stack, *args) == (
        f"Error: Port {taken_port} on 127.0.0.1 for rest-proxy is already in use; "
        "pick another with "
        f"--proxy-port (or TOTE_PROXY_PORT).\n")


def test_two_services_on_one_port(stack: Stack) -> None:
    port = free_port()
    assert failed(stack, "up", "--home", str(stack.home), "--registry-port", str(port),
                  "--rest-proxy-port", str(port)) == (
        f"Error: Port {port} is set for both schema-registry and rest-proxy; change one with "
        f"--proxy-port (or TOTE_PROXY_PORT).\n")


@pytest.mark.parametrize(("args", "message"), [
    (["--backend", "nope"], "Unknown backend 'nope'; expected one of sqlite, memory, kafka."),
    (["--backend", "memory"], "tote up cannot use the memory backend: its services are separate "
                              "processes sharing the log, so use --backend sqlite or kafka."),
    (["--backend", "kafka"], "The kafka backend needs bootstrap_servers "
                             "(TOTE_BOOTSTRAP_SERVERS)."),
    (["--db-url", "mysql://db/x"], "--db-url must be a postgresql://user:password@host:port/"
                                   "database URL, not 'mysql://db/x'."),
    (["--registry-port", "x"], None),
])
def test_bad_flags(stack: Stack, args: list[str], message: str | None) -> None:
    if message is None:  # typer's own usage error: exit code 2
        done = stack.tote("up", "--home", str(stack.home), *args)
        assert done.returncode == 2
        assert "Invalid value for '--registry-port'" in done.stderr
        return
    assert failed(stack, "up", "--detach", "--home", str(stack.home), *stack.port_flags,
                  *args) == f"Error: {message}\n"
    assert not stack.home.exists()


def test_an_unreachable_db_url_fails_and_leaves_nothing_running(stack: Stack) -> None:
    port = free_port()
    assert failed(stack, "up", "--detach", "--home", str(stack.home), *stack.port_flags,
                  "--db-url", f"postgresql://postgres:example@127.0.0.1:{port}/totebets") == (
        f"Error: The database at 127.0.0.1:{port} (--db-url) does not accept connections.\n")
    report = stack.status()
    assert (report["running"], report["phase"]) == (False, "stopped")
    assert report["error"] == (f"The database at 127.0.0.1:{port} (--db-url) does not accept "
                               f"connections.")
    assert [s["pid"] for s in report["services"]] == [None] * (len(SERVICES) + 1)  # + database


def test_commands_on_a_data_dir_where_nothing_ran(stack: Stack) -> None:
    home = str(stack.home)
    assert stack.tote("down", "--home", home).stdout == f"No stack is running on {home}.\n"
    assert stack.tote("status", "--home", home).stdout == f"No stack has run on {home}.\n"
    assert stack.status() == {"home": home, "running": False, "phase": "stopped",
                              "supervisor_pid": None, "backend": None, "database_url": None,
                              "aliases": {}, "error": None, "services": [], "lag": None}
    assert stack.tote("logs", "rest-proxy", "--home", home).stdout == ""
    assert stack.tote("prune", "--yes", "--home", home).stdout == (
        f"Nothing to remove: {home} does not exist.\n")


def test_prune(stack: Stack) -> None:
    home = stack.home
    home.mkdir()
    (home / "log.db").write_bytes(b"")
    (home / "logs").mkdir()
    no = stack.tote("prune", "--home", str(home), stdin="n\n")
    assert no.returncode == 1
    assert no.stdout == (f"Remove {home} and everything in it (log, schemas, database)? "
                         f"[y/N]: ")
    assert no.stderr == "Aborted.\n"
    assert home.exists()
    yes = stack.tote("prune", "--home", str(home), stdin="y\n")
    assert yes.returncode == 0
    assert yes.stdout.endswith(f"[y/N]: Removed {home}.\n")
    assert not home.exists()


def test_prune_refuses_a_directory_that_is_not_a_data_dir(stack: Stack) -> None:
    stack.home.mkdir()
    (stack.home / "notes.txt").write_text("mine")
    assert failed(stack, "prune", "--yes", "--home", str(stack.home)) == (
        f"Error: {stack.home} does not look like a tote data dir (no log.db or stack/ state); "
        f"not removing it.\n")
    assert (stack.home / "notes.txt").read_text() == "mine"
