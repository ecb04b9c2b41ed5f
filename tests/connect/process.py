"""`tote serve connect` as a child process, for the crash, seed and multi-worker tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from tote.http.common import free_port

TOTE = Path(sys.executable).parent / "tote"
START_TIMEOUT_S = 90.0


@dataclass
class ConnectProcess:
    """One worker process; `kill()` is SIGKILL, `stop()` a clean shutdown."""

    url: str
    port: int
    home: Path
    process: subprocess.Popen[bytes]
    output: Path

    def kill(self) -> None:
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


def start_connect(home: Path, aliases: Mapping[str, str], *extra: str,
                  port: int | None = None) -> ConnectProcess:
    """Start a worker on the sqlite log in `home`; return once it answers `GET /`."""
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    output = home.parent / f"connect-{port}-{time.monotonic_ns()}.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOTE_")}
    env["TOTE_CONFIG"] = str(home.parent / "absent.toml")
    env["TOTE_HOST_ALIASES"] = json.dumps(dict(aliases))
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [str(TOTE), "serve", "connect", "--home", str(home), "--backend", "sqlite",
             "--port", str(port), *extra],
            stdout=sink, stderr=subprocess.STDOUT, env=env)
    running = ConnectProcess(f"http://127.0.0.1:{port}", port, home, process, output)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tote serve connect exited: {running.logs()}")
        try:
            if httpx.get(running.url + "/", timeout=5).status_code == 200:
                return running
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    running.kill()
    raise RuntimeError(f"tote serve connect did not start: {running.logs()}")
