"""`tote bench e2e`: bets through the whole seed pipeline, REST proxy POST to odds row in
PostgreSQL, on a real `tote up` (see `e2e_stack`).

After the seed's statements and connector are in and its 9 bets have come through:

1. latency: `rate` bets/s for `duration` s, posted as `batch`-bet requests on a steady
   schedule; each bet's latency is from the start of its POST to the moment its odds row
   is visible in PostgreSQL (polled every 5 ms, so up to 5 ms late); p50 / p99 / max.
2. highest sustained rate: `max_bets` bets posted as fast as the proxy takes them
   (`clients` concurrent clients, 100 bets per request); the rate is those bets over the
   time from the first POST to the last odds row — the pipeline's own pace, since
   posting finishes long before the queries and the sink do.
3. nothing lost: after each phase every bet must have exactly one odds row, and the
   `tote_win_bets` table exactly one row per bet posted.
4. baseline, same run: the same bets, Avro-encoded once, appended straight to the log
   of the same backend (a fresh SQLite file, or a new topic on the Kafka cluster) in
   batches of 100 (`Log.append`): what the log alone ingests.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import typer

from tote.bench.common import emit_result, latency_summary, rate
from tote.bench.e2e_stack import BenchStack, E2EBenchError, OddsWatcher
from tote.core.config import Config
from tote.core.records import Record
from tote.log.open import open_log
from tote.seed import load_payloads
from tote.seed.client import AVRO_V2 as AVRO
from tote.seed.files import BETS_TOPIC as TOPIC
from tote.serde.avro import AvroCodec
from tote.serde.avro_json import from_avro_json
from tote.serde.avro_schema import AvroSchema

TARGETS = {"p99_ms": 200.0, "throughput": 10_000.0}
# The value schema ksqlDB registers for the seed's tote_win_bets stream (id 1).
BET_SCHEMA = json.dumps({
    "type": "record", "name": "KsqlDataSourceSchema",
    "namespace": "io.confluent.ksql.avro_schemas",
    "fields": [{"name": name, "type": ["null", kind], "default": None}
               for name, kind in (("RUNNER_ID", "int"), ("RACE_ID", "int"),
                                  ("AMOUNT", "double"))],
})
# The records of the seed's payload files, in order, cycled: (RUNNER_ID, AMOUNT), race 0.
SEED_BETS = ((1, 25.0), (2, 50.0), (1, 50.0), (2, 5.0), (2, 10.0), (2, 20.0), (2, -20.0),
             (1, 0.0), (2, 0.0))
FLOOD_BATCH = 100
SETTLE_S = 1.0
DRAIN_TIMEOUT_S = 300.0


def seed_records(count: int) -> list[dict[str, Any]]:
    """`count` seed bets as the seed's payloads write them (`{"int": 1}`)."""
    return [{"value": {"RUNNER_ID": {"int": runner}, "RACE_ID": {"int": 0},
                       "AMOUNT": {"double": amount}}}
            for runner, amount in (SEED_BETS[i % len(SEED_BETS)] for i in range(count))]


@dataclass
class Phase:
    sent: int
    delivered: int
    post_seconds: float
    seconds: float  # first POST to last odds row (or to giving up)
    latencies_ms: list[float]

    @property
    def lost(self) -> int:
        return self.sent - self.delivered


def _check(answer: httpx.Response, batch: int) -> None:
    if answer.status_code != 200 or len(answer.json().get("offsets", [])) != batch:
        raise E2EBenchError(f"the REST proxy refused a batch: {answer.status_code} "
                            f"{answer.text[:300]}")


def _delivered(watcher: OddsWatcher, base: int, sent: int) -> int:
    """Wait for every odds row (then a moment, to see extras); rows that came, from base."""
    watcher.wait_for(base + sent, DRAIN_TIMEOUT_S)
    time.sleep(SETTLE_S)
    if watcher.error is not None:
        raise E2EBenchError(f"reading the odds table failed: {watcher.error}")
    return watcher.count - base


