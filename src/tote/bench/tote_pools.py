"""The tote pools as streaming SQL (`pools.sql`) on the embedded SQLite log (issue #10,
point 8: the pools and approximates behind the intake, dividends after the result).

One race of `runners` runners with `bets` tickets over all seven pool types (WIN, PLACE,
SHOW, EXACTA, QUINELLA, TRIFECTA, FIRST4; some exotic tickets are flexi boxes), written
as the sequencer writes them (Avro, keyed by race, one event-time tick per event), then:

1. throughput: a fresh engine process replays the statements and runs the queries to
   quiescence, exactly-once (outputs, state and offsets in one transaction per batch),
   over every bet and the close of betting. bets/s is bets over that time; CPU seconds
   are the process's own (steadier than the wall clock on a shared machine).
2. result: the same process then takes the RESULT event, appended once the bets are
   done, and runs to quiescence again: the time from the RESULT on the log to the last
   dividend row of the race.
3. check: every pool's declared dividends are compared with the calculator
   (`tote.pools.settle`) settling the same tickets, so a fast wrong answer fails.

    figures = run(Settings(bets=100_000))      # a dict, see `TOTE_POOLS_KEYS`
"""

from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tote.bench.common import rate
from tote.core.errors import ToteError
from tote.core.records import Record
from tote.core.tuning import tune_gc_for_streaming
from tote.log.base import Log
from tote.log.sqlite import SqliteLog
from tote.pools import Outcome, parse_case, settle
from tote.pools.case import PoolType
from tote.pools.events import EventCodecs, register_event_schemas
from tote.pools.tickets import expand
from tote.pools.topics import BETS, POOLS_DEFINED, RACE_EVENTS, ensure_topics, race_key
from tote.poolsql import statements, with_tote_functions
from tote.registry import Registry
from tote.sql.engine import Engine
from tote.sql.runtime.runtime import MAX_POLL_RECORDS

TARGET_BETS_PER_S = 20_000
TARGET_RESULT_S = 1.0
RACE_ID = "BENCH-R1"
START_MS = 1_700_000_000_000
BATCH = MAX_POLL_RECORDS  # records per transaction, the engine's default step
# Share of tickets per pool; WIN and PLACE take most, exotics fewer (and some boxes).
POOL_WEIGHTS = {
    "WIN": 30,
    "PLACE": 20,
    "SHOW": 8,
    "EXACTA": 14,
    "QUINELLA": 10,
    "TRIFECTA": 12,
    "FIRST4": 6,
}
BOX_SHARE = 0.15  # of exotic tickets: a flexi box of one runner more than the pool needs
TAKEOUT_BP = {
    "WIN": 1500,
    "PLACE": 1500,
    "SHOW": 1500,
    "EXACTA": 2000,
    "QUINELLA": 2000,
    "TRIFECTA": 2500,
    "FIRST4": 2500,
}
APPROXIMATES = "tote_approximates"
TOTE_POOLS_KEYS = (
    "bets",
    "combination_moves",
    "approximates_rows",
    "bets_per_s",
    "cpu_s",
    "seconds",
    "result_to_dividends_s",
    "dividend_rows",
    "betting_s",
    "rss_mb",
)


class BenchError(ToteError):
    error_code = 50001


@dataclass(frozen=True)
class Settings:
    bets: int = 100_000
    runners: int = 14
    seed: int = 7
    event_ms: float = 1.0  # event time between two bets (the board ticks on event time)


@dataclass
class Card:
    """What was written: each pool's calculator case (rules and bets) and the result."""

    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    combination_moves: int = 0
    result: list[list[int]] = field(default_factory=list)


class _Writer:
    """Appends the race's events, stamped in the order written, in large chunks."""

    def __init__(self, log: Log, registry: Registry) -> None:
        self.log = log
        self.codecs = EventCodecs(registry)
        self.now = float(START_MS)
        self.pending: dict[str, list[Record]] = {}

    def event(self, topic: str, value: dict[str, Any], step_ms: float = 1.0) -> None:
        self.now += step_ms
        stamp = int(self.now)
        for name in ("occurred_at", "placed_at"):
            if name in value and value[name] is None:
                value[name] = stamp
        chunk = self.pending.setdefault(topic, [])
        chunk.append(
            Record(self.codecs.encode(topic, value), key=race_key(RACE_ID), timestamp=stamp)
        )
        if len(chunk) >= 10_000:
            self.flush()

    def race_event(self, kind: str, **fields: Any) -> None:
        self.event(
            RACE_EVENTS,
            {
                "race_id": RACE_ID,
                "event_id": f"{RACE_ID}:{kind}",
                "kind": kind,
                "runners": fields.get("runners"),
                "runner": None,
                "result": fields.get("result"),
                "occurred_at": None,
            },
        )

    def flush(self) -> None:
        for topic, records in self.pending.items():
            if records:
                self.log.append(topic, records)
        self.pending = {}


