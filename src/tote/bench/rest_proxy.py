"""`tote bench rest-proxy`: Avro produce through the REST Proxy over HTTP (issue 4, item 7).

On a fresh sqlite data dir with the seed's bet schema registered as id 1, `tote serve
rest-proxy` runs as its own process and a separate client process
(`tote.bench.rest_proxy_client`) drives it over keep-alive HTTP:

1. Throughput: batches of `batch` (1,000) seed bets, `application/vnd.kafka.avro.v2+json`
   with `value_schema_id: 1`, records/s. Target ≥ 50,000 records/s.
2. Baseline, same run and same log, once the proxy has stopped: the same bets converted
   from the same Avro JSON and encoded by the proxy's own encoder, then `Log.append`ed
   in batches of the same size from this process: the proxy's work minus HTTP and JSON.
   ratio = HTTP / baseline. `Log.append` of the already encoded bytes is shown too.
3. Latency: single-record produce requests paced at `rate` (1,000) req/s for `duration`
   seconds, timed from their scheduled start: p50/p99/max. Target p99 ≤ 20 ms.

The proxy runs with `--no-access-log` (a log line per request is a real share of a small
request's cost). The machine's load average is reported beside the figures: on a shared
machine, other work steals the CPU that the latency target depends on.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tote.bench.common import latency_summary, rate, start_service, stop_service
from tote.core.config import Config
from tote.core.errors import ToteError
from tote.core.records import Record
from tote.log.base import Log
from tote.log.open import open_log
from tote.proxy.codecs import Codecs, schema_encoder
from tote.proxy.resolver import ResolvedSchema
from tote.registry import Registry
from tote.serde.avro_schema import AvroSchema

TOPIC = "tote_win_bets"
AVRO = "application/vnd.kafka.avro.v2+json"
TARGET_RECORDS_PER_S = 50_000
TARGET_P99_MS = 20.0

BET_SCHEMA = json.dumps({
    "type": "record", "name": "KsqlDataSourceSchema",
    "namespace": "io.confluent.ksql.avro_schemas",
    "fields": [
        {"name": "RUNNER_ID", "type": ["null", "int"], "default": None},
        {"name": "RACE_ID", "type": ["null", "int"], "default": None},
        {"name": "AMOUNT", "type": ["null", "double"], "default": None},
    ],
    "connect.name": "io.confluent.ksql.avro_schemas.KsqlDataSourceSchema",
})
# The records of the seed's post_bets / post_bets_large / post_bets_zero payloads, in order.
SEED_BETS: tuple[tuple[int, float], ...] = (
    (1, 25.0), (2, 50.0), (1, 50.0), (2, 5.0), (2, 10.0), (2, 20.0), (2, -20.0), (1, 0.0),
    (2, 0.0), (1, 0.0), (2, 0.0),
)
START_TIMEOUT_S = 90.0
CLIENT_TIMEOUT_S = 1800.0


class BenchError(ToteError):
    error_code = 50001


def seed_records(count: int) -> list[dict[str, Any]]:
    """`count` seed bets in the Avro JSON encoding the seed posts (`{"int": 1}`)."""
    return [
        {"value": {"RUNNER_ID": {"int": runner}, "RACE_ID": {"int": 0},
                   "AMOUNT": {"double": amount}}}
        for runner, amount in (SEED_BETS[i % len(SEED_BETS)] for i in range(count))
    ]


@dataclass(frozen=True)
class Settings:
    records: int = 200_000
    batch: int = 1_000
    clients: int = 2
    rate: float = 1_000.0
    duration: float = 5.0
    workdir: Path | None = None


@dataclass(frozen=True)
class RestProxyBenchResult:
    settings: Settings
    http_records: int
    http_seconds: float
    baseline_seconds: float
    append_seconds: float
    latencies_ms: tuple[float, ...]
    latency_requests: int
    latency_seconds: float
    load_average: float = 0.0  # the machine's 1-minute load average after the HTTP runs

    @property
    def http_rate(self) -> float:
        return rate(self.http_records, self.http_seconds)

    @property
    def baseline_rate(self) -> float:
        return rate(self.http_records, self.baseline_seconds)

    @property
    def append_rate(self) -> float:
        return rate(self.http_records, self.append_seconds)

    @property
    def ratio(self) -> float:
        return self.http_rate / self.baseline_rate if self.baseline_rate else 0.0

    @property
    def latency(self) -> dict[str, float]:
        return latency_summary(self.latencies_ms)

    def as_json(self) -> dict[str, Any]:
        latency = self.latency
        s = self.settings
        return {
            "bench": "rest-proxy", "backend": "sqlite", "records": self.http_records,
            "batch": s.batch, "clients": s.clients,
            "throughput": round(self.http_rate, 1),
            "baseline": round(self.baseline_rate, 1),
            "ratio": round(self.ratio, 4),
            "append_only_records_per_s": round(self.append_rate, 1),
            "latency_rate": s.rate,
            "latency_requests": self.latency_requests,
            "latency_achieved_rate": round(rate(self.latency_requests,
                                                self.latency_seconds), 1),
            "p50_ms": latency["p50"], "p99_ms": latency["p99"], "max_ms": latency["max"],
            "target_records_per_s": TARGET_RECORDS_PER_S, "target_p99_ms": TARGET_P99_MS,
            "meets_targets": self.http_rate >= TARGET_RECORDS_PER_S
            and latency["p99"] <= TARGET_P99_MS,
            "load_average_1m": round(self.load_average, 2),
            "cpus": os.cpu_count(),
        }


def _start_proxy(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    def answers(url: str) -> bool:
        return httpx.get(url + "/", timeout=5).status_code == 200

    return start_service("rest-proxy", home, answers, BenchError, "--no-access-log",
                         timeout=START_TIMEOUT_S)


def run_client(url: str, settings: Settings) -> dict[str, Any]:
    """Run the load in its own process and return what it measured."""
    payload = {
        "url": url, "topic": TOPIC, "records": settings.records, "batch": settings.batch,
        "clients": settings.clients, "rate": settings.rate, "duration": settings.duration,
        "batch_body": json.dumps({"value_schema_id": 1,
                                  "records": seed_records(settings.batch)}),
        "single_body": json.dumps({"value_schema_id": 1, "records": seed_records(1)}),
    }
    done = subprocess.run(
        [sys.executable, "-m", "tote.bench.rest_proxy_client", json.dumps(payload)],
        capture_output=True, timeout=CLIENT_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise BenchError(f"the bench client failed: {done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    for phase in ("throughput", "latency"):
        errors = result.get(phase, {}).get("errors")  # --duration 0 skips latency
        if errors:
            raise BenchError(f"the proxy refused a request ({phase}): {errors[0]}")
    return result


def measure_direct(log: Log, records: int, batch: int) -> tuple[float, float]:
    """Seconds to append the same bets through the log API: (converted and encoded per
    batch by the proxy's encoder, as the proxy does; already encoded bytes)."""
    resolved = ResolvedSchema(f"{TOPIC}-value", 1, 1, AvroSchema.parse(BET_SCHEMA))
    encode = schema_encoder(Codecs(), resolved)
    values = [r["value"] for r in seed_records(batch)]
    start = time.perf_counter()
    for _ in range(records // batch):
        log.append(TOPIC, [Record(encode(v)) for v in values])
    encoding = time.perf_counter() - start
    encoded = [Record(encode(v)) for v in values]
    start = time.perf_counter()
    for _ in range(records // batch):
        log.append(TOPIC, encoded)
    return encoding, time.perf_counter() - start


def _prepare(log: Log) -> None:
    with Registry(log) as registry:
        registry.register(f"{TOPIC}-value", BET_SCHEMA)  # id 1 on a fresh log
    log.create_topic(TOPIC, 1)


def run(settings: Settings) -> RestProxyBenchResult:
    """All three measurements on a fresh sqlite data dir."""
    with tempfile.TemporaryDirectory(dir=settings.workdir, prefix="tote-bench-proxy-") as tmp:
        home = Path(tmp) / "home"
        log = open_log(Config(home=home, backend="sqlite"))
        try:
            _prepare(log)
            process, url = _start_proxy(home)
            try:
                client = run_client(url, settings)
                load = os.getloadavg()[0]
            finally:
                stop_service(process)
            http = client["throughput"]
            baseline, append = measure_direct(log, http["records"], settings.batch)
        finally:
            log.close()
    latency = client.get("latency", {"latencies_ms": [], "requests": 0, "seconds": 0.0})
    return RestProxyBenchResult(
        settings, http["records"], http["seconds"], baseline, append,
        tuple(latency["latencies_ms"]), latency["requests"], latency["seconds"], load)


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def print_rest_proxy_bench(settings: Settings) -> None:
    """Run the bench, print its table, and end with the one-line JSON result."""
    from rich.console import Console
    from rich.table import Table

    from tote.bench.common import emit_result

    result = run(settings)
    summary = result.as_json()
    table = Table(title=f"tote bench rest-proxy — sqlite, {result.http_records:,} seed bets in "
                        f"batches of {settings.batch:,}, {settings.clients} connection(s)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_row("HTTP produce, records/s (separate client process)",
                  _fmt(result.http_rate), f"≥ {TARGET_RECORDS_PER_S:,}")
    table.add_row("baseline: encode + Log.append, records/s", _fmt(result.baseline_rate), "")
    table.add_row("ratio HTTP / baseline", f"{result.ratio:.3f}", "")
    table.add_row("Log.append of encoded bytes, records/s", _fmt(result.append_rate), "")
    table.add_row(f"single-record requests at {settings.rate:,.0f}/s: achieved req/s",
                  _fmt(summary["latency_achieved_rate"]), "")
    table.add_row("  latency p50 (ms)", f"{summary['p50_ms']:.2f}", "")
    table.add_row("  latency p99 (ms)", f"{summary['p99_ms']:.2f}", f"≤ {TARGET_P99_MS:g}")
    table.add_row("  latency max (ms)", f"{summary['max_ms']:.2f}", "")
    table.add_row("machine load average (1 min) / CPUs",
                  f"{result.load_average:.1f} / {os.cpu_count()}", "")
    Console().print(table)
    emit_result(summary)
