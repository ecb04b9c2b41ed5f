"""Small helpers shared by the benches: percentiles, rates and the result line.

Every bench prints a readable table and then ends its output with ONE JSON object on a
line of its own, so scripts (and CI) can parse the last line and ignore the rest.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

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
