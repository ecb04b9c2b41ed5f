"""`tote bench push`: ksqlDB push and pull queries over HTTP on the embedded log (issue 6,
item 8).

On a fresh sqlite data dir, `tote serve ksqldb` runs as its own process and the seed's
pipeline statements are posted to its `/ksql`. Then, from this process:

1. Push latency: a push query on the odds stream (`SELECT * FROM
   tote_win_bet_race_runners_odds EMIT CHANGES`, from latest) is opened over
   `/query-stream` (HTTP/2, h2c, as ksqlDB's clients do; `--http1` for HTTP/1.1), and the
   seed's bets are appended to `tote_win_bets` on the log (Avro, the schema ksqlDB
   registered) at a steady `rate` for `duration` s, `batch` bets per append. Each bet
   makes one odds row, in order, so the n-th row after the warm-up belongs to the n-th
   bet: its latency is from the append of its batch to the row's arrival on the client,
   through the three persistent queries (repartitions, two aggregates, a three-way join)
   and the push query. Target p99 ≤ 50 ms.
2. Pull lookups: `SELECT * FROM tote_runners_pool WHERE runner_id = K` over
   `/query-stream` (HTTP/1.1 keep-alive, `clients` connections driven by one light
   asyncio client, `tote.bench.http_load`) for `pull_duration` s; lookups/s, each
   checked to return its one row. Target ≥ 2,000/s. Baseline, same
   server and clients: `GET /info` requests/s, the HTTP floor a lookup cannot beat.
3. Baseline for push, same run: raw log append → read latency at the same rate and
   batch, read by another process (`tote.bench.log`): what the log alone adds.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tote.bench.common import emit_result, latency_summary, rate, start_service, stop_service
from tote.bench.http_load import Check, LoadError, Request, run_closed_loop
from tote.core.config import Config
from tote.core.errors import ToteError
from tote.core.records import Record
from tote.log.base import Log
from tote.log.open import open_log
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.seed import SeedClient, load_statements
from tote.seed.files import BETS_TOPIC, ODDS_TABLE
from tote.serde.avro import AvroCodec

TARGET_P99_MS = 50.0
TARGET_LOOKUPS_PER_S = 2_000.0
POOL_TABLE = "tote_runners_pool"
# The seed's bets (runner, amount), race 0, cycled.
SEED_BETS = ((1, 25.0), (2, 50.0), (1, 50.0), (2, 5.0), (2, 10.0), (2, 20.0), (2, -20.0),
             (1, 0.0), (2, 0.0))
WARMUP_BETS = 50
START_TIMEOUT_S = 120.0
DRAIN_TIMEOUT_S = 120.0


class PushBenchError(ToteError):
    error_code = 50001


@dataclass(frozen=True)
class PushSettings:
    rate: float = 2_000.0
    duration: float = 20.0
    batch: int = 10
    pull_duration: float = 5.0
    clients: int = 4
    http2: bool = True
    workdir: Path | None = None


# -- the server ---------------------------------------------------------------------------


def start_ksqldb(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`tote serve ksqldb` on a free port over `home`'s sqlite log, once it is RUNNING."""
    def running(url: str) -> bool:
        info = httpx.get(url + "/info", timeout=5).json()["KsqlServerInfo"]
        return bool(info["serverStatus"] == "RUNNING")

    return start_service("ksqldb", home, running, PushBenchError, timeout=START_TIMEOUT_S)


def build_pipeline(url: str) -> None:
    """The seed's statements, each posted to /ksql as the seed's build step does."""
    with SeedClient(ksqldb_url=url) as seed:
        for step in seed.run_statements(load_statements()):
            if not step.ok:
                raise PushBenchError(f"{step.step}: {step.detail}")


# -- push latency -------------------------------------------------------------------------


class BetWriter:
    """Seed bets, Avro-framed with the schema ksqlDB registered for the bets stream."""

    def __init__(self, log: Log) -> None:
        with Registry(log) as registry:
            registered = registry.get_version(f"{BETS_TOPIC}-value")
        codec = AvroCodec(registered.schema)
        self.log = log
        self.bets = [codec.encode_framed(registered.id, {
            "RUNNER_ID": runner, "RACE_ID": 0, "AMOUNT": amount})
            for runner, amount in SEED_BETS]
        self._next = 0

    def append(self, count: int) -> None:
        records = []
        for _ in range(count):
            records.append(Record(self.bets[self._next % len(self.bets)]))
            self._next += 1
        self.log.append(BETS_TOPIC, records)


