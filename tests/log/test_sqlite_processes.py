"""The SQLite log shared by real processes: kill -9, concurrent writers, groups, tailing.

Crash tests: a child process appends numbered batches (or runs numbered transactions) in
a loop and prints each acknowledged number; the parent SIGKILLs it at random points and
restarts it, and the child carries on numbering from what the log says it committed.
Then no batch may be partial, missing or doubled, and offsets must run from 0.
"""

from __future__ import annotations

import json
import queue
import random
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog

pytestmark = pytest.mark.slow

DEADLINE_S = 60.0
KILLS = 6

APPENDER = """
import sys
from pathlib import Path
from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog

log = SqliteLog(Path(sys.argv[1]))
last = -1
for partition in range(3):
    offset = 0
    while batch := log.read(TopicPartition("crash", partition), offset, 5000):
        last = max([last] + [int(r.value.split(b":")[0]) for r in batch])
        offset = batch[-1].offset + 1
n = last + 1
while True:
    size = 1 + (n * 7919) % 400
    log.append("crash", [
        Record(b"%d:%d:%d:" % (n, i, size) + bytes(150), key=b"%d-%d" % (n, i))
        for i in range(size)
    ])
    print(n, flush=True)
    n += 1
"""

WRITER = """
import sys
from pathlib import Path
from tote.core.records import Record
from tote.log.sqlite import SqliteLog

log = SqliteLog(Path(sys.argv[1]))
name, seq = sys.argv[2].encode(), 0
print("ready", flush=True)
sys.stdin.readline()  # start together with the other writer
for n in range(int(sys.argv[3])):
    size = 1 + (n * 31) % 40
    log.append("shared", [
        Record(b"%s:%d" % (name, seq + i), key=b"%d" % (seq + i)) for i in range(size)
    ])
    seq += size
print(seq, flush=True)
"""

TAILER = """
import json, sys
from pathlib import Path
from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog

log = SqliteLog(Path(sys.argv[1]))
positions = {TopicPartition("shared", p): 0 for p in range(4)}
seen = []
print("ready", flush=True)
while len(seen) < int(sys.argv[2]):
    fetched = False
    for tp, offset in positions.items():
        if batch := log.read(tp, offset):
            fetched = True
            seen.extend([r.partition, r.offset, r.value.decode()] for r in batch)
            positions[tp] = batch[-1].offset + 1
    if not fetched:
        log.wait(positions, 1.0)
print(json.dumps(seen), flush=True)
"""

MEMBER = """
import json, sys
from pathlib import Path
from tote.log.sqlite import SqliteLog

log = SqliteLog(Path(sys.argv[1]))
member = log.consumer("workers", ["jobs"], member_id=sys.argv[2], session_timeout_ms=3000)
owned = None
while True:
    records = member.poll(timeout=0.2)
    now = sorted(tp.partition for tp in member.assignment())
    if now != owned:
        owned = now
        print(json.dumps({"owned": owned}), flush=True)
    for record in records:
        print(json.dumps({"record": record.value.decode()}), flush=True)
    if records:
        member.commit()
"""

WAITER = """
import sys
from pathlib import Path
from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog

log = SqliteLog(Path(sys.argv[1]))
tp = TopicPartition("wake", 0)
while not log.wait({tp: 0}, 0.2):
    print("waiting", flush=True)
print(log.read(tp, 0)[0].value.decode(), flush=True)
"""

TRANSACTOR = """
import sys
from pathlib import Path
from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog

log = SqliteLog(Path(sys.argv[1]))
producer = log.transactional_producer("crash-tx")
last = log.store("crash").get(b"last")
n = 0 if last is None else int(last) + 1
while True:
    size = 50 + (n * 7919) % 1500
    with producer.begin() as txn:
        txn.append("out", [
            Record(b"%d:%d:%d:" % (n, i, size) + bytes(100), key=b"%d-%d" % (n, i))
            for i in range(size)
        ])
        txn.send_offsets("crash-group", {TopicPartition("in", 0): n + 1})
        txn.put("crash", b"last", b"%d" % n)
        txn.put("crash", b"batch-%d" % n, b"%d" % size)
    print(n, flush=True)
    n += 1
"""