def _skewed(rng: random.Random, runners: list[int]) -> list[float]:
    """Bettors' weights: lognormal chances raised to 0.75 (longshots over-bet)."""
    strengths = [rng.lognormvariate(0.0, 0.9) for _ in runners]
    return [(s / sum(strengths)) ** 0.75 for s in strengths]


def _pick(rng: random.Random, runners: list[int], weights: list[float], size: int) -> list[int]:
    left = dict(zip(runners, weights, strict=True))
    chosen: list[int] = []
    while len(chosen) < size:
        runner = rng.choices(list(left), weights=list(left.values()))[0]
        chosen.append(runner)
        del left[runner]
    return chosen


def write_race(log: Log, registry: Registry, settings: Settings) -> Card:
    """The race opened, its seven pools, the bets and the close (not the result)."""
    rng = random.Random(settings.seed)
    runners = list(range(1, settings.runners + 1))
    weights = _skewed(rng, runners)
    writer, card = _Writer(log, registry), Card()
    writer.race_event("OPENED", runners=runners)
    for pool in POOL_WEIGHTS:
        kind = PoolType(pool)
        places = 3 if pool == "SHOW" else 2 if pool == "PLACE" else kind.selection_size
        rules = {
            "pool": pool,
            "takeout_bp": TAKEOUT_BP[pool],
            "unit_cents": 100,
            "breakage_step_cents": 10,
            "min_dividend_cents": 110,
            "split": "PROFIT",
            "places": places,
            "unbacked": "CARRY_NET",
        }
        pool_id = f"{RACE_ID}/{pool}"
        writer.event(POOLS_DEFINED, {"race_id": RACE_ID, "pool_id": pool_id, **rules})
        card.cases[pool_id] = {**rules, "bets": []}
        if pool not in ("PLACE", "SHOW"):
            del card.cases[pool_id]["places"]  # the calculator takes it for those only
    pools, shares = list(POOL_WEIGHTS), list(POOL_WEIGHTS.values())
    for n in range(settings.bets):
        pool = rng.choices(pools, weights=shares)[0]
        kind = PoolType(pool)
        units = min(max(1, round(rng.paretovariate(1.6) * 2)), 500)
        bet: dict[str, Any] = {"id": f"bet-{n}", "stake_cents": units * 100}
        if kind.selection_size > 1 and rng.random() < BOX_SHARE:
            bet["box"] = sorted(_pick(rng, runners, weights, kind.selection_size + 1))
            bet["stake_cents"] *= 2
        else:
            bet["selection"] = _pick(rng, runners, weights, kind.selection_size)
        combinations = expand(kind, bet.get("selection"), bet.get("box"))
        card.combination_moves += len(combinations)
        pool_id = f"{RACE_ID}/{pool}"
        card.cases[pool_id]["bets"].append(bet)
        writer.event(
            BETS,
            {
                "bet_id": bet["id"],
                "idempotency_key": f"key-{n}",
                "race_id": RACE_ID,
                "pool": pool,
                "pool_id": pool_id,
                "combinations": combinations,
                "stake_cents": bet["stake_cents"],
                "placed_at": None,
            },
            settings.event_ms,
        )
    writer.race_event("CLOSED")
    writer.flush()
    card.result = [[r] for r in _pick(rng, runners, weights, 4)]
    return card


def write_result(log: Log, registry: Registry, result: list[list[int]]) -> None:
    writer = _Writer(log, registry)
    writer.now = time.time() * 1000  # after every bet's stamp
    writer.race_event("RESULT", result=result)
    writer.flush()


