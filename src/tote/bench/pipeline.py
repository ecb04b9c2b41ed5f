"""`tote bench pipeline`: the seed's six statements on the embedded (SQLite) log, beside
the same computation hand-written in plain Python, measured in the same run.

1. throughput: `bets` seed bets over `races` races x `runners` runners are appended to
   `tote_win_bets` of one log first (1. to 4. each run on their own copy of it,
   made with SQLite's backup API); a fresh engine process then replays the statements and runs
   the queries to quiescence, exactly-once (outputs, state and offsets in one
   transaction per batch). bets/s is bets over that time; the process's peak RSS is
   reported too.
2. baseline: a fresh process reads the same bets from the same kind of log, decodes
   them, keeps the runner and race pools in dicts and appends one Avro odds record per
   bet with its consumed offsets, in transactions of the same batch size.
3. same outputs: as 2., but writing everything the statements write (both re-keyed
   bet streams, both pools' changelogs and the odds, record for record the engine's)
   with the pools' state in the same transaction: the work ksqlDB's semantics ask of
   any implementation, so the ratio to it is the engine's own overhead.
4. fused: 3. encoding each record with the engine's own flat Avro encoders instead of
   fastavro: the same outputs at the cost of the same codecs, the floor a whole-DAG
   compiler could bring the engine down to.
5. latency: an engine process follows the log while bets are appended at `rate`
   bets/s, each stamped with the wall clock; a reader tails the odds topic and takes
   now - ROWTIME of every odds row (ROWTIME is the bet's timestamp).

Each phase runs in its own process (`tote.bench.pipeline_worker`) so one's memory and
threads never skew another's.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import typer

from tote.bench import instructions
from tote.bench.common import emit_result, latency_summary, rate
from tote.core.errors import ToteError
from tote.core.records import Record, TopicPartition
from tote.log.base import Log
from tote.log.sqlite import SqliteLog
from tote.log.sqlite_copy import copy_log
from tote.registry import Registry
from tote.seed.files import BETS_TOPIC, ODDS_TABLE, STATEMENTS_FILE, packaged_file
from tote.serde.avro import AvroCodec
from tote.sql.engine import Engine
from tote.sql.runtime.runtime import MAX_POLL_RECORDS

ODDS_TOPIC = ODDS_TABLE
TARGETS = {"throughput": 50_000.0, "ratio": 0.5, "rss_mb": 500.0, "rss_bets": 1_000_000}
T = TypeVar("T")
BATCH = MAX_POLL_RECORDS  # records per transaction, the engine's default step


@dataclass(frozen=True)
class Shape:
    bets: int
    races: int
    runners: int


def prepare(path: Path, shape: Shape) -> None:
    """A log holding the seed's statements (topics, schemas, commands) and `shape.bets`
    bets; the queries start when an engine process replays the commands."""
    with SqliteLog(path) as log:
        prepare_log(log, shape)


def prepare_log(log: Log, shape: Shape) -> None:
    """`prepare` on a log of any backend."""
    with Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(packaged_file(STATEMENTS_FILE).decode())
        engine.close()
        codec = AvroCodec(registry.get_schema(1).schema)
        rng = random.Random(7)
        for start in range(0, shape.bets, 10_000):
            chunk = [Record(codec.encode_framed(1, {
                "RUNNER_ID": rng.randrange(1, shape.runners + 1),
                "RACE_ID": rng.randrange(shape.races),
                "AMOUNT": float(rng.randrange(1, 200))}))
                for _ in range(min(10_000, shape.bets - start))]
            log.append(BETS_TOPIC, chunk)


def _worker(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "tote.bench.pipeline_worker", *args],
                         capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"bench worker {args[0]} failed:\n{out.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _odds_count(path: Path) -> int:
    with SqliteLog(path) as log:
        return log.describe_topic(ODDS_TOPIC).partitions[0].end_offset


MODES = ("engine", "baseline", "outputs", "fused")
PAIR = ("engine", "baseline")  # the pair the targets compare


def _each_mode(workdir: Path, shape: Shape, run_one: Callable[[str, Path], T],
               order: Sequence[str] = MODES) -> dict[str, list[T]]:
    """`run_one(mode, db)` for every mode in `order` (a mode may come more than once),
    each on its own copy of one prepared log (so all start from the same file and the
    bets are encoded and appended once); every run must have written one odds row per
    bet. Each mode's results, in order."""
    prepared = workdir / "prepared.db"
    prepare(prepared, shape)
    result: dict[str, list[T]] = {}
    for at, mode in enumerate(order):
        db = workdir / f"{mode}-{at}.db"
        copy_log(prepared, db)
        result.setdefault(mode, []).append(run_one(mode, db))
        count = _odds_count(db)
        if count != shape.bets:
            raise RuntimeError(f"{mode}: {count} odds rows for {shape.bets} bets")
        for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
            path.unlink(missing_ok=True)
    return result


