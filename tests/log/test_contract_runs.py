"""Log contract: records read as runs (`read_run`, `poll_runs`) are the records `read` and
`poll` give, with their keys and values as columns and each partition's next offset."""

from __future__ import annotations

import pytest
from tests.log.backends import SESSION_MS, Names, eventually

from tote.core.errors import OffsetOutOfRange
from tote.core.records import LogRecord, Record, TimestampType, TopicPartition
from tote.log.base import Log
from tote.log.record_run import RecordRun


def _mixed(count: int) -> list[Record]:
    """Records with and without keys and headers, and timestamps of their own."""
    return [Record(None if i % 5 == 4 else f"v{i}".encode(),
                   key=f"k{i}".encode() if i % 2 else None,
                   headers=(("h", f"{i}".encode()), ("empty", None)) if i % 3 == 0 else (),
                   timestamp=1_700_000_000_000 + i, partition=0) for i in range(count)]


def test_read_run_holds_the_records_read_gives(log: Log, names: Names) -> None:
    topic = names.topic()
    log.create_topic(topic)
    log.append(topic, _mixed(12))
    tp = TopicPartition(topic, 0)
    expected = log.read(tp, 2, 8)
    run = log.read_run(tp, 2, 8)
    assert run.tp == tp and len(run) == 8
    assert list(run) == expected
    assert run[0] == expected[0] and run[-1] == expected[-1]
    assert run[3:5] == expected[3:5]
    assert run.key_column() == [r.key for r in expected]
    assert run.value_column() == [r.value for r in expected]
    assert run.next_offset == expected[-1].offset + 1


def test_read_run_ends_and_fails_as_read_does(log: Log, names: Names) -> None:
    topic = names.topic()
    log.create_topic(topic)
    log.append(topic, [Record(b"a", partition=0), Record(b"b", partition=0)])
    tp = TopicPartition(topic, 0)
    end = log.read(tp, 0, 10)[-1].offset + 1
    assert len(log.read_run(tp, end, 10)) == 0
    with pytest.raises(OffsetOutOfRange):
        log.read_run(tp, end + 5, 10)


def test_poll_runs_gives_each_partition_once_in_order(log: Log, names: Names) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=2)
    log.append(topic, [Record(f"{i}".encode(), key=b"k" if i % 4 == 0 else None,
                              partition=i % 2) for i in range(10)])
    runs: list[RecordRun] = []
    with log.consumer(group, [topic], session_timeout_ms=SESSION_MS) as member:

        def attempt() -> bool | None:
            runs.extend(member.poll_runs(timeout=0.1))
            return True if sum(len(run) for run in runs) >= 10 else None

        eventually(attempt, "10 records")
        for run in runs:
            assert {(r.topic, r.partition) for r in run} == {run.tp}
            assert run.next_offset == run[-1].offset + 1
        for p in (0, 1):
            tp = TopicPartition(topic, p)
            mine = [r for run in runs if run.tp == tp for r in run]
            assert mine == log.read(tp, 0, 10)
            assert [k for run in runs if run.tp == tp for k in run.key_column()] == [
                r.key for r in mine]
            assert member.position(tp) == mine[-1].offset + 1
        assert member.poll_runs(timeout=0.1) == []


def test_split_cuts_a_poll_into_runs_of_one_partition() -> None:
    def record(topic: str, partition: int, offset: int) -> LogRecord:
        return LogRecord(topic, partition, offset, None, f"{offset}".encode(), (), 0,
                         TimestampType.CREATE_TIME)

    records = [record("a", 0, 5), record("a", 0, 6), record("a", 1, 0), record("b", 1, 3),
               record("b", 1, 4)]
    runs = RecordRun.split(records)
    assert [(run.tp, len(run), run.next_offset) for run in runs] == [
        (TopicPartition("a", 0), 2, 7), (TopicPartition("a", 1), 1, 1),
        (TopicPartition("b", 1), 2, 5)]
    assert [r for run in runs for r in run] == records
    assert runs[2].value_column() == [b"3", b"4"]
    (single,) = RecordRun.split(records[:2])
    assert (single.tp, list(single), single.next_offset) == (
        TopicPartition("a", 0), records[:2], 7)
    assert RecordRun.split([]) == []
