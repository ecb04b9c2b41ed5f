"""`tote serve <service>` failing to start: one `Error: ...` line, exit 1, no traceback,
nothing started and nothing written to the data dir. Real processes on real ports."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.cli.test_bad_input_sweep import TOTE, env, one_error, run
from tests.service_process import clean_env

from tote.stack.services import SERVICES, ServiceSpec

__all__ = ["env"]  # the fixture, shared with the sweep
WAIT_S = 90.0


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program listens on (with SO_REUSEADDR, as uvicorn does)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.mark.parametrize("spec", SERVICES, ids=lambda spec: spec.name)
def test_a_taken_port_is_one_error_and_nothing_starts(env: dict[str, str], tmp_path: Path,
                                                     taken_port: int, spec: ServiceSpec
                                                     ) -> None:
    result = run(env, "serve", spec.name, "--port", str(taken_port))
    assert result.returncode == 1
    assert one_error(result.stderr) == (
        f"Error: Port {taken_port} on 127.0.0.1 for {spec.name} is already in use; "
        f"pick another with --port (or {spec.port_env}).")
    assert result.stdout == ""
    assert not (tmp_path / "home").exists()


def test_a_port_taken_through_the_environment_names_the_variable(
        env: dict[str, str], tmp_path: Path, taken_port: int) -> None:
    env["TOTE_KSQLDB_PORT"] = str(taken_port)
    result = run(env, "serve", "ksqldb")
    assert result.returncode == 1
    assert one_error(result.stderr).endswith("pick another with --port (or TOTE_KSQLDB_PORT).")
    assert not (tmp_path / "home").exists()


@pytest.mark.parametrize("host", ["a..b", "x" * 64 + ".example", "ä..b"])
@pytest.mark.parametrize("service", ["schema-registry", "ksqldb"])
def test_a_host_that_cannot_be_resolved_is_one_error(env: dict[str, str], tmp_path: Path,
                                                     host: str, service: str) -> None:
    """Host names that fail before any DNS query is sent."""
    result = run(env, "serve", service, "--host", host, "--port", "0")
    assert result.returncode == 1
    assert one_error(result.stderr).startswith(f"Error: Cannot listen on {host}:0 for {service}: ")
    assert not (tmp_path / "home").exists()


def test_a_host_that_is_not_ours_is_one_error(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, "serve", "tote", "--host", "192.0.2.1", "--port", "0")  # TEST-NET-1
    assert result.returncode == 1
    assert one_error(result.stderr) == (
        "Error: Cannot listen on 192.0.2.1:0 for tote: Cannot assign requested address.")
    assert not (tmp_path / "home").exists()


def _opened(pid: int, path: Path) -> bool:
    fds = Path(f"/proc/{pid}/fd")
    return any(os.path.realpath(fd) == str(path) for fd in fds.iterdir())


def test_the_port_is_held_from_the_check_on(tmp_path: Path) -> None:
    """The race: a second service started on the port while the first is still starting
    (here: waiting for the log's lock) is refused at once with the one line, and the first
    then starts on it. Before, neither had the port until its app had started, and the
    loser printed uvicorn's log and exited 3."""
    home = tmp_path / "home"
    home.mkdir()
    lock = sqlite3.connect(home / "log.db", isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # the first service waits to read the log
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    output = (tmp_path / "first.log").open("wb")
    first = subprocess.Popen([str(TOTE), "serve", "schema-registry", "--home", str(home),
                              "--port", str(port)], stdout=output, stderr=subprocess.STDOUT,
                             env=clean_env(home))
    try:
        deadline = time.monotonic() + WAIT_S
        while not _opened(first.pid, home / "log.db"):  # past its port check
            assert first.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        other = tmp_path / "other"
        second = run(clean_env(other), "serve", "rest-proxy", "--home", str(other),
                     "--port", str(port))
        assert second.returncode == 1
        assert one_error(second.stderr) == (
            f"Error: Port {port} on 127.0.0.1 for rest-proxy is already in use; "
            "pick another with --port (or TOTE_PROXY_PORT).")
        assert not other.exists()
        lock.rollback()
        lock.close()
        while True:  # the first one starts on its port
            assert first.poll() is None and time.monotonic() < deadline, (
                (tmp_path / "first.log").read_text())
            try:
                if httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
    finally:
        first.terminate()
        first.wait(60)
        output.close()


@pytest.mark.parametrize("home", ["/proc/tote-cannot-be-here", "x" * 300])
def test_a_data_dir_that_cannot_be_made_is_one_error(env: dict[str, str], tmp_path: Path,
                                                     home: str) -> None:
    result = run(env, "serve", "schema-registry", "--home", home, "--port", "0")
    assert result.returncode == 1
    error = one_error(result.stderr)
    assert error.startswith(f"Error: The data dir {home} is unusable: ")
    assert error.endswith(" (TOTE_HOME, --home).")
    assert list(tmp_path.iterdir()) == []


def test_a_database_url_the_ui_cannot_browse_is_one_error(env: dict[str, str]) -> None:
    result = run(env, "serve", "ui", "--db-url", "bogus://x", "--port", "0")
    assert result.returncode == 1
    assert one_error(result.stderr) == (
        "Error: Unsupported database URL 'bogus://x': use postgresql://, mysql:// or sqlite:///.")


def test_tote_refuses_zero_partitions_before_starting(env: dict[str, str],
                                                     tmp_path: Path) -> None:
    result = run(env, "serve", "tote", "--partitions", "0", "--port", "0")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Invalid value for '--partitions'" in result.stderr
    assert not (tmp_path / "home").exists()


def startup_error(stderr: str) -> str:
    """The `Error: ` line a service ends with when it could not start (uvicorn's log lines
    come before it), asserting it is the only one and there is no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = stderr.splitlines()
    assert [line for line in lines if line.startswith("Error: ")] == lines[-1:], stderr
    return lines[-1]


@pytest.mark.parametrize("service", ["schema-registry", "rest-proxy", "ksqldb"])
def test_a_schema_topic_it_cannot_use_is_one_error_naming_the_service(
        env: dict[str, str], tmp_path: Path, service: str) -> None:
    """The registry (its own service, or the one inside the REST Proxy and ksqlDB) fails
    its start on a `_schemas` topic of two partitions. Before, the registry and the proxy
    printed the app's startup traceback and exited 3 (`tote status` then had no reason
    to show); ksqlDB printed the reason without saying which service could not start."""
    home = tmp_path / "home"
    created = run(env, "topic", "create", "_schemas", "--partitions", "2", "--home", str(home))
    assert created.returncode == 0, created.stderr
    result = run(env, "serve", service, "--home", str(home), "--port", "0")
    assert result.returncode == 1
    assert startup_error(result.stderr) == (
        f"Error: {service} could not start: The schema topic _schemas should have only 1 "
        "partition but has 2.")


FAILING_APP = """
import socket, sys
from contextlib import asynccontextmanager
from starlette.applications import Starlette
from tote.core.errors import ToteError
from tote.http.common import run_app
from tote.http.hyper import run_hyper_app

@asynccontextmanager
async def lifespan(app):
    raise ToteError("a tote error") if sys.argv[2] == "tote-error" else ValueError("a bug")
    yield

serve = {"run_app": run_app, "run_hyper_app": run_hyper_app}[sys.argv[1]]
try:
    serve(Starlette(lifespan=lifespan), socket.create_server(("127.0.0.1", 0)))
except ToteError as exc:
    print(f"raised: {exc.message}")
"""


@pytest.mark.parametrize("runner", ["run_app", "run_hyper_app"])
def test_a_tote_error_in_the_app_startup_is_raised_to_the_caller(
        env: dict[str, str], runner: str) -> None:
    """The one place every `tote serve` app starts: the caller gets the ToteError to
    report in one line, and uvicorn logs no traceback."""
    result = subprocess.run([sys.executable, "-c", FAILING_APP, runner, "tote-error"],
                            capture_output=True, text=True, timeout=120, check=False, env=env)
    assert (result.returncode, result.stdout) == (0, "raised: a tote error\n"), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("runner", ["run_app", "run_hyper_app"])
def test_a_bug_in_the_app_startup_keeps_its_traceback(env: dict[str, str], runner: str) -> None:
    result = subprocess.run([sys.executable, "-c", FAILING_APP, runner, "bug"],
                            capture_output=True, text=True, timeout=120, check=False, env=env)
    assert (result.returncode, result.stdout) == (3, "")  # uvicorn's STARTUP_FAILURE
    assert "Traceback" in result.stderr
    assert "ValueError: a bug" in result.stderr