class Child:
    """A Python child process running `code`; its stdout lines arrive on a queue."""

    def __init__(self, code: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", code, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._pump, daemon=True)
        self._reader.start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.strip())
        self.lines.put(None)

    def next_line(self, deadline_s: float = DEADLINE_S) -> str:
        try:
            line = self.lines.get(timeout=deadline_s)
        except queue.Empty:
            pytest.fail(f"child printed nothing for {deadline_s:.0f}s")
        if line is None:
            pytest.fail(f"child exited with {self.proc.wait()} before printing what we wanted")
        return line

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def kill(self) -> list[str]:
        """SIGKILL the child; return every line it printed that was not read yet."""
        self.proc.kill()
        self.proc.wait(timeout=DEADLINE_S)
        self._reader.join(timeout=DEADLINE_S)
        rest = []
        while (line := self.lines.get_nowait()) is not None:
            rest.append(line)
        return rest

    def stop(self) -> None:
        """Kill the child if it still runs and release its pipes."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=DEADLINE_S)
        self._reader.join(timeout=DEADLINE_S)
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


def _kill_repeatedly(code: str, path: Path, rng: random.Random) -> set[int]:
    """Run `code` KILLS times, killing each run at a random point; the acknowledged numbers."""
    acked: set[int] = set()
    for _ in range(KILLS):
        child = Child(code, str(path))
        try:
            for _ in range(rng.randint(2, 12)):
                acked.add(int(child.next_line()))
            time.sleep(rng.uniform(0, 0.02))  # land the kill anywhere in the next batch
            acked.update(int(line) for line in child.kill())
        finally:
            child.stop()
    return acked


def _append_size(n: int) -> int:
    return 1 + (n * 7919) % 400


def _txn_size(n: int) -> int:
    return 50 + (n * 7919) % 1500


def _batches(
    log: SqliteLog, topic: str, partitions: int, size_of: Callable[[int], int]
) -> dict[int, list[int]]:
    """Batch number -> record indexes, checking that each partition's offsets run from 0."""
    found: dict[int, list[int]] = {}
    for partition in range(partitions):
        records = log.read(TopicPartition(topic, partition), 0, 10**9)
        assert [r.offset for r in records] == list(range(len(records)))
        info = log.describe_topic(topic).partitions[partition]
        assert (info.start_offset, info.end_offset) == (0, len(records))
        for record in records:
            n, i, size, _ = (record.value or b"").split(b":")
            assert record.key == b"%s-%s" % (n, i)
            found.setdefault(int(n), []).append(int(i))
            assert int(size) == size_of(int(n))
    return found


