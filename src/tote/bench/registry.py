"""`tote bench registry`: schema lookups by id per second, over HTTP against in-process.

Lookup by id is the registry's hot path: every consumer's deserializer asks for each new
id once. The bench registers `schemas` distinct Avro schemas in a registry over a
MemoryLog, then measures, in the same run and on the same registry:

1. baseline: `Registry.get_schema(id)` called in-process, round-robin over the ids;
2. HTTP: `GET /schemas/ids/{id}` with httpx on one keep-alive connection against the
   registry API served by uvicorn on a free local port (what a client really pays).

The ratio is HTTP / in-process; per-request HTTP latency percentiles are reported too.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import typer

from tote.bench.common import emit_result, latency_summary, rate
from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.log.memory import MemoryLog
from tote.registry import Registry

ROUNDS = 3


def _schema(n: int) -> str:
    return json.dumps({"type": "record", "name": f"Bet{n}", "namespace": "tote.bench",
                       "fields": [{"name": "RACE_ID", "type": ["null", "long"], "default": None},
                                  {"name": "STAKE", "type": ["null", "double"], "default": None}]},
                      separators=(",", ":"))


def _best_seconds(lookup: Callable[[int], object], ids: list[int], n: int) -> float:
    best = float("inf")
    count = len(ids)
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for i in range(n):
            lookup(ids[i % count])
        best = min(best, time.perf_counter() - start)
    return best


def _latencies_ms(lookup: Callable[[int], object], ids: list[int], n: int) -> list[float]:
    samples = []
    clock = time.perf_counter
    for i in range(n):
        begin = clock()
        lookup(ids[i % len(ids)])
        samples.append((clock() - begin) * 1000.0)
    return samples


def run_registry_bench(n: int = 5_000, schemas: int = 100) -> dict[str, Any]:
    """Lookups/s in-process (baseline) and over HTTP, plus HTTP latency percentiles."""
    log = MemoryLog()
    registry = Registry(log)
    try:
        with ServerThread(create_registry_app(registry)) as server:
            ids = [registry.register(f"bench-{k}-value", _schema(k)).id for k in range(schemas)]
            expected = {i: registry.get_schema(i).schema for i in ids}

            with httpx.Client(base_url=server.url, timeout=30.0) as http:
                def over_http(schema_id: int) -> httpx.Response:
                    response = http.get(f"/schemas/ids/{schema_id}")
                    if response.status_code != 200:
                        raise RuntimeError(f"lookup of id {schema_id} failed: {response.text}")
                    return response

                for schema_id in ids:  # warm up, and check both paths agree
                    if over_http(schema_id).json()["schema"] != expected[schema_id]:
                        raise RuntimeError(f"HTTP and in-process disagree on id {schema_id}")
                baseline_s = _best_seconds(registry.get_schema, ids, n * 10)
                http_s = _best_seconds(over_http, ids, n)
                latencies = _latencies_ms(over_http, ids, min(n, 5_000))
    finally:
        log.close()
    # The ratio is that of the printed figures, so a reader can check it from them.
    throughput, baseline = round(rate(n, http_s), 1), round(rate(n * 10, baseline_s), 1)
    return {
        "bench": "registry",
        "throughput": throughput,
        "baseline": baseline,
        "ratio": round(throughput / baseline, 5) if baseline else 0.0,
        "latency_ms": latency_summary(latencies),
        "lookups": n,
        "schemas": schemas,
    }


def print_registry_bench(n: int = 5_000, schemas: int = 100) -> dict[str, Any]:
    """Run, print a table, and end with the one-line JSON result."""
    result = run_registry_bench(n, schemas)
    lat = result["latency_ms"]
    typer.echo(f"registry bench: schema lookups by id over {schemas} schemas")
    typer.echo(f"{'path':<36}{'lookups/s':>14}")
    typer.echo(f"{'HTTP GET /schemas/ids/{id}':<36}{result['throughput']:>14,.0f}")
    typer.echo(f"{'in-process get_schema (baseline)':<36}{result['baseline']:>14,.0f}")
    typer.echo(f"{'ratio':<36}{result['ratio']:>14.5f}")
    typer.echo(f"HTTP latency per lookup (ms): p50 {lat['p50']}  p99 {lat['p99']}  "
               f"max {lat['max']}")
    emit_result(result)
    return result
