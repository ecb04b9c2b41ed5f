"""The tote bet intake over HTTP (issue #10, point 8: ≥ 20,000 bets/s sustained).

On a fresh sqlite data dir, `tote serve tote` runs as its own process (intake and
sequencer, as `tote up` runs it; with `split`, the sequencer in a second one and HTTP on
one started `--no-sequence`) and a separate client process
(`tote.bench.tote_intake_client`) posts `POST /v1/bets {"bets": [...]}` batches of
`batch` bets over `clients` keep-alive connections, each bet with its own idempotency key,
over `races` open races:

1. Throughput: bets answered per second, every answer only after the sequencer's commit,
   and the service's CPU per 1,000 bets in ms (read from /proc, per process: on a shared
   machine the CPU a bet costs is steadier than the wall rate).
2. Reply latency: p50/p99/max of the batch requests, send to whole answer.
3. Exactly once: every bet answered ACCEPTED is in `tote_bets`, once.
4. Baseline, same run and same log, once the service has stopped: the BetPlaced records
   the sequencer wrote, appended again straight to the log in transactions of `batch`
   records (the log's share of the work, without commands, outcomes, state or HTTP).
   ratio = HTTP / baseline.

    figures = run(Settings(bets=200_000))     # a dict, see `TOTE_INTAKE_KEYS`
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tote.bench.common import latency_summary, rate, start_service, stop_service
from tote.core.config import Config
from tote.core.errors import ToteError
from tote.core.records import Record, TopicPartition
from tote.log.base import Log
from tote.log.open import open_log
from tote.pools.topics import BETS
from tote.registry import Registry
from tote.serde.avro import AvroCodec

TARGET_BETS_PER_S = 20_000
RUNNERS = list(range(1, 9))
BASELINE_TOPIC = "tote_bench_baseline"
START_TIMEOUT_S = 90.0
CLIENT_TIMEOUT_S = 1800.0
TOTE_INTAKE_KEYS = (
    "bets_per_s",
    "bets",
    "accepted",
    "p50_ms",
    "p99_ms",
    "baseline_bets_per_s",
    "ratio",
)


class BenchError(ToteError):
    error_code = 50001


@dataclass(frozen=True)
class Settings:
    bets: int = 200_000
    batch: int = 1_000
    clients: int = 4
    races: int = 8
    # The sequencer in a second `tote serve tote` process, the HTTP one `--no-sequence`
    # (a deployment the service supports: two interpreters, so two cores' worth of Python).
    split: bool = False
    workdir: Path | None = None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of process `pid` so far (0.0 where /proc is not there)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _start_tote(home: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    def healthy(url: str) -> bool:
        return httpx.get(url + "/healthcheck", timeout=5).status_code == 200

    return start_service("tote", home, healthy, BenchError, *options, timeout=START_TIMEOUT_S)


def _start(home: Path, split: bool) -> tuple[list[subprocess.Popen[bytes]], str]:
    """The service's processes (the one taking HTTP first) and its URL."""
    if not split:
        process, url = _start_tote(home)
        return [process], url
    sequencer, _ = _start_tote(home)
    try:
        intake, url = _start_tote(home, "--no-sequence")
    except BenchError:
        stop_service(sequencer)
        raise
    return [intake, sequencer], url


def open_races(url: str, count: int) -> list[str]:
    """`count` open races with runners 1-8 and every pool type; their ids."""
    races = [f"B{n + 1}" for n in range(count)]
    with httpx.Client(base_url=url, timeout=30) as client:
        for race in races:
            answer = client.post("/v1/races", json={"race_id": race, "runners": RUNNERS})
            if answer.status_code != 200:
                raise BenchError(f"could not open race {race}: {answer.text}")
    return races