def prepare(path: Path, settings: Settings) -> Card:
    """A log holding pools.sql (topics, schemas, commands) and the race up to the close;
    the queries start when an engine process replays the commands."""
    with SqliteLog(path) as log, Registry(log) as registry:
        ensure_topics(log)
        register_event_schemas(registry)
        engine = Engine(log, registry, functions=with_tote_functions())
        engine.start()
        engine.execute(statements())
        engine.close()
        return write_race(log, registry, settings)


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _dividend_rows(engine: Engine) -> list[dict[str, Any]]:
    from tote.sql.testing import records, source

    src = source(engine, "TOTE_DIVIDENDS")
    names = [c.name for c in src.value_columns]
    return [
        dict(zip(names, value, strict=True))
        for _, value, _ in records(engine, "TOTE_DIVIDENDS")
        if value is not None
    ]


def engine_worker(db: Path, result: list[list[int]]) -> dict[str, Any]:
    """Phase 1 and 2 in this process (see the module doc)."""
    tune_gc_for_streaming()  # as `tote serve ksqldb` does
    with SqliteLog(db) as log, Registry(log) as registry:
        engine = Engine(log, registry, functions=with_tote_functions())
        engine.start()
        cpu, wall = _cpu_s(), time.perf_counter()
        engine.run_until_idle(BATCH)
        cpu, wall = _cpu_s() - cpu, time.perf_counter() - wall
        write_result(log, registry, result)
        settle_wall = time.perf_counter()
        engine.run_until_idle(BATCH)
        settle_wall = time.perf_counter() - settle_wall
        rows = _dividend_rows(engine)
        approximates = sum(p.end_offset for p in log.describe_topic(APPROXIMATES).partitions)
        engine.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "cpu_s": cpu,
        "seconds": wall,
        "result_to_dividends_s": settle_wall,
        "approximates_rows": approximates,
        "rss_mb": round(rss, 1),
        "rows": rows,
    }


def check(card: Card, rows: list[dict[str, Any]]) -> None:
    """Every pool's declared dividends are the calculator's for the same tickets."""
    by_pool: dict[str, dict[str, int | None]] = {}
    for row in rows:
        by_pool.setdefault(row["POOL_ID"], {})[row["COMBINATION"]] = row["PER_UNIT_CENTS"]
    for pool_id, case in card.cases.items():
        expected = settle(parse_case({**case, "result": card.result}))
        want = (
            {"-".join(map(str, d.selection)): d.per_unit_cents for d in expected.dividends}
            if expected.outcome is Outcome.PAID
            else None
        )
        got = by_pool.get(pool_id)
        if want is not None and got != want:
            raise BenchError(f"{pool_id}: declared {got}, the calculator says {want}")
        if want is None and (got is None or any(v is not None for v in got.values())):
            raise BenchError(f"{pool_id}: declared {got}, the calculator {expected.outcome}")


def run(settings: Settings, workdir: Path | None = None) -> dict[str, Any]:
    """The figures of one run: bets/s and CPU seconds of the pools pipeline over the
    race's bets, and the seconds from its RESULT to its last dividend row."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        db = Path(tmp) / "pools.db"
        card = prepare(db, settings)
        out = subprocess.run(
            [sys.executable, "-m", "tote.bench.tote_pools", str(db), json.dumps(card.result)],
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode != 0:
            raise BenchError(f"bench worker failed:\n{out.stderr[-2000:]}")
        worker: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    rows = worker.pop("rows")
    check(card, rows)
    return {
        "bets": settings.bets,
        "combination_moves": card.combination_moves,
        "bets_per_s": round(rate(settings.bets, worker["seconds"])),
        "cpu_bets_per_s": round(rate(settings.bets, worker["cpu_s"])),
        "cpu_s": round(worker["cpu_s"], 2),
        "seconds": round(worker["seconds"], 2),
        "result_to_dividends_s": round(worker["result_to_dividends_s"], 3),
        "dividend_rows": len(rows),
        "approximates_rows": worker["approximates_rows"],
        "betting_s": round(settings.bets * settings.event_ms / 1000, 1),
        "rss_mb": worker["rss_mb"],
        "settings": asdict(settings),
        "targets": {"bets_per_s": TARGET_BETS_PER_S, "result_s": TARGET_RESULT_S},
    }


if __name__ == "__main__":
    print(json.dumps(engine_worker(Path(sys.argv[1]), json.loads(sys.argv[2]))), flush=True)
