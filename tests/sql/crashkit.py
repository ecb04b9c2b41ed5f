"""Helpers of the pipeline crash test: engine worker processes, progress watching on the
log they write, and a record-for-record comparison of two logs' output topics."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tote.core.records import TopicPartition
from tote.log.sqlite import SqliteLog
from tote.seed.files import ODDS_TABLE

ODDS_TOPIC = ODDS_TABLE
# A worker that adds no odds row for this long is stuck: fail rather than hang. Generous,
# because start-up (imports, replaying the statements) on a loaded machine is slow too.
STALL_SECONDS = 300.0
POLL_SECONDS = 0.02
READ_CHUNK = 5_000


class EngineWorker:
    """One `tote.bench.pipeline_worker engine` process over a log file; its output goes
    to files beside the log so a failure can show what it printed."""

    def __init__(self, db: Path, bets: int, name: str) -> None:
        self.name = name
        self.stdout_path = db.with_name(f"{name}.out")
        self.stderr_path = db.with_name(f"{name}.err")
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "tote.bench.pipeline_worker", "engine", str(db), str(bets)],
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
    """Reads how many odds rows a log holds, from this process, while a worker writes it."""

    def __init__(self, db: Path) -> None:
        self.log = SqliteLog(db)
        partitions = self.log.describe_topic(ODDS_TOPIC).partitions
        self.tps = [TopicPartition(ODDS_TOPIC, p.partition) for p in partitions]

    def odds(self) -> int:
        total = 0
        for tp in self.tps:
            bounds = self.log.bounds(tp)
            assert bounds is not None, f"{tp} disappeared"
            total += bounds[1]
        return total

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
        time.sleep(POLL_SECONDS)


def is_internal(topic: str) -> bool:
    """Topics whose contents legitimately differ between runs: the command topic, the
    registry's, repartition and changelog topics."""
    return topic.startswith("_") or "-repartition" in topic or "changelog" in topic


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
                at = next(
                    (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                    min(len(a), len(b)),
                )
                raise AssertionError(
                    f"{topic}-{info.partition}: first difference at the {at}th record from "
                    f"offset {offset}:\n  uninterrupted {a[at] if at < len(a) else None}\n"
                    f"  crashed       {b[at] if at < len(b) else None}"
                )
            if not a:
                break
            compared += len(a)
            offset = a[-1].offset + 1
    return compared