def throughput(workdir: Path, shape: Shape, rounds: int = 1) -> dict[str, Any]:
    """Each mode's fastest run. The engine and the baseline run `rounds` times,
    alternating, so that both meet the machine's load alike (on a shared machine a
    phase's speed moves between runs, and only ever down: the fastest run is the one
    least disturbed); `round_ratios` keeps each round's ratio."""
    runs = _each_mode(workdir, shape,
                      lambda mode, db: _worker(mode, str(db), str(shape.bets)),
                      (*PAIR * rounds, *(m for m in MODES if m not in PAIR)))
    result: dict[str, Any] = {mode: min(found, key=lambda run: float(run["seconds"]))
                              for mode, found in runs.items()}
    result["round_ratios"] = [round(float(base["seconds"]) / float(engine["seconds"]), 3)
                              for engine, base in zip(runs["engine"], runs["baseline"],
                                                      strict=True)]
    return result


def instructions_per_bet(shape: Shape, workdir: Path | None = None) -> dict[str, float]:
    """Each mode's instructions per bet over its measured loop (`tote.bench.instructions`)."""
    reason = instructions.missing()
    if reason is not None:
        raise ToteError(reason)  # before preparing a log for nothing

    def counted(mode: str, db: Path) -> float:
        return instructions.count(
            ["-m", "tote.bench.pipeline_worker", mode, str(db), str(shape.bets)]) / shape.bets

    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        return {mode: found[0] for mode, found in _each_mode(Path(tmp), shape, counted).items()}


def report_instructions(per_bet: dict[str, float], shape: Shape) -> None:
    engine, baseline, outputs, fused = (per_bet[m] for m in MODES)
    typer.echo(f"{shape.bets:,} bets over {shape.races:,} races x {shape.runners} runners, "
               f"SQLite log, exactly-once, {BATCH}-record transactions; instructions per "
               "bet (callgrind, measured loop only)")
    typer.echo(f"  tote SQL engine              {engine:>12,.0f}")
    typer.echo(f"  hand-written, odds only      {baseline:>12,.0f}   ratio "
               f"{baseline / engine:.3f}x (target >= {TARGETS['ratio']})")
    typer.echo(f"  hand-written, same outputs   {outputs:>12,.0f}   ratio "
               f"{outputs / engine:.3f}x")
    typer.echo(f"  same outputs, tote's encoders {fused:>11,.0f}   ratio "
               f"{fused / engine:.3f}x")
    emit_result({"bench": "pipeline-instructions", "bets": shape.bets,
                 "instructions_per_bet": {m: round(per_bet[m]) for m in MODES},
                 "ratio": round(baseline / engine, 3),
                 "same_outputs_ratio": round(outputs / engine, 3),
                 "fused_ratio": round(fused / engine, 3)})