def _integrity(path: Path) -> str:
    raw = sqlite3.connect(path)
    try:
        return str(raw.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        raw.close()


def test_killed_appends_leave_whole_batches_once_each(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    with SqliteLog(path) as log:
        log.create_topic("crash", partitions=3)
    acked = _kill_repeatedly(APPENDER, path, random.Random(7))
    assert _integrity(path) == "ok"
    with SqliteLog(path) as log:
        found = _batches(log, "crash", 3, _append_size)
    last = max(found)
    assert sorted(found) == list(range(last + 1))  # none lost, none written twice
    for n, indexes in found.items():
        assert sorted(indexes) == list(range(_append_size(n))), f"batch {n} is partial"
    assert acked <= set(found)
    assert len(acked) >= KILLS * 2


def test_killed_transactions_leave_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    with SqliteLog(path) as log:
        log.create_topic("out", partitions=3)
        log.create_topic("in")
    acked = _kill_repeatedly(TRANSACTOR, path, random.Random(11))
    assert _integrity(path) == "ok"
    with SqliteLog(path) as log:
        found = _batches(log, "out", 3, _txn_size)
        store = dict(log.store("crash").items())
        committed = log.committed("crash-group", [TopicPartition("in", 0)])
    last = int(store.pop(b"last"))
    assert sorted(found) == list(range(last + 1))
    for n, indexes in found.items():
        assert sorted(indexes) == list(range(_txn_size(n))), f"txn {n} is partial"
    assert store == {b"batch-%d" % n: b"%d" % len(found[n]) for n in found}
    assert committed == {TopicPartition("in", 0): last + 1}
    assert acked <= set(found)
    assert len(acked) >= KILLS * 2


def _writer_total(batches: int) -> int:
    return sum(1 + (n * 31) % 40 for n in range(batches))


def test_two_writers_and_a_tailer_lose_nothing_and_double_nothing(tmp_path: Path) -> None:
    path, batches = tmp_path / "log.db", 400
    with SqliteLog(path) as log:
        log.create_topic("shared", partitions=4)
    total = _writer_total(batches)
    tailer = Child(TAILER, str(path), str(2 * total))
    writers: list[Child] = []
    try:
        assert tailer.next_line() == "ready"
        writers = [Child(WRITER, str(path), name, str(batches)) for name in ("a", "b")]
        assert [writer.next_line() for writer in writers] == ["ready", "ready"]
        for writer in writers:
            writer.send("go")
        assert [int(writer.next_line()) for writer in writers] == [total, total]
        seen = json.loads(tailer.next_line())
    finally:
        for child in [tailer, *writers]:
            child.stop()
    seen_rows = sorted((int(p), int(offset), str(value)) for p, offset, value in seen)
    everything = sorted(f"{writer}:{i}" for writer in "ab" for i in range(total))
    assert sorted(value for _, _, value in seen_rows) == everything  # none lost or doubled
    with SqliteLog(path) as log:
        stored = [
            (p, r.offset, (r.value or b"").decode())
            for p in range(4)
            for r in log.read(TopicPartition("shared", p), 0, 10**6)
        ]
    assert seen_rows == stored
    for partition in range(4):
        rows = [row for row in stored if row[0] == partition]
        assert [offset for _, offset, _ in rows] == list(range(len(rows)))
        for name in "ab":
            seqs = [int(v.split(":")[1]) for _, _, v in rows if v.startswith(name)]
            assert seqs == sorted(seqs), f"{name}'s order broke in partition {partition}"


def _until_owned(child: Child, partitions: list[int]) -> None:
    """Read the member's JSON lines until it reports owning exactly `partitions`."""
    while json.loads(child.next_line()).get("owned") != partitions:
        pass


def _records_until(child: Child, wanted: set[str]) -> set[str]:
    """Read the member's JSON lines until it has received every record in `wanted`."""
    received: set[str] = set()
    while not wanted <= received:
        event = json.loads(child.next_line())
        if "record" in event:
            received.add(event["record"])
    return received


def test_a_killed_members_partitions_move_to_the_survivor(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    log = SqliteLog(path)
    log.create_topic("jobs", partitions=4)
    survivor = Child(MEMBER, str(path), "a")
    victim: Child | None = None
    try:
        _until_owned(survivor, [0, 1, 2, 3])
        victim = Child(MEMBER, str(path), "b")
        _until_owned(victim, [2, 3])
        _until_owned(survivor, [0, 1])
        log.append("jobs", [Record(f"before-{p}".encode(), partition=p) for p in range(4)])
        assert _records_until(survivor, {"before-0", "before-1"}) == {"before-0", "before-1"}
        assert _records_until(victim, {"before-2", "before-3"}) == {"before-2", "before-3"}
        victim.kill()
        _until_owned(survivor, [0, 1, 2, 3])
        log.append("jobs", [Record(f"after-{p}".encode(), partition=p) for p in range(4)])
        wanted = {f"after-{p}" for p in range(4)}
        # The victim may have died before committing: then its records come again.
        assert wanted <= _records_until(survivor, wanted) <= wanted | {"before-2", "before-3"}
    finally:
        for child in (survivor, victim):
            if child is not None:
                child.stop()
        log.close()


def test_a_tail_in_another_process_wakes_on_an_append(tmp_path: Path) -> None:
    path = tmp_path / "log.db"
    with SqliteLog(path) as log:
        log.create_topic("wake")
        waiter = Child(WAITER, str(path))
        try:
            assert waiter.next_line() == "waiting"
            log.append("wake", [Record(b"hello")])
            line = waiter.next_line()
            while line == "waiting":
                line = waiter.next_line()
            assert line == "hello"
        finally:
            waiter.stop()
