"""What only the memory log can show exactly: time driven by a ManualClock, and its choices."""

from __future__ import annotations

import threading

import pytest

from tote.core.clock import ManualClock
from tote.core.errors import Conflict, Fenced, TopicNotFound
from tote.core.records import Position, Record, TimestampType, TopicPartition
from tote.log.assignor import range_assign
from tote.log.memory import RETENTION_CHECK_MS, MemoryLog

START_MS = 1_700_000_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START_MS)


@pytest.fixture
def log(clock: ManualClock) -> MemoryLog:
    return MemoryLog(clock=clock)


def test_timestamps_come_from_the_injected_clock(log: MemoryLog, clock: ManualClock) -> None:
    log.create_topic("create")
    log.create_topic("append", configs={"message.timestamp.type": "LogAppendTime"})
    assert log.append("create", [Record(b"v")]) == [Position(0, 0, START_MS)]
    clock.advance(5)
    assert log.append("append", [Record(b"v", timestamp=1)]) == [Position(0, 0, START_MS + 5)]
    (record,) = log.read(TopicPartition("append", 0), 0)
    assert (record.timestamp, record.timestamp_type) == (
        START_MS + 5,
        TimestampType.LOG_APPEND_TIME,
    )


def test_an_unkeyed_batch_stays_together_and_the_next_moves_on(log: MemoryLog) -> None:
    log.create_topic("t", partitions=3)
    first = log.append("t", [Record(b"a"), Record(b"b"), Record(b"c")])
    second = log.append("t", [Record(b"d")])
    assert [p.partition for p in first] == [0, 0, 0]
    assert [p.partition for p in second] == [1]


def test_a_member_silent_past_its_session_timeout_is_dropped(
    log: MemoryLog, clock: ManualClock
) -> None:
    log.create_topic("t", partitions=2)
    silent = log.consumer("g", ["t"], member_id="a", session_timeout_ms=1000)
    active = log.consumer("g", ["t"], member_id="b", session_timeout_ms=1000)
    active.poll(timeout=0)
    silent.poll(timeout=0)
    assert silent.assignment() == {TopicPartition("t", 0)}
    assert active.assignment() == {TopicPartition("t", 1)}
    clock.advance(1000)
    active.poll(timeout=0)
    assert active.assignment() == {TopicPartition("t", 1)}  # exactly at the timeout: alive
    clock.advance(1)
    active.poll(timeout=0)
    assert active.assignment() == {TopicPartition("t", 0), TopicPartition("t", 1)}
    with pytest.raises(Fenced):
        silent.commit()
    silent.poll(timeout=0)  # polling again rejoins the group
    active.poll(timeout=0)
    assert silent.assignment() == {TopicPartition("t", 0)}
    assert active.assignment() == {TopicPartition("t", 1)}


def test_a_new_consumer_with_the_same_member_id_fences_the_old(log: MemoryLog) -> None:
    log.create_topic("t")
    old = log.consumer("g", ["t"], member_id="worker-1")
    new = log.consumer("g", ["t"], member_id="worker-1")
    with pytest.raises(Fenced) as exc:
        old.poll(timeout=0)
    assert exc.value.message == (
        "Member 'worker-1' of group 'g' was fenced by a newer consumer with the same member id."
    )
    assert new.assignment() == {TopicPartition("t", 0)}


def test_range_assignment_follows_member_ids(log: MemoryLog) -> None:
    log.create_topic("t", partitions=5)
    members = [log.consumer("g", ["t"], member_id=m) for m in ("c", "a", "b")]
    for member in members:
        member.poll(timeout=0)
    owned = {m.member_id: sorted(tp.partition for tp in m.assignment()) for m in members}
    assert owned == {"a": [0, 1], "b": [2, 3], "c": [4]}


def test_range_assign_splits_each_topic_among_its_subscribers() -> None:
    result = range_assign({"m2": ["x", "y"], "m1": ["x"], "m3": []}, {"x": 3, "y": 2})
    assert result == {
        "m1": {TopicPartition("x", 0), TopicPartition("x", 1)},
        "m2": {TopicPartition("x", 2), TopicPartition("y", 0), TopicPartition("y", 1)},
        "m3": frozenset(),
    }
    assert range_assign({"m1": ["gone"]}, {}) == {"m1": frozenset()}


def test_deleting_a_topic_forgets_its_offsets_and_assignment(log: MemoryLog) -> None:
    log.create_topic("keep")
    log.create_topic("drop")
    member = log.consumer("g", ["keep", "drop"])
    log.commit_offsets("g", {TopicPartition("keep", 0): 0, TopicPartition("drop", 0): 0})
    log.delete_topic("drop")
    member.poll(timeout=0)
    assert member.assignment() == {TopicPartition("keep", 0)}
    assert log.committed("g", [TopicPartition("drop", 0), TopicPartition("keep", 0)]) == {
        TopicPartition("keep", 0): 0
    }


