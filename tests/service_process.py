"""`tote serve <service>` as a child process, for the tests that kill, restart or share one.

`start_service` returns once the service answers 200 on its health path; `kill()` is
SIGKILL (no shutdown, no flush, nothing), `stop()` a clean shutdown.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tote.core.listen import free_port

TOTE = Path(sys.executable).parent / "tote"
START_TIMEOUT_S = 90.0


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment without the caller's TOTE_* settings or tote.toml."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOTE_")}
    env["TOTE_CONFIG"] = str(home.parent / "absent.toml")
    env.update(extra)
    return env


@dataclass
class ServiceProcess:
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


def start_service(service: str, home: Path, health_path: str, *extra: str,
                  port: int | None = None, env: dict[str, str] | None = None
                  ) -> ServiceProcess:
    """Start `tote serve <service>` on the sqlite log in `home` (environment: `env`, else
    `clean_env(home)`); return once `health_path` answers 200."""
    home.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    output = home.parent / f"{service}-{port}-{time.monotonic_ns()}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [str(TOTE), "serve", service, "--home", str(home), "--backend", "sqlite",
             "--port", str(port), *extra],
            stdout=sink, stderr=subprocess.STDOUT, env=env or clean_env(home))
    running = ServiceProcess(f"http://127.0.0.1:{port}", port, home, process, output)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tote serve {service} exited: {running.logs()}")
        try:
            if httpx.get(running.url + health_path, timeout=5).status_code == 200:
                return running
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    running.kill()
    raise RuntimeError(f"tote serve {service} did not start: {running.logs()}")