class RowReader:
    """A push query over /query-stream in a thread: the arrival time of every row."""

    def __init__(self, url: str, sql: str, http2: bool) -> None:
        self.arrivals: list[float] = []
        self.error: str | None = None
        self.query_id = ""
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._client = httpx.Client(base_url=url, http2=http2, http1=not http2,
                                    timeout=httpx.Timeout(30.0, read=None))
        self._thread = threading.Thread(target=self._run, args=(sql,), daemon=True)

    def start(self) -> RowReader:
        self._thread.start()
        if not self._ready.wait(START_TIMEOUT_S) or self.error is not None:
            raise PushBenchError(f"the push query did not start: {self.error}")
        return self

    def _run(self, sql: str) -> None:
        try:
            with self._client.stream("POST", "/query-stream", json={"sql": sql}) as response:
                if response.status_code != 200:
                    self.error = f"{response.status_code} {response.read().decode()[:300]}"
                    return
                lines = response.iter_lines()
                self.query_id = json.loads(next(lines))["queryId"]
                self._ready.set()
                for line in lines:
                    if self._stop.is_set():
                        return
                    if line.startswith("["):
                        self.arrivals.append(time.perf_counter())
                    elif line.strip():
                        self.error = line[:300]
                        return
        except (httpx.HTTPError, ValueError, StopIteration) as exc:
            if not self._stop.is_set():
                self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self._ready.set()

    def wait_for(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while len(self.arrivals) < count and self.error is None:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return len(self.arrivals) >= count

    def close(self, url: str) -> None:
        self._stop.set()
        if self.query_id:
            with contextlib.suppress(httpx.HTTPError):
                httpx.post(url + "/close-query", json={"queryId": self.query_id}, timeout=10)
        self._thread.join(10)
        self._client.close()


@dataclass
class PushPhase:
    sent: int
    received: int
    append_seconds: float
    latencies_ms: list[float]


def measure_push(url: str, writer: BetWriter, settings: PushSettings) -> PushPhase:
    """Bets at a steady rate; each odds row's latency from its batch's append."""
    reader = RowReader(url, f"SELECT * FROM {ODDS_TABLE} EMIT CHANGES;", settings.http2)
    reader.start()
    try:
        # The query reads from latest: warm up until its rows follow the bets.
        writer.append(WARMUP_BETS)
        if not reader.wait_for(WARMUP_BETS, DRAIN_TIMEOUT_S):
            raise PushBenchError(f"the warm-up rows did not arrive ({len(reader.arrivals)} "
                                 f"of {WARMUP_BETS}; {reader.error or 'no error'})")
        time.sleep(0.5)
        base = len(reader.arrivals)
        appends = max(1, round(settings.rate * settings.duration / settings.batch))
        interval = settings.batch / settings.rate
        sent_at: list[float] = []
        start = time.perf_counter()
        for k in range(appends):
            time.sleep(max(0.0, start + k * interval - time.perf_counter()))
            sent_at.append(time.perf_counter())
            writer.append(settings.batch)
        append_seconds = sent_at[-1] - start + interval
        sent = appends * settings.batch
        reader.wait_for(base + sent, DRAIN_TIMEOUT_S)
        if reader.error is not None:
            raise PushBenchError(f"the push query failed: {reader.error}")
        arrivals = reader.arrivals[base:base + sent]
        latencies = [(arrival - sent_at[i // settings.batch]) * 1000.0
                     for i, arrival in enumerate(arrivals)]
        return PushPhase(sent, len(arrivals), append_seconds, latencies)
    finally:
        reader.close(url)


# -- pull lookups -------------------------------------------------------------------------


def _timed_requests(url: str, clients: int, seconds: float, request: Request,
                    check: Check) -> int:
    """`request` in a loop on `clients` keep-alive connections for `seconds`; how many."""
    try:
        return run_closed_loop(url, connections=clients, seconds=seconds, request=request,
                               check=check)
    except LoadError as exc:
        raise PushBenchError(str(exc)) from None


def lookup(n: int) -> tuple[str, str, bytes]:
    runner = 1 + n % 2
    sql = f"SELECT * FROM {POOL_TABLE} WHERE runner_id = {runner};"
    return "POST", "/query-stream", json.dumps({"sql": sql}).encode()


def lookup_answered(n: int, status: int, body: bytes) -> str | None:
    """None if `body` is the delimited answer of lookup n: metadata, then its one row."""
    lines = body.decode("utf-8", "replace").splitlines()
    if status != 200 or len(lines) != 2 or json.loads(lines[1])[0] != 1 + n % 2:
        return f"a pull query failed: {status} {body[:300]!r}"
    return None


def info(n: int) -> tuple[str, str, bytes]:
    return "GET", "/info", b""


def info_answered(n: int, status: int, body: bytes) -> str | None:
    return None if status == 200 else f"GET /info failed: {status}"


# -- the run ------------------------------------------------------------------------------


def log_baseline(settings: PushSettings) -> list[float]:
    """Raw log append → read latency (another process reading) at the same pace."""
    from tote.bench.log import measure_latency

    with tempfile.TemporaryDirectory(dir=settings.workdir, prefix="tote-bench-push-log-") as tmp:
        path = Path(tmp) / "log.db"
        with SqliteLog(path) as log:
            return measure_latency(path, log, settings.duration, round(settings.rate),
                                   settings.batch)


def run(settings: PushSettings, progress: Callable[[str], None] | None = None
        ) -> dict[str, Any]:
    """Every measurement on a fresh data dir; the result as the JSON line reports it."""
    s = settings
    say = progress or (lambda text: None)
    with tempfile.TemporaryDirectory(dir=s.workdir, prefix="tote-bench-push-") as tmp:
        home = Path(tmp) / "home"
        say("starting tote serve ksqldb and building the seed pipeline")
        process, url = start_ksqldb(home)
        try:
            build_pipeline(url)
            log = open_log(Config(home=home, backend="sqlite"))
            try:
                say(f"push: {s.rate:,.0f} bets/s for {s.duration:g} s, odds rows over "
                    f"/query-stream ({'HTTP/2' if s.http2 else 'HTTP/1.1'})")
                push = measure_push(url, BetWriter(log), s)
            finally:
                log.close()
            say(f"pull: key lookups for {s.pull_duration:g} s on {s.clients} connection(s)")
            lookups = _timed_requests(url, s.clients, s.pull_duration, lookup,
                                      lookup_answered)
            infos = _timed_requests(url, s.clients, s.pull_duration, info, info_answered)
        finally:
            stop_service(process)
    say("baseline: raw log append → read latency at the same rate")
    baseline = latency_summary(log_baseline(s))
    latency = latency_summary(push.latencies_ms)
    lookups_per_s = rate(lookups, s.pull_duration)
    return {
        "bench": "push", "backend": "sqlite", "transport": "h2c" if s.http2 else "http/1.1",
        "rate": s.rate, "duration_s": s.duration, "batch": s.batch,
        "achieved_rate": round(rate(push.sent, push.append_seconds), 1),
        "sent": push.sent, "received": push.received, "lost": push.sent - push.received,
        "latency_ms": latency, "baseline_log_latency_ms": baseline,
        "lookups_per_s": round(lookups_per_s, 1), "lookups": lookups, "clients": s.clients,
        "baseline_info_per_s": round(rate(infos, s.pull_duration), 1),
        "targets": {"p99_ms": TARGET_P99_MS, "lookups_per_s": TARGET_LOOKUPS_PER_S},
        "met": {"p99_ms": latency["p99"] <= TARGET_P99_MS and push.received == push.sent,
                "lookups_per_s": lookups_per_s >= TARGET_LOOKUPS_PER_S},
    }


def report(result: dict[str, Any]) -> None:
    """The readable table, then the JSON result as the last line."""
    from rich.console import Console
    from rich.table import Table

    lat, base, met = result["latency_ms"], result["baseline_log_latency_ms"], result["met"]

    def mark(ok: bool) -> str:
        return "[green]yes[/green]" if ok else "[red]no[/red]"

    table = Table(title=f"tote bench push — sqlite, ksqlDB over {result['transport']}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_column("met")
    table.add_row("bets/s asked / achieved", f"{result['rate']:,.0f} / "
                  f"{result['achieved_rate']:,.0f}", "", "")
    table.add_row("odds rows received / bets sent", f"{result['received']:,} / "
                  f"{result['sent']:,}", "all", mark(result["lost"] == 0))
    table.add_row("append → push row p50 / p99 / max (ms)",
                  f"{lat['p50']:.1f} / {lat['p99']:.1f} / {lat['max']:.1f}",
                  f"p99 ≤ {TARGET_P99_MS:g}", mark(met["p99_ms"]))
    table.add_row("baseline: log append → read p50 / p99 (ms)",
                  f"{base['p50']:.2f} / {base['p99']:.2f}", "", "")
    table.add_row(f"pull key lookups/s ({result['clients']} connections)",
                  f"{result['lookups_per_s']:,.0f}", f"≥ {TARGET_LOOKUPS_PER_S:,.0f}",
                  mark(met["lookups_per_s"]))
    table.add_row("baseline: GET /info requests/s", f"{result['baseline_info_per_s']:,.0f}",
                  "", "")
    Console().print(table)
    emit_result(result)
