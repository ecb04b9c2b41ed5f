"""Small helpers shared by the benches: percentiles, rates and the result line.

Every bench prints a readable table and then ends its output with ONE JSON object on a
line of its own, so scripts (and CI) can parse the last line and ignore the rest.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx
import typer


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of already sorted values (0.0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(math.ceil(fraction * len(sorted_values)), 1)
    return float(sorted_values[min(rank, len(sorted_values)) - 1])


def latency_summary(values_ms: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of latencies in milliseconds, rounded for reading."""
    ordered = sorted(values_ms)
    return {
        "p50": round(percentile(ordered, 0.50), 3),
        "p99": round(percentile(ordered, 0.99), 3),
        "max": round(ordered[-1], 3) if ordered else 0.0,
    }


def rate(count: int, seconds: float) -> float:
    """Items per second, guarded against a zero-length measurement."""
    return count / seconds if seconds > 0 else 0.0


def emit_result(result: Mapping[str, Any]) -> None:
    """The bench's last line: one JSON object, nothing after it."""
    typer.echo(json.dumps(result, separators=(", ", ": ")))


def start_service(service: str, home: Path, ready: Callable[[str], bool],
                  failure: Callable[[str], Exception], *options: str,
                  timeout: float = 90.0) -> tuple[subprocess.Popen[bytes], str]:
    """`tote serve <service>` on a free port over `home`'s sqlite log, in its own
    process, once `ready(url)` says so; `failure(why)` is what a bench raises when it
    exits or does not get ready in time."""
    from tote.core.listen import free_port

    port = free_port()
    command = [sys.executable, "-c", "from tote.cli.main import app; app()", "serve",
               service, "--home", str(home), "--backend", "sqlite", "--port", str(port),
               *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = process.stderr.read().decode()[-2000:] if process.stderr else ""
            raise failure(f"{service} exited: {detail}")
        try:
            if ready(url):
                return process, url
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(0.1)
    stop_service(process)
    raise failure(f"{service} did not start in time")


def stop_service(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
