"""Log contract: a group's description names each live member and what it holds
(`Log.group_members`, which REST Proxy v3 lists as a group's consumers, and
`Log.group_assignments`, which ksqlDB's SHOW TOPICS EXTENDED counts)."""

from __future__ import annotations

import pytest
from tests.log.backends import DESCRIBE_S, SESSION_MS, Names, eventually, settle

from tote.core.records import TopicPartition
from tote.log.base import GroupMember, Log


@pytest.mark.unsupported_on(
    "kafka",
    reason="Tansu 0.6 answers DescribeGroups for a STABLE group with no members, so no "
    "member can be read from it (Kafka lists each one)",
)
def test_group_members_name_each_live_member_and_its_partitions(
    log: Log, names: Names
) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=4)
    first = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    second = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    try:
        settle([first, second], [2, 2], "a 2/2 split")
        members = eventually(
            lambda: found if len(found := log.group_members(group)) == 2 and
            all(m.assignment for m in found) else None,
            "both members in the group's description", deadline_s=DESCRIBE_S)
        expected = sorted(
            [(first.member_id, first.assignment()), (second.member_id, second.assignment())]
        )
        assert [(m.member_id, m.assignment) for m in members] == expected
        assert all(isinstance(m, GroupMember) and m.client_id for m in members)
        assert frozenset().union(*(m.assignment for m in members)) == frozenset(
            TopicPartition(topic, p) for p in range(4)
        )
        assert log.group_assignments(group) == [m.assignment for m in members]
    finally:
        first.close()
        second.close()
    eventually(lambda: True if log.group_members(group) == [] else None,
               "no members once both left")
    assert log.group_assignments(group) == []


def test_a_group_with_only_committed_offsets_has_no_members(log: Log, names: Names) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=1)
    log.commit_offsets(group, {TopicPartition(topic, 0): 0})
    assert group in log.list_groups()
    assert log.group_members(group) == []
    assert log.group_assignments(group) == []
