"""Log contract: `offsets_for_times`, the first offset stamped at or after a time (Kafka's
`offsetsForTimes`, behind the REST Proxy's seek to a timestamp)."""

from __future__ import annotations

import pytest
from tests.log.backends import Names

from tote.core.errors import PartitionNotFound, TopicNotFound
from tote.core.records import Record, TopicPartition
from tote.log.base import Log


def test_the_first_record_at_or_after_the_time_wins(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    # CreateTime is the producer's: timestamps need not grow with offsets.
    stamps = (1_000, 3_000, 2_000, 3_000, 5_000)
    positions = log.append(name, [Record(b"v", timestamp=t) for t in stamps])
    offsets = [p.offset for p in positions]
    tp = TopicPartition(name, 0)
    for asked, expected in ((0, 0), (1_000, 0), (1_001, 1), (2_000, 1), (3_001, 4), (5_000, 4)):
        assert log.offsets_for_times({tp: asked}) == {tp: offsets[expected]}, asked


def test_a_time_after_every_record_finds_none(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, partitions=2)
    log.append(name, [Record(b"v", partition=0, timestamp=1_000)])
    first, second = TopicPartition(name, 0), TopicPartition(name, 1)
    assert log.offsets_for_times({first: 1_001, second: 0}) == {first: None, second: None}


def test_unknown_topics_and_partitions_raise(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    with pytest.raises(TopicNotFound):
        log.offsets_for_times({TopicPartition(names.topic(), 0): 0})
    with pytest.raises(PartitionNotFound):
        log.offsets_for_times({TopicPartition(name, 3): 0})
