"""`tote serve tote` as a child process, and `tote` CLI runs, for the process-level tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tote.http.common import free_port

TOTE = Path(sys.executable).parent / "tote"
START_TIMEOUT_S = 90.0


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment without the caller's TOTE_* settings or tote.toml."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOTE_")}
    env["TOTE_CONFIG"] = str(home.parent / "absent.toml")
    env.update(extra)
    return env


@dataclass
class ToteProcess:
    url: str
    port: int
    home: Path
    process: subprocess.Popen[bytes]
    output: Path

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, nothing."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)

    def logs(self) -> str:
        return self.output.read_text(errors="replace")


def start_tote(home: Path, *extra: str, port: int | None = None) -> ToteProcess:
    """Start the service on the sqlite log in `home`; return once /healthcheck answers 200."""
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    output = home.parent / f"tote-{port}-{time.monotonic_ns()}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [
                str(TOTE),
                "serve",
                "tote",
                "--home",
                str(home),
                "--backend",
                "sqlite",
                "--port",
                str(port),
                *extra,
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=clean_env(home),
        )
    running = ToteProcess(f"http://127.0.0.1:{port}", port, home, process, output)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tote serve tote exited: {running.logs()}")
        try:
            if httpx.get(running.url + "/healthcheck", timeout=5).status_code == 200:
                return running
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    running.kill()
    raise RuntimeError(f"tote serve tote did not start: {running.logs()}")
