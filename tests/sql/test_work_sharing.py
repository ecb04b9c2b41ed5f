"""Two engines of one service on one SQLite log share a persistent query's tasks through
its consumer group, and the survivor takes over the tasks of one that stops."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.engine import Engine

STATEMENTS = """
CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', partitions=2, value_format='JSON');
CREATE STREAM t AS SELECT id, v * 2 AS w FROM s;
"""


def _until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _append(log: SqliteLog, ids: range) -> None:
    log.append("s", [Record(json.dumps({"V": i}).encode(), i.to_bytes(4, "big"))
                     for i in ids])


def _outputs(log: SqliteLog) -> list[tuple[int, int]]:
    out = []
    for partition in range(2):
        for record in log.read(TopicPartition("T", partition), 0, 100_000):
            assert record.key is not None and record.value is not None
            out.append((int.from_bytes(record.key, "big"), json.loads(record.value)["W"]))
    return out


def _owned(engine: Engine) -> set[int]:
    return {task.partition for task in engine.runtime.tasks()}


def test_engines_split_the_tasks_and_the_survivor_takes_over(tmp_path: Path) -> None:
    path = tmp_path / "tote.db"
    with SqliteLog(path) as log_a, SqliteLog(path) as log_b, \
            Registry(log_a) as registry_a, Registry(log_b) as registry_b:
        first = Engine(log_a, registry_a, instance_id="host-a:8088")
        first.start()
        first.execute(STATEMENTS)
        second = Engine(log_b, registry_b, instance_id="host-b:8088")
        second.start()  # replays the statements and joins the query's group
        first.start_background(poll_timeout=0.05)
        second.start_background(poll_timeout=0.05)
        _until(lambda: _owned(first) == {0} and _owned(second) == {1},
               "the group to split the two partitions between the engines")

        _append(log_a, range(1000))
        _until(lambda: len(_outputs(log_a)) >= 1000, "the first 1,000 outputs")
        assert sorted(_outputs(log_a)) == [(i, 2 * i) for i in range(1000)]

        # The first engine stops heartbeating (as a killed server does): after the
        # session timeout its partition moves to the second, which resumes from the
        # committed offsets.
        first.stop_background()
        _append(log_b, range(1000, 2000))
        _until(lambda: _owned(second) == {0, 1}, "the survivor to own both partitions")
        _until(lambda: len(_outputs(log_b)) >= 2000, "the next 1,000 outputs")
        time.sleep(0.5)
        assert sorted(_outputs(log_b)) == [(i, 2 * i) for i in range(2000)]
        second.stop_background()
        second.close()
