"""`tote bench rest-proxy`: records/s produced through the REST Proxy beside direct appends.

On a fresh data dir (sqlite by default) with the seed's bet schema registered as id 1:

1. Through the proxy: `tote serve rest-proxy` runs as its own process; `clients` threads
   post `application/vnd.kafka.avro.v2+json` bodies of `batch` seed bets (the records of
   the seed's payload files, cycled) with `value_schema_id: 1`, over keep-alive HTTP.
   Every response is checked (200, one offset per record).
2. Baselines, same run: the same bets appended with `Log.append` in batches of the same
   size from this process, once converted from the same Avro JSON and encoded per batch
   (the proxy's work minus HTTP), once as bytes encoded beforehand (the log alone).

The ratio proxy / direct says what HTTP, JSON parsing and schema resolution cost on top
of encoding and appending. Every run appends the same number of records.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tote.bench.common import rate
from tote.core.config import Config
from tote.core.errors import ToteError
from tote.core.records import Record
from tote.log.base import Log
from tote.log.open import open_log
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.avro_json import from_avro_json
from tote.serde.avro_schema import AvroSchema
from tote.serde.wire import frame

TOPIC = "tote_win_bets"
AVRO = "application/vnd.kafka.avro.v2+json"
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
class RestProxyBenchResult:
    records: int
    batch: int
    clients: int
    backend: str
    proxy_seconds: float
    direct_seconds: float
    raw_seconds: float

    @property
    def proxy_rate(self) -> float:
        return rate(self.records, self.proxy_seconds)

    @property
    def direct_rate(self) -> float:
        return rate(self.records, self.direct_seconds)

    @property
    def raw_rate(self) -> float:
        return rate(self.records, self.raw_seconds)

    @property
    def ratio(self) -> float:
        return self.proxy_rate / self.direct_rate if self.direct_rate else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "bench": "rest-proxy", "backend": self.backend, "records": self.records,
            "batch": self.batch, "clients": self.clients,
            "proxy_records_per_s": round(self.proxy_rate, 1),
            "proxy_requests_per_s": round(rate(self.records // self.batch, self.proxy_seconds), 1),
            "direct_records_per_s": round(self.direct_rate, 1),
            "append_only_records_per_s": round(self.raw_rate, 1),
            "ratio": round(self.ratio, 4),
        }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _start_proxy(home: Path, backend: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [sys.executable, "-c", "from tote.cli.main import app; app()", "serve",
               "rest-proxy", "--home", str(home), "--backend", backend, "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"rest-proxy exited: {process.stderr.read().decode()[-2000:]}"
                             if process.stderr else "rest-proxy exited")
        try:
            if httpx.get(url + "/", timeout=5).status_code == 200:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    process.kill()
    raise BenchError("rest-proxy did not start in time")


def _post_batches(url: str, body: bytes, requests: int, batch: int, errors: list[str]) -> None:
    with httpx.Client(base_url=url, timeout=120, headers={"Content-Type": AVRO}) as client:
        for _ in range(requests):
            response = client.post(f"/topics/{TOPIC}", content=body)
            if response.status_code != 200 or len(response.json()["offsets"]) != batch:
                errors.append(f"{response.status_code} {response.text[:300]}")
                return


def measure_proxy(url: str, records: int, batch: int, clients: int) -> float:
    """Seconds to produce `records` through the proxy with `clients` concurrent clients."""
    body = json.dumps({"value_schema_id": 1, "records": seed_records(batch)}).encode()
    requests = records // batch
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    errors: list[str] = []
    _post_batches(url, body, 1, batch, errors)  # warm up: schema caches, connections
    threads = [threading.Thread(target=_post_batches, args=(url, body, n, batch, errors))
               for n in shares]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise BenchError(f"the proxy refused a batch: {errors[0]}")
    return elapsed


def measure_direct(log: Log, records: int, batch: int) -> tuple[float, float]:
    """Seconds to append the same bets straight to the log: (encoding each batch from the
    same Avro JSON as the proxy does, appending already encoded bytes)."""
    schema = AvroSchema.parse(BET_SCHEMA)
    codec = AvroCodec(schema)
    values = [r["value"] for r in seed_records(batch)]
    start = time.perf_counter()
    for _ in range(records // batch):
        log.append(TOPIC, [Record(frame(1, codec.encode(from_avro_json(schema, v))))
                           for v in values])
    encoding = time.perf_counter() - start
    encoded = [Record(frame(1, codec.encode(from_avro_json(schema, v)))) for v in values]
    start = time.perf_counter()
    for _ in range(records // batch):
        log.append(TOPIC, encoded)
    return encoding, time.perf_counter() - start


def _prepare(log: Log) -> None:
    with Registry(log) as registry:
        registry.register(f"{TOPIC}-value", BET_SCHEMA)  # id 1 on a fresh log
    log.create_topic(TOPIC, 1)


def run(records: int, batch: int, clients: int, backend: str,
        workdir: Path | None) -> RestProxyBenchResult:
    """Both measurements on a fresh log of `backend` (sqlite: the proxy is another process;
    memory: it serves from a thread of this process, sharing the GIL with the clients)."""
    if backend not in ("sqlite", "memory"):
        raise BenchError("The rest-proxy bench runs on the sqlite or memory backend.")
    with tempfile.TemporaryDirectory(dir=workdir, prefix="tote-bench-proxy-") as tmp:
        home = Path(tmp) / "home"
        log = open_log(Config(home=home, backend=backend))
        try:
            _prepare(log)
            if backend == "sqlite":
                process, url = _start_proxy(home, backend)
                try:
                    proxy_seconds = measure_proxy(url, records, batch, clients)
                finally:
                    process.terminate()
                    process.wait(30)
            else:
                proxy_seconds = _in_process(log, records, batch, clients)
            direct_seconds, raw_seconds = measure_direct(log, records, batch)
        finally:
            log.close()
    return RestProxyBenchResult(records - records % batch, batch, clients, backend,
                                proxy_seconds, direct_seconds, raw_seconds)


def _in_process(log: Log, records: int, batch: int, clients: int) -> float:
    from tote.http.common import ServerThread
    from tote.http.proxy_api import create_app
    from tote.proxy.schema_source import RegistrySchemaSource
    from tote.proxy.service import RestProxy

    with Registry(log) as registry:
        app = create_app(RestProxy(log, RegistrySchemaSource(registry)))
        with ServerThread(app) as server:
            return measure_proxy(server.url, records, batch, clients)


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def print_rest_proxy_bench(records: int, batch: int, clients: int, backend: str,
                           workdir: Path | None) -> None:
    """Run the bench, print its table, and end with the one-line JSON result."""
    from rich.console import Console
    from rich.table import Table

    from tote.bench.common import emit_result

    result = run(records, batch, clients, backend, workdir)
    table = Table(title=f"tote bench rest-proxy — {backend}, {result.records:,} seed bets, "
                        f"{batch} per request, {clients} clients")
    table.add_column("measure")
    table.add_column("records/s", justify="right")
    table.add_row("through the REST Proxy (HTTP, avro)", _fmt(result.proxy_rate))
    table.add_row("baseline: encode + Log.append, same bets", _fmt(result.direct_rate))
    table.add_row("baseline: Log.append of encoded bytes", _fmt(result.raw_rate))
    table.add_row("ratio proxy / direct", f"{result.ratio:.3f}")
    Console().print(table)
    emit_result(result.as_json())
