"""Reads of the kafka backend around transaction markers: a read that proved the offsets
after a partition's last record hold no record skips them later, yet still returns the
records appended after them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tote.core.records import Record, TopicPartition
from tote.log.kafka import KafkaLog

pytestmark = pytest.mark.kafka


@pytest.fixture
def log(kafka_bootstrap: str) -> Iterator[KafkaLog]:
    with KafkaLog(kafka_bootstrap) as opened:
        yield opened


def _values(log: KafkaLog, tp: TopicPartition, offset: int) -> list[bytes | None]:
    return [record.value for record in log.read(tp, offset)]


def test_a_read_from_the_marker_after_the_last_record_sees_later_records(
    log: KafkaLog,
) -> None:
    log.create_topic("read-marker")
    tp = TopicPartition("read-marker", 0)
    first = log.append("read-marker", [Record(b"a"), Record(b"b")])
    after = first[-1].offset + 1  # the commit marker's offset
    assert _values(log, tp, 0) == [b"a", b"b"]
    assert log.read(tp, after) == []
    log.append("read-marker", [Record(b"c")])
    assert _values(log, tp, after) == [b"c"]
    assert _values(log, tp, 0) == [b"a", b"b", b"c"]

