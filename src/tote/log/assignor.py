"""Kafka's range assignor: how a consumer group's partitions are split among its members.

Pure functions, so every backend that coordinates groups itself shares one rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from tote.core.records import TopicPartition


def range_assign(
    subscriptions: Mapping[str, Sequence[str]], partitions: Mapping[str, int]
) -> dict[str, frozenset[TopicPartition]]:
    """Assign each topic's partitions in contiguous ranges to its subscribers by member id.

    Like Kafka's `RangeAssignor`: for a topic with n partitions and m subscribers, ordered
    by member id, each gets n // m and the first n % m get one more. Topics missing from
    `partitions` (deleted) are skipped; every member appears in the result.
    """
    result: dict[str, set[TopicPartition]] = {member: set() for member in subscriptions}
    topics = sorted({topic for topics in subscriptions.values() for topic in topics})
    for topic in topics:
        count = partitions.get(topic)
        if count is None:
            continue
        members = sorted(m for m, subscribed in subscriptions.items() if topic in subscribed)
        share, extra = divmod(count, len(members))
        first = 0
        for index, member in enumerate(members):
            size = share + (1 if index < extra else 0)
            result[member].update(TopicPartition(topic, p) for p in range(first, first + size))
            first += size
    return {member: frozenset(tps) for member, tps in result.items()}