def test_a_group_with_live_members_cannot_be_deleted(log: MemoryLog) -> None:
    log.create_topic("t")
    member = log.consumer("g", ["t"])
    with pytest.raises(Conflict) as exc:
        log.delete_group("g")
    assert exc.value.message == "Consumer group 'g' is not empty: it has active members."
    member.close()
    assert "g" not in log.list_groups()


def test_closing_the_log_closes_its_members_but_keeps_data(log: MemoryLog) -> None:
    log.create_topic("t")
    log.append("t", [Record(b"kept")])
    log.consumer("g", ["t"])
    assert log.list_groups() == ["g"]
    log.close()
    assert log.list_groups() == []
    assert [r.value for r in log.read(TopicPartition("t", 0), 0)] == [b"kept"]


def test_a_zombie_members_offsets_fence_the_whole_transaction(
    log: MemoryLog, clock: ManualClock
) -> None:
    log.create_topic("in")
    log.create_topic("out")
    zombie = log.consumer("g", ["in"], session_timeout_ms=1000)
    producer = log.transactional_producer("task-0")
    txn = producer.begin()
    txn.append("out", [Record(b"result")])
    txn.put("s", b"k", b"v")
    txn.send_offsets(zombie, {TopicPartition("in", 0): 1})
    clock.advance(1001)
    log.consumer("g", ["in"], session_timeout_ms=1000)
    with pytest.raises(Fenced):
        txn.commit()
    assert log.read(TopicPartition("out", 0), 0) == []
    assert log.store("s").get(b"k") is None
    assert log.committed("g", [TopicPartition("in", 0)]) == {}


def test_appends_apply_retention_every_check_interval(
    log: MemoryLog, clock: ManualClock
) -> None:
    log.create_topic("t", configs={"retention.ms": "1000"})
    log.append("t", [Record(b"old")])
    clock.advance(RETENTION_CHECK_MS - 1)
    log.append("t", [Record(b"new")])
    assert log.describe_topic("t").partitions[0].start_offset == 0
    clock.advance(1)
    log.append("t", [Record(b"newest")])
    assert [r.value for r in log.read(TopicPartition("t", 0), 0)] == [b"new", b"newest"]


def test_tombstones_live_exactly_delete_retention_ms(log: MemoryLog, clock: ManualClock) -> None:
    log.create_topic("t", configs={"cleanup.policy": "compact", "delete.retention.ms": "100"})
    log.append("t", [Record(b"v", key=b"k"), Record(None, key=b"k")])
    clock.advance(100)
    log.enforce_retention("t")
    assert [(r.offset, r.value) for r in log.read(TopicPartition("t", 0), 0)] == [(1, None)]
    clock.advance(1)
    log.enforce_retention("t")
    assert log.read(TopicPartition("t", 0), 0) == []
    assert log.describe_topic("t").partitions[0].start_offset == 2


def test_topics_without_retention_ms_keep_old_records(log: MemoryLog) -> None:
    log.create_topic("t")
    log.append("t", [Record(b"ancient", timestamp=0)])
    log.enforce_retention()
    assert len(log.read(TopicPartition("t", 0), 0)) == 1


def test_wait_on_an_unknown_topic_fails(log: MemoryLog) -> None:
    with pytest.raises(TopicNotFound):
        log.wait({TopicPartition("nope", 0): 0}, 0)


def test_concurrent_appends_get_distinct_contiguous_offsets(log: MemoryLog) -> None:
    log.create_topic("t")
    offsets: list[int] = []
    lock = threading.Lock()

    def writer(n: int) -> None:
        for i in range(50):
            positions = log.append("t", [Record(f"{n}-{i}".encode())] * 2)
            with lock:
                offsets.extend(p.offset for p in positions)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(offsets) == list(range(400))


def test_a_partition_that_moved_away_and_back_resumes_at_the_newer_commit(
    log: MemoryLog,
) -> None:
    log.create_topic("t")
    tp = TopicPartition("t", 0)
    log.append("t", [Record(f"{i}".encode()) for i in range(5)])
    slow = log.consumer("g", ["t"], member_id="m-2")
    assert [r.offset for r in slow.poll(timeout=0, max_records=3)] == [0, 1, 2]
    fast = log.consumer("g", ["t"], member_id="m-1")  # sorts first: takes the partition
    assert [r.offset for r in fast.poll(timeout=0)] == [0, 1, 2, 3, 4]
    fast.commit()
    fast.close()
    log.append("t", [Record(b"5")])
    assert [r.offset for r in slow.poll(timeout=0)] == [5]
    assert slow.position(tp) == 6
