"""Helpers of the pipeline crash tests: engine worker processes, progress watching on the
log they write, killing and restarting them, and a record-for-record comparison of two
logs' output topics. The engine runs on a SQLite log file or a Kafka broker."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tote.bench.pipeline import BATCH
from tote.bench.pipeline_worker import KAFKA
from tote.core.records import LogRecord, TopicPartition
from tote.log.base import Log
from tote.log.sqlite import SqliteLog
from tote.seed.files import ODDS_TABLE

ODDS_TOPIC = ODDS_TABLE
OUTPUTS = {  # the topics the seed's statements write
    "TOTE_WIN_BETS_RUNNER_KEYED",
    "TOTE_WIN_BETS_RACE_KEYED",
    "TOTE_RUNNERS_POOL",
    "TOTE_RACE_POOL",
    ODDS_TOPIC,
}
# A worker that adds no odds row for this long is stuck: fail rather than hang. Generous,
# because start-up (imports, replaying the statements) on a loaded machine is slow too.
STALL_SECONDS = 300.0
POLL_SECONDS = 0.02
READ_CHUNK = 5_000
# How long a step takes until one has been seen: the delay of a kill is a random
# fraction of the last step's duration.
FIRST_STEP_SECONDS = 0.5
# Odds rows arrive a step (BATCH bets) at a time: thresholds this far apart make every
# kill wait for fresh progress instead of firing at the restarted run's first step.
GAP = 2 * BATCH


class EngineWorker:
    """One `tote.bench.pipeline_worker engine` process over a log file, or over the Kafka
    broker at `bootstrap`; its output goes to files beside `db` so a failure can show
    what it printed."""

    def __init__(self, db: Path, bets: int, name: str, *, bootstrap: str | None = None) -> None:
        self.name = name
        self.stdout_path = db.with_name(f"{name}.out")
        self.stderr_path = db.with_name(f"{name}.err")
        target = str(db) if bootstrap is None else KAFKA + bootstrap
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tote.bench.pipeline_worker", "engine", target, str(bets)],
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
            )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> int:
        """SIGKILL the process and reap it; its exit code (-9 when the kill got it)."""
        self.proc.send_signal(signal.SIGKILL)
        return self.proc.wait(60)

    def stop(self) -> None:
        """Kill the process if it is still running (cleanup after a failure)."""
        if self.alive():
            self.kill()

    def stderr_tail(self) -> str:
        text = self.stderr_path.read_text(errors="replace")
        return text[-3000:] or "(nothing on stderr)"

    def result(self) -> dict[str, Any]:
        """The JSON line of a worker that exited by itself; fails if it did not succeed."""
        code = self.proc.wait(60)
        lines = self.stdout_path.read_text(errors="replace").strip().splitlines()
        assert code == 0 and lines, f"{self.name} exited with {code}:\n{self.stderr_tail()}"
        parsed: dict[str, Any] = json.loads(lines[-1])
        return parsed


class Progress:
    """Reads how many odds rows a log holds, from this process, while a worker writes it
    (the log is closed with it). On Kafka the count is the end offset, which counts
    transaction markers too; `poll_seconds` spares the broker there."""

    def __init__(self, log: Log, poll_seconds: float = POLL_SECONDS) -> None:
        self.log = log
        self.poll_seconds = poll_seconds
        partitions = self.log.describe_topic(ODDS_TOPIC).partitions
        self.tps = [TopicPartition(ODDS_TOPIC, p.partition) for p in partitions]

    def odds(self) -> int:
        if isinstance(self.log, SqliteLog):  # cheaper than describe_topic, polled often
            total = 0
            for tp in self.tps:
                bounds = self.log.bounds(tp)
                assert bounds is not None, f"{tp} disappeared"
                total += bounds[1]
            return total
        return sum(p.end_offset for p in self.log.describe_topic(ODDS_TOPIC).partitions)

    def close(self) -> None:
        self.log.close()


@dataclass
class Seen:
    """What `watch` saw: the last odds count, and how long the last step took (the time
    between the last two changes of the count, None if it changed less than twice)."""

    count: int
    step_seconds: float | None


def watch(worker: EngineWorker, progress: Progress, done: Callable[[int], bool], what: str) -> Seen:
    """Poll the odds count until `done(count)` or the worker exits.

    Fails with a clear message when no odds row is added for STALL_SECONDS.
    """
    last, changed, step = progress.odds(), time.monotonic(), None
    first = True
    while True:
        count, now = progress.odds(), time.monotonic()
        if count != last:
            step = None if first else now - changed
            last, changed, first = count, now, False
        if done(count) or not worker.alive():
            return Seen(count, step)
        if now - changed > STALL_SECONDS:
            raise AssertionError(
                f"{what}: {worker.name} added no odds row for {STALL_SECONDS:.0f} s "
                f"(stuck at {count}):\n{worker.stderr_tail()}"
            )
        time.sleep(progress.poll_seconds)


def is_internal(topic: str) -> bool:
    """Topics whose contents legitimately differ between runs: the command topic, the
    registry's, repartition and changelog topics."""
    return topic.startswith("_") or "-repartition" in topic or "changelog" in topic


