"""Log contract: `append_many`, several independent appends in one call (group commit).

Each batch is atomic and fails alone: its entry is then the error and nothing of it is
written, while the other batches of the call still land, in order.
"""

from __future__ import annotations

from tests.log.backends import Names

from tote.core.errors import PartitionNotFound, RecordTooLarge, TopicNotFound
from tote.core.records import Record, TopicPartition
from tote.log.base import Log


def values(log: Log, topic: str, partition: int = 0) -> list[bytes | None]:
    return [r.value for r in log.read(TopicPartition(topic, partition), 0)]


def test_good_batches_land_and_bad_ones_fail_alone(log: Log, names: Names) -> None:
    small, wide = names.topic(), names.topic()
    log.create_topic(small, configs={"max.message.bytes": "1000"})
    log.create_topic(wide, partitions=2)
    results = log.append_many(
        [
            (small, [Record(b"a1"), Record(b"a2")]),
            (names.topic(), [Record(b"nowhere")]),
            (small, [Record(b"fits"), Record(b"x" * 2000)]),
            (wide, [Record(b"p1", partition=1), Record(b"p5", partition=5)]),
            (small, []),
            (wide, [Record(b"w", partition=1)]),
            (small, [Record(b"a3")]),
        ]
    )
    assert [type(r).__name__ for r in results] == [
        "list",
        "TopicNotFound",
        "RecordTooLarge",
        "PartitionNotFound",
        "list",
        "list",
        "list",
    ]
    assert isinstance(results[1], TopicNotFound)
    assert isinstance(results[2], RecordTooLarge)
    assert isinstance(results[3], PartitionNotFound)
    assert results[4] == []
    assert values(log, small) == [b"a1", b"a2", b"a3"]
    assert values(log, wide, 1) == [b"w"]
    assert values(log, wide, 0) == []


def test_batches_to_one_topic_keep_their_order_and_report_their_own_positions(
    log: Log, names: Names
) -> None:
    name = names.topic()
    log.create_topic(name)
    results = log.append_many([(name, [Record(b"1"), Record(b"2")]), (name, [Record(b"3")])])
    assert all(isinstance(r, list) for r in results)
    first, second = results
    assert isinstance(first, list) and isinstance(second, list)
    by_offset = {p.offset: v for p, v in zip([*first, *second], [b"1", b"2", b"3"], strict=True)}
    records = log.read(TopicPartition(name, 0), 0)
    assert [r.value for r in records] == [b"1", b"2", b"3"]
    assert {r.offset: r.value for r in records} == by_offset
    assert first[0].offset < first[1].offset < second[0].offset


def test_nothing_to_append(log: Log) -> None:
    assert log.append_many([]) == []
