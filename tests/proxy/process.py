"""`tote serve rest-proxy` as a child process, for the proxy tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tote.core.listen import free_port

TOTE = Path(sys.executable).parent / "tote"
START_TIMEOUT_S = 90.0


@dataclass
class ProxyProcess:
    """`tote serve rest-proxy` running as a child process."""

    url: str
    home: Path
    process: subprocess.Popen[bytes]
    output: Path
    extra: tuple[str, ...] = field(default=())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOTE_")}
    env["TOTE_CONFIG"] = str(home.parent / "absent.toml")
    return env


def start_proxy(home: Path, *extra: str, backend: str = "sqlite") -> ProxyProcess:
    """Start the proxy and wait until it answers `GET /`."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    output = home.parent / f"proxy-{port}.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [str(TOTE), "serve", "rest-proxy", "--home", str(home), "--backend", backend,
             "--port", str(port), *extra],
            stdout=sink, stderr=subprocess.STDOUT, env=clean_env(home),
        )
    running = ProxyProcess(f"http://127.0.0.1:{port}", home, process, output, extra)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"rest-proxy exited: {output.read_text()}")
        try:
            if httpx.get(running.url + "/", timeout=5).status_code == 200:
                return running
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    running.stop()
    raise RuntimeError(f"rest-proxy did not start: {output.read_text()}")


@contextmanager
def kafka_proxy_client(home: Path, bootstrap: str) -> Iterator[httpx.Client]:
    """A client of a proxy on the Kafka backend at `bootstrap`, stopped on exit."""
    running = start_proxy(home, "--bootstrap-servers", bootstrap, backend="kafka")
    try:
        with httpx.Client(base_url=running.url, timeout=120) as client:
            yield client
    finally:
        running.stop()