def kill_points(rng: random.Random, bets: int, kills: int) -> list[int]:
    """`kills` odds-row counts from 10% of the run, at least GAP apart, the last one far
    enough from the end (40% and 4 steps) that the run cannot finish before its kill,
    however long the odds take to be seen and the kill to land."""
    low = bets // 10
    high = min(bets * 6 // 10, bets - 4 * BATCH) - (kills - 1) * GAP
    assert high - low >= kills, f"{bets} bets are too few for {kills} kills {GAP} apart"
    return [at + i * GAP for i, at in enumerate(sorted(rng.sample(range(low, high), kills)))]


def _past(threshold: int, before: int) -> Callable[[int], bool]:
    """Done once the odds rows reach the threshold and this run has added some."""
    return lambda count: count >= threshold and count > before


@dataclass
class Crashes:
    """The odds count right after each kill, and how long after its threshold it came."""

    kills: list[int]
    delays: list[float]


def crash_repeatedly(
    start: Callable[[str], EngineWorker],
    progress: Progress,
    thresholds: list[int],
    rng: random.Random,
    *,
    bets: int,
    context: str,
) -> Crashes:
    """For each threshold: start a worker (`start(name)`, which must keep it for cleanup),
    wait until the odds pass the threshold, then a random fraction of the last step (so
    kills land anywhere in a step: reading, computing or committing), and SIGKILL it."""
    crashes = Crashes([], [])
    step = FIRST_STEP_SECONDS
    for n, threshold in enumerate(thresholds, 1):
        worker = start(f"run-{n}")
        seen = watch(worker, progress, _past(threshold, progress.odds()), f"kill {n}")
        assert worker.alive(), (
            f"run {n} ended (code {worker.proc.returncode}) at {seen.count} odds rows, "
            f"before kill {n}; {context}\n{worker.stderr_tail()}"
        )
        step = seen.step_seconds or step
        crashes.delays.append(rng.uniform(0, step))
        time.sleep(crashes.delays[-1])
        code = worker.kill()
        after = progress.odds()
        assert code == -signal.SIGKILL and after < bets, (
            f"kill {n} did not land mid-run: exit code {code}, {after} of {bets} odds "
            f"rows; {context}"
        )
        crashes.kills.append(after)
    return crashes


def run_to_end(worker: EngineWorker, progress: Progress, what: str) -> None:
    """Watch the worker until it exits (closing `progress`); fails unless it succeeded."""
    try:
        watch(worker, progress, lambda _: False, what)
    finally:
        progress.close()
    worker.result()


def _difference(topic: str, at: int, a: Sequence[object], b: Sequence[object], where: str) -> str:
    return (
        f"{topic}: first difference at the {at}th record {where}:\n"
        f"  uninterrupted {a[at] if at < len(a) else None}\n"
        f"  crashed       {b[at] if at < len(b) else None}"
    )


def _first_difference(a: Sequence[object], b: Sequence[object]) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def assert_same_records(expected: SqliteLog, actual: SqliteLog, topic: str) -> int:
    """Every partition of `topic` holds the same records in both logs (partition,
    offset, key, value, headers, timestamp and its type); how many records."""
    want = expected.describe_topic(topic).partitions
    got = actual.describe_topic(topic).partitions
    assert got == want, f"{topic}: partitions differ: {got} != {want}"
    compared = 0
    for info in want:
        tp, offset = TopicPartition(topic, info.partition), info.start_offset
        while offset < info.end_offset:
            a = expected.read(tp, offset, READ_CHUNK)
            b = actual.read(tp, offset, READ_CHUNK)
            if a != b:
                at = _first_difference(a, b)
                raise AssertionError(
                    _difference(f"{topic}-{info.partition}", at, a, b, f"from offset {offset}")
                )
            if not a:
                break
            compared += len(a)
            offset = a[-1].offset + 1
    return compared


def _contents(log: Log, tp: TopicPartition) -> list[LogRecord]:
    """Every record of a partition a read_committed reader sees, in order."""
    out: list[LogRecord] = []
    offset, end = 0, log.describe_topic(tp.topic).partitions[tp.partition].end_offset
    while offset < end:
        batch = log.read(tp, offset, READ_CHUNK)
        if not batch:
            break
        out.extend(batch)
        offset = batch[-1].offset + 1
    return out


def assert_same_contents(expected: Log, actual: Log, topic: str) -> int:
    """Every partition of `topic` holds the same records in both logs, in the same order
    (key, value, headers, timestamp and its type), offsets aside: on Kafka, transaction
    markers and aborted transactions take offsets. How many records."""
    partitions = expected.describe_topic(topic).spec.partitions
    assert actual.describe_topic(topic).spec.partitions == partitions, f"{topic}: partitions"
    compared = 0
    for partition in range(partitions):
        tp = TopicPartition(topic, partition)
        a, b = _contents(expected, tp), _contents(actual, tp)
        a_seen = [(r.key, r.value, r.headers, r.timestamp, r.timestamp_type) for r in a]
        b_seen = [(r.key, r.value, r.headers, r.timestamp, r.timestamp_type) for r in b]
        if a_seen != b_seen:
            at = _first_difference(a_seen, b_seen)
            raise AssertionError(
                _difference(f"{topic}-{partition}", at, a, b, f"of {len(a)} and {len(b)}")
            )
        compared += len(a)
    return compared
