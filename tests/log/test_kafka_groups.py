"""Group members of the kafka backend beyond the shared contract."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.log.backends import SESSION_MS, Names, consume, settle

from tote.core.errors import Fenced
from tote.core.records import Record, TopicPartition
from tote.log.base import TxnStatus
from tote.log.kafka import KafkaLog

pytestmark = pytest.mark.kafka


@pytest.fixture
def kafka_log(kafka_bootstrap: str) -> Iterator[KafkaLog]:
    log = KafkaLog(kafka_bootstrap)
    yield log
    log.close()


def test_a_member_that_missed_a_rebalance_cannot_send_offsets_in_a_transaction(
    kafka_log: KafkaLog, names: Names
) -> None:
    log = kafka_log
    topic, sink, group = names.topic(), names.topic(), names.group()
    log.create_topic(topic, partitions=2)
    log.create_topic(sink)
    log.append(topic, [Record(b"a", partition=0), Record(b"b", partition=1)])
    producer = log.transactional_producer(names.txn_id())
    first = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
    try:
        consume([first], 2)
        second = log.consumer(group, [topic], session_timeout_ms=SESSION_MS)
        try:
            txn = producer.begin()
            txn.append(sink, [Record(b"out")])
            with pytest.raises(Fenced) as exc:
                txn.send_offsets(first, {TopicPartition(topic, 0): 1})
            assert exc.value.error_code == 40901
            assert txn.status is TxnStatus.FAILED
            settle([first, second], [1, 1], "a 1/1 split")
            with producer.begin() as retry:
                retry.send_offsets(first, {tp: 1 for tp in first.assignment()})
            assert log.committed(group, first.assignment()) == {
                tp: 1 for tp in first.assignment()
            }
        finally:
            second.close()
    finally:
        first.close()
        producer.close()


def test_a_member_id_is_the_label_given_or_the_one_kafka_assigned(
    kafka_log: KafkaLog, names: Names
) -> None:
    topic = names.topic()
    kafka_log.create_topic(topic)
    with kafka_log.consumer(
        names.group(), [topic], member_id="worker-1", session_timeout_ms=SESSION_MS
    ) as named:
        assert named.member_id == "worker-1"
    with kafka_log.consumer(names.group(), [topic], session_timeout_ms=SESSION_MS) as unnamed:
        settle([unnamed], [1], "the assignment")
        assert unnamed.member_id.startswith("tote-group-")


def test_transactions_without_records_commit_their_offsets_every_time(
    kafka_log: KafkaLog, names: Names
) -> None:
    """What a task whose input produced no output does; Tansu 0.6 keeps only the first
    such commit of a producer, so the log re-applies lost offsets itself."""
    topic, group = names.topic(), names.group()
    kafka_log.create_topic(topic)
    tp = TopicPartition(topic, 0)
    producer = kafka_log.transactional_producer(names.txn_id())
    for offset in (1, 2, 3):
        with producer.begin() as txn:
            txn.send_offsets(group, {tp: offset})
        assert kafka_log.committed(group, [tp]) == {tp: offset}
    producer.close()
