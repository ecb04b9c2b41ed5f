"""`tote bench log`: the SQLite log against a bare sqlite3 baseline, in one run.

Three measurements on a fresh temp directory:

1. Appends: 200-byte records in batches of 1,000 through `SqliteLog.append`, batch by
   batch interleaved with the baseline — the same rows (topic, partition, offset,
   timestamp, key, value, headers) `executemany`-inserted into a bare table, one
   transaction per batch, on a connection with the log's own pragmas — so both see the
   same machine load. Each rate is the best of 5 consecutive rounds of batches; the
   ratio is log / baseline.
2. Reads: every appended record read back with `read(tp, offset, 1000)`, best of 5.
3. Tail latency: a reader in ANOTHER process follows a topic with `wait` + `read` while
   this process appends at a paced rate; each record carries its wall-clock send time,
   and the reader reports receive minus send.

Run the reader alone with `python -m tote.bench.log reader PATH TOPIC COUNT TIMEOUT`.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from tote.bench.common import emit_result, latency_summary, rate
from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_schema import connect

RECORD_BYTES = 200
BATCH = 1000
PARTITIONS = 4
ROUNDS = 5
TARGETS = {"throughput": 200_000.0, "ratio": 0.7, "reads_per_s": 1_000_000.0, "p99_ms": 20.0}
_STAMP = struct.Struct(">q")
_KEY = attrgetter("key")
_VALUE = attrgetter("value")


@dataclass(frozen=True)
class LogBenchResult:
    records: int
    throughput: float
    baseline: float
    reads_per_s: float
    latency_ms: dict[str, float]
    latency_records: int
    latency_rate: int

    @property
    def ratio(self) -> float:
        return self.throughput / self.baseline if self.baseline else 0.0

    def checks(self) -> dict[str, bool]:
        """Each target and whether this run met it."""
        return {
            "throughput": self.throughput >= TARGETS["throughput"],
            "ratio": self.ratio >= TARGETS["ratio"],
            "reads_per_s": self.reads_per_s >= TARGETS["reads_per_s"],
            "p99_ms": self.latency_ms["p99"] <= TARGETS["p99_ms"],
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "bench": "log",
            "backend": "sqlite",
            "records": self.records,
            "batch": BATCH,
            "record_bytes": RECORD_BYTES,
            "throughput": round(self.throughput),
            "baseline": round(self.baseline),
            "ratio": round(self.ratio, 3),
            "reads_per_s": round(self.reads_per_s),
            "latency_ms": self.latency_ms,
            "latency_records": self.latency_records,
            "latency_rate": self.latency_rate,
            "targets": TARGETS,
            "met": self.checks(),
        }


def _batches(records: int) -> list[list[Record]]:
    payload = os.urandom(RECORD_BYTES * BATCH)
    values = [payload[i : i + RECORD_BYTES] for i in range(0, len(payload), RECORD_BYTES)]
    count = max(records // BATCH, 1)
    return [[Record(value) for value in values] for _ in range(count)]


def measure_appends(
    workdir: Path, log: SqliteLog, batches: Sequence[list[Record]]
) -> tuple[float, float]:
    """(log appends/s, baseline appends/s): batches interleaved, best of ROUNDS rounds."""
    log.create_topic("bench", PARTITIONS)
    raw = connect(workdir / "baseline.db", 60.0)
    raw.execute(
        "CREATE TABLE bare (topic_id INTEGER, partition INTEGER, offset INTEGER, "
        "ts INTEGER, key BLOB, value BLOB, headers BLOB)"
    )
    now = log.clock.now_ms()
    log_times: list[float] = []
    raw_times: list[float] = []
    for index, batch in enumerate(batches):
        started = time.perf_counter()
        log.append("bench", batch)
        log_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        first = (index // PARTITIONS) * BATCH
        raw.executemany(
            "INSERT INTO bare VALUES (?, ?, ?, ?, ?, ?, ?)",
            zip(
                repeat(1),
                repeat(index % PARTITIONS),
                range(first, first + len(batch)),
                repeat(now),
                map(_KEY, batch),
                map(_VALUE, batch),
                repeat(None),
            ),
        )
        raw.execute("COMMIT")
        raw_times.append(time.perf_counter() - started)
    raw.close()
    return _best_rate(log_times), _best_rate(raw_times)


def _best_rate(batch_seconds: list[float]) -> float:
    """Records/s of the fastest of ROUNDS consecutive runs of batches.

    Each round still pays its share of WAL checkpoints; taking the best round (as
    `timeit` takes the best repeat) keeps other programs' bursts on a shared machine
    out of the figure.
    """
    size = max(len(batch_seconds) // ROUNDS, 1)
    rounds = [batch_seconds[i : i + size] for i in range(0, len(batch_seconds), size)]
    return max(rate(len(chunk) * BATCH, sum(chunk)) for chunk in rounds if len(chunk) == size)


def measure_reads(log: SqliteLog) -> tuple[int, float]:
    """(records read, reads/s) over every partition of the append topic, best of ROUNDS."""
    best = 0.0
    count = 0
    for _ in range(ROUNDS):
        count = 0
        started = time.perf_counter()
        for partition in range(PARTITIONS):
            tp = TopicPartition("bench", partition)
            offset = 0
            while batch := log.read(tp, offset, BATCH):
                count += len(batch)
                offset = batch[-1].offset + 1
        best = max(best, rate(count, time.perf_counter() - started))
    return count, best


def measure_latency(
    path: Path, log: SqliteLog, duration: float, per_second: int, batch: int
) -> list[float]:
    """Append at `per_second` for `duration` s; return the other process's latencies (ms)."""
    log.create_topic("latency", 1)
    appends = max(int(duration * per_second / batch), 1)
    expected = appends * batch
    reader = subprocess.Popen(
        [
            sys.executable, "-m", "tote.bench.log", "reader",
            str(path), "latency", str(expected), str(duration + 60),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None
    if reader.stdout.readline().strip() != "ready":
        reader.kill()
        raise RuntimeError("The latency reader did not start.")
    padding = bytes(RECORD_BYTES - _STAMP.size)
    interval = batch / per_second
    start = time.perf_counter()
    for index in range(appends):
        delay = start + index * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        value = _STAMP.pack(time.time_ns()) + padding
        log.append("latency", [Record(value)] * batch)
    out, _ = reader.communicate(timeout=duration + 120)
    return [float(v) for v in json.loads(out.strip().splitlines()[-1])]


def run(
    records: int, duration: float, per_second: int, batch: int, workdir: Path | None = None
) -> LogBenchResult:
    """The whole bench in `workdir` (a fresh temp dir when None)."""
    with tempfile.TemporaryDirectory(prefix="tote-bench-", dir=workdir) as tmp:
        path = Path(tmp) / "log.db"
        with SqliteLog(path) as log:
            batches = _batches(records)
            throughput, baseline = measure_appends(Path(tmp), log, batches)
            del batches
            count, reads = measure_reads(log)
            latencies = measure_latency(path, log, duration, per_second, batch)
    return LogBenchResult(
        count, throughput, baseline, reads, latency_summary(latencies), len(latencies), per_second
    )


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.3f}"


def report(result: LogBenchResult, batch: int) -> None:
    """Print the readable table, then the JSON result as the very last line."""
    met = result.checks()
    table = Table(title=f"tote bench log — sqlite, {result.records:,} records of 200 bytes")
    table.add_column("measure")
    table.add_column("result", justify="right")
    table.add_column("target", justify="right")
    table.add_column("met")
    rows: list[tuple[str, float, str, bool | None]] = [
        ("appends/s (batches of 1,000)", result.throughput,
         f"≥ {TARGETS['throughput']:,.0f}", met["throughput"]),
        ("baseline: bare sqlite3 inserts/s", result.baseline, "", None),
        ("ratio to baseline", result.ratio, f"≥ {TARGETS['ratio']}", met["ratio"]),
        ("reads/s", result.reads_per_s, f"≥ {TARGETS['reads_per_s']:,.0f}", met["reads_per_s"]),
        ("tail latency p50 (ms)", result.latency_ms["p50"], "", None),
        ("tail latency p99 (ms)", result.latency_ms["p99"], f"≤ {TARGETS['p99_ms']}",
         met["p99_ms"]),
        ("tail latency max (ms)", result.latency_ms["max"], "", None),
    ]
    for name, value, target, ok in rows:
        mark = "" if ok is None else ("[green]yes[/green]" if ok else "[red]no[/red]")
        table.add_row(name, _fmt(value), target, mark)
    Console().print(table)
    typer.echo(
        f"latency: {result.latency_records:,} records at {result.latency_rate:,}/s, "
        f"{batch} per append, read by another process"
    )
    emit_result(result.as_json())


def reader_main(path: str, topic: str, count: int, timeout: float) -> None:
    """Follow `topic` partition 0 from its end; print ready, then the latencies as JSON."""
    tp = TopicPartition(topic, 0)
    latencies: list[float] = []
    with SqliteLog(Path(path)) as log:
        offset = log.describe_topic(topic).partitions[0].end_offset
        print("ready", flush=True)
        deadline = time.monotonic() + timeout
        while len(latencies) < count and time.monotonic() < deadline:
            got = log.read(tp, offset, BATCH)
            if not got:
                log.wait({tp: offset}, 0.5)
                continue
            received = time.time_ns()
            latencies.extend(
                (received - _STAMP.unpack_from(r.value or bytes(8))[0]) / 1e6 for r in got
            )
            offset = got[-1].offset + 1
    print(json.dumps([round(v, 4) for v in latencies]), flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "reader":
        reader_main(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    else:
        sys.exit("usage: python -m tote.bench.log reader PATH TOPIC COUNT TIMEOUT")
