"""Drive `tote up` / `down` / `status` as real processes, the way a user's shell does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tote.core.listen import free_port, url_host
from tote.stack.procs import start_time
from tote.stack.services import SERVICES

COMMAND_TIMEOUT_S = 300.0
WAIT_TIMEOUT_S = 120.0


def private_dir(prefix: str) -> Iterator[Path]:
    """A fresh directory under the system temp dir, removed afterwards (a fixture's body).

    Not pytest's `tmp_path`: when tests run as root, the embedded PostgreSQL runs as an
    unprivileged user that must traverse every parent directory, and pytest resets
    `/tmp/pytest-of-<user>` to mode 0700 whenever another session starts.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def clean_env(tmp: Path) -> dict[str, str]:
    """The test's environment without any TOTE_* setting or tote.toml."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOTE_")}
    env["TOTE_CONFIG"] = str(tmp / "absent.toml")
    env["COLUMNS"] = "200"  # Rich tables on one line per row
    return env


def distinct_free_ports(count: int, host: str = "127.0.0.1") -> list[int]:
    """`count` free ports on host, all different (the OS may hand out a released one again)."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port(host)
        if port not in ports:
            ports.append(port)
    return ports


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    return start_time(pid) is not None


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = WAIT_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.1)


@dataclass
class Stack:
    """A data dir and the ports a test stack uses on it (one free port per service)."""

    home: Path
    env: dict[str, str]
    ports: dict[str, int]
    db_port: int
    first_up: subprocess.CompletedProcess[str] | None = None
    host: str = "127.0.0.1"  # where the test dials the stack (ports are free there)

    @classmethod
    def create(cls, tmp: Path, host: str = "127.0.0.1") -> Stack:
        ports = distinct_free_ports(len(SERVICES) + 1, host)
        return cls(tmp / "home", clean_env(tmp),
                   {s.name: port for s, port in zip(SERVICES, ports, strict=False)},
                   ports[-1], host=host)

    @property
    def port_flags(self) -> list[str]:
        flags = [arg for spec in SERVICES
                 for arg in (spec.port_flag, str(self.ports[spec.name]))]
        return [*flags, "--db-port", str(self.db_port)]

    def url(self, service: str) -> str:
        return f"http://{url_host(self.host)}:{self.ports[service]}"

    @property
    def registry(self) -> str:
        return self.url("schema-registry")

    @property
    def proxy(self) -> str:
        return self.url("rest-proxy")

    def tote(self, *args: str, timeout: float = COMMAND_TIMEOUT_S,
             stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "tote", *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout, input=stdin,
                              check=False)

    def up(self, *extra: str) -> subprocess.CompletedProcess[str]:
        return self.tote("up", "--detach", "--home", str(self.home), *self.port_flags, *extra)

    def down(self) -> subprocess.CompletedProcess[str]:
        return self.tote("down", "--home", str(self.home))

    def status(self) -> dict[str, Any]:
        done = self.tote("status", "--json", "--home", str(self.home))
        assert done.returncode == 0, done.stderr
        report: dict[str, Any] = json.loads(done.stdout)
        return report

    def service(self, name: str) -> dict[str, Any]:
        row: dict[str, Any] = next(s for s in self.status()["services"] if s["name"] == name)
        return row