def paced(url: str, watcher: OddsWatcher, rate_per_s: float, duration_s: float,
          batch: int) -> Phase:
    """Phase 1: a steady schedule of `batch`-bet POSTs; per-bet POST → odds-row latency."""
    body = json.dumps({"value_schema_id": 1, "records": seed_records(batch)}).encode()
    requests = max(1, round(rate_per_s * duration_s / batch))
    interval = batch / rate_per_s
    base = watcher.count
    sends: list[float] = []
    with httpx.Client(timeout=60, headers={"Content-Type": AVRO}) as http:
        start = time.perf_counter()
        for k in range(requests):
            time.sleep(max(0.0, start + k * interval - time.perf_counter()))
            sends.append(time.perf_counter())
            _check(http.post(url, content=body), batch)
    posted = sends[-1] - start + interval  # the schedule's span, as achieved
    delivered = _delivered(watcher, base, requests * batch)
    arrivals = watcher.arrivals
    latencies = [(arrivals[base + i] - sends[i // batch]) * 1000.0
                 for i in range(min(delivered, requests * batch))]
    last = arrivals[base + delivered - 1] if delivered else time.perf_counter()
    return Phase(requests * batch, delivered, posted, last - start, latencies)


def flood(url: str, watcher: OddsWatcher, bets: int, clients: int) -> Phase:
    """Phase 2: post `bets` as fast as possible; the rate is bets / (first POST → last row)."""
    body = json.dumps({"value_schema_id": 1, "records": seed_records(FLOOD_BATCH)}).encode()
    requests = max(1, bets // FLOOD_BATCH)
    shares = [requests // clients + (1 if i < requests % clients else 0) for i in range(clients)]
    errors: list[str] = []

    def post(count: int) -> None:
        with httpx.Client(timeout=120, headers={"Content-Type": AVRO}) as http:
            for _ in range(count):
                try:
                    _check(http.post(url, content=body), FLOOD_BATCH)
                except (E2EBenchError, httpx.HTTPError) as exc:
                    errors.append(str(exc))
                    return

    base = watcher.count
    threads = [threading.Thread(target=post, args=(n,)) for n in shares if n]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    posted = time.perf_counter() - start
    if errors:
        raise E2EBenchError(errors[0])
    sent = requests * FLOOD_BATCH
    delivered = _delivered(watcher, base, sent)
    last = watcher.arrivals[base + min(delivered, sent) - 1] if delivered else start
    return Phase(sent, delivered, posted, last - start, [])


def count_bets(database_url: str) -> int:
    with psycopg.connect(database_url) as conn:
        found = conn.execute(f'SELECT count(*) FROM "{TOPIC}"').fetchone()
    return int(found[0]) if found else 0


@dataclass(frozen=True)
class E2ESettings:
    rate_per_s: float = 2_000.0
    duration_s: float = 60.0
    batch: int = 20
    max_bets: int = 30_000
    clients: int = 4
    backend: str = "sqlite"
    bootstrap_servers: str = ""
    workdir: Path | None = None


def baseline(bets: int, settings: E2ESettings) -> float:
    """Bets/s appended straight to the log of the bench's backend (a fresh SQLite file, or
    a new topic on the Kafka cluster): the same bets, Avro-encoded and framed beforehand,
    FLOOD_BATCH per append."""
    schema = AvroSchema.parse(BET_SCHEMA)
    codec = AvroCodec(schema)
    encoded = [Record(codec.encode_framed(1, from_avro_json(schema, r["value"])))
               for r in seed_records(FLOOD_BATCH)]
    appends = max(1, bets // FLOOD_BATCH)
    topic = TOPIC if settings.backend == "sqlite" else f"tote-bench-e2e-{uuid.uuid4().hex}"
    with tempfile.TemporaryDirectory(prefix="tote-bench-e2e-log-", dir=settings.workdir) as tmp:
        config = Config(home=Path(tmp), backend=settings.backend,
                        bootstrap_servers=settings.bootstrap_servers)
        with open_log(config) as log:
            log.create_topic(topic, 1)
            start = time.perf_counter()
            for _ in range(appends):
                log.append(topic, encoded)
            seconds = time.perf_counter() - start
            if settings.backend == "kafka":
                log.delete_topic(topic)
    return rate(appends * FLOOD_BATCH, seconds)


def run(settings: E2ESettings, progress: Callable[[str], None] | None = None
        ) -> dict[str, Any]:
    """Every phase on one fresh stack; the result as the JSON line reports it."""
    s = settings
    say = progress or (lambda text: None)
    say("starting the stack (tote up) and building the seed pipeline")
    with BenchStack(s.workdir, s.backend, s.bootstrap_servers) as stack:
        stack.build()
        url = f"{stack.urls['rest-proxy']}/topics/{TOPIC}"
        with httpx.Client(timeout=60) as http:
            for payload in load_payloads():
                _check(http.post(url, content=payload.body, headers={"Content-Type": AVRO}),
                       payload.records)
        watcher = OddsWatcher(stack.database_url)
        _wait_for_table(stack.database_url)
        watcher.start()
        try:
            if not watcher.wait_for(9, DRAIN_TIMEOUT_S):
                raise E2EBenchError(f"the seed's 9 odds rows did not arrive "
                                    f"({watcher.error or f'{watcher.count} came'})")
            say(f"latency: {s.rate_per_s:,.0f} bets/s for {s.duration_s:g} s")
            steady = paced(url, watcher, s.rate_per_s, s.duration_s, s.batch)
            say(f"highest sustained rate: {s.max_bets:,} bets, {s.clients} clients")
            burst = flood(url, watcher, s.max_bets, s.clients)
        finally:
            watcher.stop()
        bets_rows = count_bets(stack.database_url)
    say("baseline: the same bets appended straight to the log")
    direct = baseline(burst.sent, s)
    expected_bets = 9 + steady.sent + burst.sent
    throughput = rate(burst.delivered, burst.seconds) if burst.lost == 0 else 0.0
    summary = latency_summary(steady.latencies_ms)
    return {
        "bench": "e2e", "backend": s.backend, "throughput": round(throughput, 1),
        "baseline": round(direct, 1), "ratio": round(throughput / direct, 4) if direct else 0.0,
        "latency_ms": summary, "rate": s.rate_per_s, "duration_s": s.duration_s,
        "batch": s.batch,
        "achieved_rate": round(rate(steady.sent, steady.post_seconds), 1),
        "sent": steady.sent + burst.sent, "lost": steady.lost + burst.lost,
        "doubled": max(0, bets_rows - expected_bets), "max_bets": burst.sent,
        "clients": s.clients, "targets": TARGETS,
        "met": {"p99_ms": summary["p99"] <= TARGETS["p99_ms"] and steady.lost == 0,
                "throughput": throughput >= TARGETS["throughput"]},
        "bets_rows": bets_rows, "expected_bets_rows": expected_bets,
    }


def _wait_for_table(database_url: str) -> None:
    """The sink creates the odds table with its first row; the watcher needs it to exist."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while time.monotonic() < deadline:
        with psycopg.connect(database_url) as conn:
            found = conn.execute("SELECT to_regclass(%s)",
                                 ('public."tote_win_bet_race_runners_odds"',)).fetchone()
        if found is not None and found[0] is not None:
            return
        time.sleep(0.1)
    raise E2EBenchError("the sink never created the odds table")


def report(result: dict[str, Any]) -> None:
    lat = result["latency_ms"]
    typer.echo(f"e2e bench ({result['backend']}): REST proxy → ksqlDB → Connect → PostgreSQL")
    typer.echo(f"{'steady rate asked / achieved (bets/s)':<46}"
               f"{result['rate']:>12,.0f} / {result['achieved_rate']:,.0f}")
    typer.echo(f"{'POST → odds row p50 / p99 / max (ms)':<46}"
               f"{lat['p50']:>12,.1f} / {lat['p99']:,.1f} / {lat['max']:,.1f}")
    typer.echo(f"{'highest sustained rate (bets/s)':<46}{result['throughput']:>12,.0f}")
    typer.echo(f"{'baseline: Log.append of the bets (bets/s)':<46}{result['baseline']:>12,.0f}")
    typer.echo(f"{'ratio sustained / baseline':<46}{result['ratio']:>12.4f}")
    typer.echo(f"{'bets sent / lost / doubled':<46}{result['sent']:>12,} / {result['lost']:,} / "
               f"{result['doubled']:,}")
    met = result["met"]
    typer.echo(f"targets: p99 ≤ {TARGETS['p99_ms']:g} ms {'met' if met['p99_ms'] else 'MISSED'}; "
               f"≥ {TARGETS['throughput']:,.0f} bets/s "
               f"{'met' if met['throughput'] else 'MISSED'}")
    emit_result(result)
