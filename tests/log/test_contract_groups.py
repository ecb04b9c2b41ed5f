"""Log contract: consumer groups share partitions, hand them over and commit offsets.

Group membership settles asynchronously on Kafka-protocol brokers, so tests poll until
the expected state is reached (bounded by a generous deadline) instead of assuming it.
"""

from __future__ import annotations

import pytest
from tests.log.backends import (
    SESSION_MS,
    Names,
    assert_error,
    consume,
    eventually,
    settle,
)

from tote.core.errors import Fenced, GroupNotFound, InvalidConfig, TopicNotFound
from tote.core.records import LogRecord, Record, TopicPartition
from tote.log.base import GroupConsumer, Log


def all_tps(topic: str, partitions: int) -> frozenset[TopicPartition]:
    return frozenset(TopicPartition(topic, p) for p in range(partitions))


def test_a_lone_member_reads_everything_and_resumes_from_its_commit(
    log: Log, names: Names
) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=2)
    log.append(topic, [Record(f"{i}".encode(), partition=i % 2) for i in range(6)])
    with log.consumer(group, [topic], session_timeout_ms=SESSION_MS) as member:
        got = consume([member], 6)
        assert sorted(r.value or b"" for r in got) == [b"0", b"1", b"2", b"3", b"4", b"5"]
        assert member.assignment() == all_tps(topic, 2)
        assert member.position(TopicPartition(topic, 0)) == 3
        member.commit()
    assert log.committed(group, all_tps(topic, 2)) == {
        TopicPartition(topic, 0): 3,
        TopicPartition(topic, 1): 3,
    }
    (later,) = log.append(topic, [Record(b"later", partition=1)])
    with log.consumer(group, [topic], session_timeout_ms=SESSION_MS) as again:
        (record,) = consume([again], 1)
        assert (record.partition, record.offset, record.value) == (1, later.offset, b"later")


def test_two_members_split_the_partitions_and_each_record_goes_to_one(
    log: Log, names: Names
) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=4)
    first = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    second = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    try:
        settle([first, second], [2, 2], "a 2/2 split")
        assert first.assignment() | second.assignment() == all_tps(topic, 4)
        log.append(topic, [Record(f"{i}".encode(), partition=i % 4) for i in range(20)])
        by_first: list[LogRecord] = []
        by_second: list[LogRecord] = []

        def attempt() -> bool | None:
            by_first.extend(first.poll(timeout=0.1))
            by_second.extend(second.poll(timeout=0.1))
            return True if len(by_first) + len(by_second) >= 20 else None

        eventually(attempt, "20 records")
        assert sorted(int(r.value or b"") for r in by_first + by_second) == list(range(20))
        assert len(by_first) == len(by_second) == 10
        assert {r.tp for r in by_first} == first.assignment()
        assert {r.tp for r in by_second} == second.assignment()
    finally:
        first.close()
        second.close()


def test_a_member_that_leaves_hands_its_partitions_over_at_its_commit(
    log: Log, names: Names
) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=4)
    first = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    second = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    try:
        settle([first, second], [2, 2], "a 2/2 split")
        log.append(topic, [Record(f"old-{p}".encode(), partition=p) for p in range(4)])
        consume([first, second], 4)
        first.commit()
        second.commit()
        first.close()
        settle([second], [4], "the survivor to own all partitions")
        log.append(topic, [Record(f"new-{p}".encode(), partition=p) for p in range(4)])
        got = consume([second], 4)
        assert sorted(r.value or b"" for r in got) == [b"new-0", b"new-1", b"new-2", b"new-3"]
    finally:
        first.close()
        second.close()


def test_a_silent_member_is_dropped_after_its_session_timeout(log: Log, names: Names) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=2)
    silent = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    active = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    try:
        settle([silent, active], [1, 1], "a 1/1 split")
        settle([active], [2], "the active member to take over the silent one's partition")
        with pytest.raises(Fenced) as exc:
            silent.commit()
        assert exc.value.error_code == 40901
    finally:
        silent.close()
        active.close()