def run_client(url: str, races: list[str], settings: Settings) -> dict[str, Any]:
    """Run the load in its own process and return what it measured."""
    payload = {
        "url": url,
        "races": races,
        "bets": settings.bets,
        "batch": settings.batch,
        "clients": settings.clients,
        "run": uuid.uuid4().hex[:12],
    }
    done = subprocess.run(
        [sys.executable, "-m", "tote.bench.tote_intake_client", json.dumps(payload)],
        capture_output=True,
        timeout=CLIENT_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"the bench client failed: {done.stderr.decode()[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    if result["errors"]:
        raise BenchError(f"the tote service refused a request: {result['errors'][0]}")
    return result


def placed_bets(log: Log) -> list[Record]:
    """Every BetPlaced record in the log, as records to append again."""
    out: list[Record] = []
    for info in log.describe_topic(BETS).partitions:
        tp, offset = TopicPartition(BETS, info.partition), 0
        while chunk := log.read(tp, offset, 10_000):
            out.extend(Record(r.value, r.key, (), r.timestamp, 0) for r in chunk)
            offset = chunk[-1].offset + 1
    return out


def idempotency_keys(log: Log, placed: list[Record]) -> set[str]:
    """The distinct idempotency keys of the BetPlaced records."""
    with Registry(log) as registry:
        codec = AvroCodec(registry.get_version(f"{BETS}-value").schema)
    return {codec.decode_framed(r.value or b"")[1]["idempotency_key"] for r in placed}


def measure_baseline(log: Log, records: list[Record], batch: int) -> float:
    """Seconds to append `records` to a topic of their own in transactions of `batch`."""
    log.ensure_topic(BASELINE_TOPIC, 1)
    producer = log.transactional_producer("tote-bench-baseline")
    try:
        start = time.perf_counter()
        for first in range(0, len(records), batch):
            txn = producer.begin()
            txn.append(BASELINE_TOPIC, records[first : first + batch])
            txn.commit()
        return time.perf_counter() - start
    finally:
        producer.close()


def run(settings: Settings) -> dict[str, Any]:
    """Every measurement on a fresh sqlite data dir; the figures as a dict."""
    with tempfile.TemporaryDirectory(dir=settings.workdir, prefix="tote-bench-intake-") as tmp:
        home = Path(tmp) / "home"
        processes, url = _start(home, settings.split)
        try:
            races = open_races(url, settings.races)
            cpu_before = [_cpu_seconds(p.pid) for p in processes]
            client = run_client(url, races, settings)
            service_cpu = [
                _cpu_seconds(p.pid) - c for p, c in zip(processes, cpu_before, strict=True)
            ]
            load = os.getloadavg()[0]
        finally:
            for process in processes:
                stop_service(process)
        # Opened once the service is gone, so this process takes no share of the load.
        log = open_log(Config(home=home, backend="sqlite"))
        try:
            placed = placed_bets(log)
            keys = idempotency_keys(log, placed)
            baseline = measure_baseline(log, placed, settings.batch)
        finally:
            log.close()
    answered = client["bets"] + client["warm_up_bets"]  # the warm-up's are in the log too
    accepted = client["statuses"].get("ACCEPTED", 0)
    bet_rate = rate(client["bets"], client["seconds"])
    baseline_rate = rate(len(placed), baseline)
    latency = latency_summary(client["latencies_ms"])
    return {
        "bench": "tote",
        "backend": "sqlite",
        "batch": settings.batch,
        "clients": settings.clients,
        "races": settings.races,
        "bets": client["bets"],
        "accepted": accepted,
        "statuses": client["statuses"],
        "seconds": round(client["seconds"], 3),
        "bets_per_s": round(bet_rate, 1),
        "split": settings.split,
        # CPU of the service process(es) per 1,000 bets answered: [HTTP + intake (+ the
        # sequencer unless split)] or, split, [HTTP + intake, sequencer].
        "service_cpu_ms_per_1000_bets": [round(1000 * 1000 * c / answered, 2) for c in service_cpu],
        "client_cpu_ms_per_1000_bets": round(
            1000 * 1000 * client["client_cpu_seconds"] / client["bets"], 2
        ),
        "p50_ms": latency["p50"],
        "p99_ms": latency["p99"],
        "max_ms": latency["max"],
        "bets_in_log": len(placed),
        "exactly_once": len(placed) == len(keys) == accepted,
        "baseline_bets_per_s": round(baseline_rate, 1),
        "ratio": round(bet_rate / baseline_rate, 4) if baseline_rate else 0.0,
        "target_bets_per_s": TARGET_BETS_PER_S,
        "meets_target": bet_rate >= TARGET_BETS_PER_S,
        "load_average_1m": round(load, 2),
        "cpus": os.cpu_count(),
    }