def latency(workdir: Path, shape: Shape, bets_per_s: int, seconds: float) -> dict[str, Any]:
    db = workdir / "latency.db"
    prepare(db, Shape(0, shape.races, shape.runners))
    worker = subprocess.Popen([sys.executable, "-m", "tote.bench.pipeline_worker", "follow",
                               str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None
        worker.stdout.readline()  # "ready": queries replayed and running
        return _measure_latency(db, shape, bets_per_s, seconds)
    finally:
        worker.terminate()
        worker.wait(10)


def _measure_latency(db: Path, shape: Shape, bets_per_s: int, seconds: float
                     ) -> dict[str, Any]:
    total = int(bets_per_s * seconds)
    latencies: list[float] = []
    done = threading.Event()

    def tail() -> None:
        with SqliteLog(db) as log:
            tp, offset = TopicPartition(ODDS_TOPIC, 0), 0
            deadline = time.monotonic() + seconds + 60
            while offset < total and time.monotonic() < deadline:
                for record in log.read(tp, offset, 1000):
                    latencies.append(time.time() * 1000 - record.timestamp)
                    offset = record.offset + 1
                time.sleep(0.001)
        done.set()

    reader = threading.Thread(target=tail, daemon=True)
    reader.start()
    with SqliteLog(db) as log, Registry(log) as registry:
        codec = AvroCodec(registry.get_schema(1).schema)
        rng, per_tick, tick = random.Random(11), max(bets_per_s // 100, 1), 0.01
        start, sent = time.monotonic(), 0
        while sent < total:
            wait = start + (sent // per_tick) * tick - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            now = int(time.time() * 1000)
            log.append(BETS_TOPIC, [Record(codec.encode_framed(1, {
                "RUNNER_ID": rng.randrange(1, shape.runners + 1),
                "RACE_ID": rng.randrange(shape.races), "AMOUNT": 10.0}), timestamp=now)
                for _ in range(min(per_tick, total - sent))])
            sent += per_tick
    done.wait(seconds + 90)
    return {"rate": bets_per_s, "sent": total, "received": len(latencies),
            **latency_summary(latencies)}


def run(shape: Shape, bets_per_s: int, seconds: float, rss_bets: int,
        workdir: Path | None, *, rounds: int = 1) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        base = Path(tmp)
        result = throughput(base, shape, rounds)
        result["latency"] = latency(base, shape, bets_per_s, seconds)
        if rss_bets:
            big = Shape(rss_bets, shape.races * 10, shape.runners)
            rss_db = base / "rss.db"
            prepare(rss_db, big)
            result["rss"] = {"bets": rss_bets, "races": big.races,
                             **_worker("engine", str(rss_db), str(rss_bets))}
    return result


def report(result: dict[str, Any], shape: Shape) -> None:
    engine, baseline = result["engine"], result["baseline"]
    tote_rate = rate(shape.bets, engine["seconds"])
    base_rate = rate(shape.bets, baseline["seconds"])
    ratio = tote_rate / base_rate if base_rate else 0.0
    outputs_rate = rate(shape.bets, result["outputs"]["seconds"])
    outputs_ratio = tote_rate / outputs_rate if outputs_rate else 0.0
    fused_rate = rate(shape.bets, result["fused"]["seconds"])
    fused_ratio = tote_rate / fused_rate if fused_rate else 0.0
    lat = result["latency"]
    typer.echo(f"{shape.bets:,} bets over {shape.races:,} races x {shape.runners} runners, "
               f"SQLite log, exactly-once, {BATCH}-record transactions")
    typer.echo(f"  tote SQL engine              {tote_rate:>10,.0f} bets/s   peak RSS "
               f"{engine['rss_mb']:,.0f} MB   (target >= {TARGETS['throughput']:,.0f})")
    typer.echo(f"  hand-written, odds only      {base_rate:>10,.0f} bets/s   peak RSS "
               f"{baseline['rss_mb']:,.0f} MB")
    typer.echo(f"    ratio                      {ratio:>10.2f}x         "
               f"(target >= {TARGETS['ratio']})")
    rounds = result["round_ratios"]
    if len(rounds) > 1:
        typer.echo(f"    (fastest of {len(rounds)} alternating runs each; ratio per round: "
                   f"{', '.join(f'{r:.2f}' for r in rounds)})")
    typer.echo(f"  hand-written, same outputs   {outputs_rate:>10,.0f} bets/s   peak RSS "
               f"{result['outputs']['rss_mb']:,.0f} MB")
    typer.echo(f"    ratio                      {outputs_ratio:>10.2f}x         "
               "(the five topics and the pools' state, as the engine writes them)")
    typer.echo(f"  same outputs, tote's encoders {fused_rate:>9,.0f} bets/s   peak RSS "
               f"{result['fused']['rss_mb']:,.0f} MB")
    typer.echo(f"    ratio                      {fused_ratio:>10.2f}x         "
               "(the same, hand-fused with the engine's codecs: its floor)")
    typer.echo(f"  latency at {lat['rate']:,} bets/s: p50 {lat['p50']:.1f} ms, "
               f"p99 {lat['p99']:.1f} ms, max {lat['max']:.1f} ms "
               f"({lat['received']:,}/{lat['sent']:,} odds rows)")
    out: dict[str, Any] = {
        "bench": "pipeline", "bets": shape.bets, "bets_per_s": round(tote_rate),
        "baseline_bets_per_s": round(base_rate), "ratio": round(ratio, 3),
        "round_ratios": rounds,
        "same_outputs_bets_per_s": round(outputs_rate),
        "same_outputs_ratio": round(outputs_ratio, 3),
        "fused_bets_per_s": round(fused_rate), "fused_ratio": round(fused_ratio, 3),
        "rss_mb": engine["rss_mb"], "latency_ms": lat, "targets": TARGETS}
    rss = result.get("rss")
    if rss is not None:
        typer.echo(f"  {rss['bets']:,} bets over {rss['races']:,} races: peak RSS "
                   f"{rss['rss_mb']:,.0f} MB (target <= {TARGETS['rss_mb']:.0f}), "
                   f"{rate(rss['bets'], rss['seconds']):,.0f} bets/s")
        out["rss_run"] = rss
    emit_result(out)