def test_a_member_of_an_old_generation_cannot_commit(log: Log, names: Names) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=2)
    log.append(topic, [Record(b"a", partition=0), Record(b"b", partition=1)])
    first = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    second: GroupConsumer | None = None
    try:
        consume([first], 2)
        second = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
        joined = second

        def commit_is_fenced() -> bool | None:
            joined.poll(timeout=0.1, max_records=0)
            try:
                first.commit()
            except Fenced as exc:
                assert exc.error_code == 40901
                return True
            return None

        eventually(commit_is_fenced, "the old member's commit to be fenced")
        settle([first, second], [1, 1], "a 1/1 split")
        first.commit({tp: 1 for tp in first.assignment()})
        assert log.committed(group, first.assignment()) == {tp: 1 for tp in first.assignment()}
    finally:
        first.close()
        if second is not None:
            second.close()


def test_offsets_committed_outside_a_group_member(log: Log, names: Names) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=2)
    tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
    assert log.committed(group, [tp0, tp1]) == {}
    log.commit_offsets(group, {tp0: 5})
    assert log.committed(group, [tp0, tp1]) == {tp0: 5}
    log.commit_offsets(group, {tp0: 7, tp1: 1})
    assert log.committed(group, [tp0, tp1]) == {tp0: 7, tp1: 1}
    assert group in log.list_groups()
    log.delete_group(group)
    assert group not in log.list_groups()
    assert log.committed(group, [tp0, tp1]) == {}


def test_committing_offsets_of_an_unknown_topic_fails(log: Log, names: Names) -> None:
    group, missing = names.group(), names.topic()
    with pytest.raises(TopicNotFound) as exc:
        log.commit_offsets(group, {TopicPartition(missing, 0): 1})
    assert_error(exc, TopicNotFound, 40401, f"Topic '{missing}' not found.")


def test_deleting_an_unknown_group_fails(log: Log, names: Names) -> None:
    group = names.group()
    with pytest.raises(GroupNotFound) as exc:
        log.delete_group(group)
    assert_error(exc, GroupNotFound, 40403, f"Consumer group '{group}' not found.")


def test_groups_with_live_members_are_listed(log: Log, names: Names) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic)
    with log.consumer(group, [topic], session_timeout_ms=SESSION_MS) as member:
        member.poll(timeout=0.1)
        listed = eventually(lambda: log.list_groups() if group in log.list_groups() else None,
                            "the group to be listed")
        assert listed == sorted(listed)


@pytest.mark.parametrize(
    ("reset", "expected"),
    [("earliest", [b"0", b"1", b"2", b"3"]), ("latest", [b"3"])],
)
def test_auto_offset_reset_picks_the_start_position(
    log: Log, names: Names, reset: str, expected: list[bytes]
) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic)
    tp = TopicPartition(topic, 0)
    log.append(topic, [Record(b"0"), Record(b"1"), Record(b"2")])
    (info,) = log.describe_topic(topic).partitions
    with log.consumer(
        group, [topic], session_timeout_ms=SESSION_MS, auto_offset_reset=reset
    ) as member:
        settle([member], [1], "the assignment")
        start = info.start_offset if reset == "earliest" else info.end_offset
        assert member.position(tp) == start
        log.append(topic, [Record(b"3")])
        got = consume([member], len(expected))
        assert [r.value for r in got] == expected


def test_an_unknown_auto_offset_reset_is_rejected(log: Log, names: Names) -> None:
    topic = names.topic()
    log.create_topic(topic)
    with pytest.raises(InvalidConfig) as exc:
        log.consumer(names.group(), [topic], auto_offset_reset="smallest")
    assert_error(
        exc, InvalidConfig, 40004,
        "Invalid value smallest for configuration auto.offset.reset: "
        "String must be one of: latest, earliest",
    )


def test_seek_moves_the_position(log: Log, names: Names) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic)
    tp = TopicPartition(topic, 0)
    log.append(topic, [Record(f"{i}".encode()) for i in range(5)])
    with log.consumer(group, [topic], session_timeout_ms=SESSION_MS) as member:
        consume([member], 5)
        member.seek(tp, 2)
        assert member.position(tp) == 2
        got = consume([member], 3)
        assert [r.value for r in got] == [b"2", b"3", b"4"]
        member.commit()
    assert log.committed(group, [tp]) == {tp: 5}
