"""The kafka backend speaks plain Kafka: stock confluent-kafka clients share its data.

What KafkaLog appends, a stock consumer reads (same partitions, offsets, keys, headers,
timestamps); what a stock producer writes with Kafka's Java-compatible partitioner lands
where `partition_for_key` says; group offsets committed by either side are seen by the other.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from confluent_kafka import Consumer as StockConsumer
from confluent_kafka import KafkaError, Message, Producer
from confluent_kafka import TopicPartition as KafkaTopicPartition
from tests.log.backends import DEADLINE_S, Names

from tote.core.records import Headers, Record, TimestampType, TopicPartition
from tote.log.kafka import KafkaLog
from tote.log.partitioner import partition_for_key

pytestmark = pytest.mark.kafka


@pytest.fixture
def kafka_log(kafka_bootstrap: str) -> Iterator[KafkaLog]:
    log = KafkaLog(kafka_bootstrap)
    yield log
    log.close()


def stock_consumer(bootstrap: str, group: str) -> StockConsumer:
    return StockConsumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": group,
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
            "allow.auto.create.topics": False,
        }
    )


def read_all(consumer: StockConsumer, topic: str, partitions: int) -> list[Message]:
    """Every committed message of the topic, read from the start until each partition's end."""
    consumer.assign([KafkaTopicPartition(topic, p, 0) for p in range(partitions)])
    messages: list[Message] = []
    at_end: set[int] = set()
    deadline = time.monotonic() + DEADLINE_S
    while len(at_end) < partitions:
        assert time.monotonic() < deadline, "the stock consumer did not reach the end"
        message = consumer.poll(1.0)
        if message is None:
            continue
        error = message.error()
        if error is not None:
            assert error.code() == KafkaError._PARTITION_EOF, error
            at_end.add(message.partition() or 0)
        else:
            messages.append(message)
    return messages


def headers_of(message: Message) -> Headers:
    raw = message.headers() or []
    assert isinstance(raw, list)
    return tuple((key, value.encode() if isinstance(value, str) else value) for key, value in raw)


def test_a_stock_consumer_reads_what_the_log_appended(
    kafka_log: KafkaLog, names: Names, kafka_bootstrap: str
) -> None:
    log = kafka_log
    topic = names.topic()
    log.create_topic(topic, partitions=4)
    records = [
        Record(f"bet-{i}".encode(), key=f"race-{i % 5}".encode(),
               headers=(("source", b"proxy"), ("n", str(i).encode())), timestamp=1_700_000 + i)
        for i in range(12)
    ]
    records.append(Record(None, key=b"race-1", headers=(("none", None),), timestamp=1_800_000))
    positions = log.append(topic, records)
    assert [p.partition for p in positions] == [partition_for_key(r.key or b"", 4) for r in records]

    consumer = stock_consumer(kafka_bootstrap, names.group())
    try:
        messages = read_all(consumer, topic, 4)
    finally:
        consumer.close()
    seen = sorted(
        (m.partition(), m.offset(), m.key(), m.value(), headers_of(m), m.timestamp()[1])
        for m in messages
    )
    expected = sorted(
        (p.partition, p.offset, r.key, r.value, r.headers, r.timestamp)
        for p, r in zip(positions, records, strict=True)
    )
    assert seen == expected
    via_log = sorted(
        (r.partition, r.offset, r.key, r.value, r.headers, r.timestamp)
        for part in range(4)
        for r in log.read(TopicPartition(topic, part), 0)
    )
    assert via_log == expected


def test_keys_from_a_stock_java_compatible_producer_land_where_the_log_puts_them(
    kafka_log: KafkaLog, names: Names, kafka_bootstrap: str
) -> None:
    log = kafka_log
    topic = names.topic()
    log.create_topic(topic, partitions=6)
    keys = [f"runner-{i}".encode() for i in range(30)]
    producer = Producer(
        {
            "bootstrap.servers": kafka_bootstrap,
            "partitioner": "murmur2_random",  # the Java client's default for keyed records
            "allow.auto.create.topics": False,
        }
    )
    for key in keys:
        producer.produce(topic, value=b"stock", key=key, timestamp=42)
    assert producer.flush(DEADLINE_S) == 0
    for partition in range(6):
        got = log.read(TopicPartition(topic, partition), 0)
        assert [r.key for r in got] == [k for k in keys if partition_for_key(k, 6) == partition]
        assert {(r.value, r.timestamp, r.timestamp_type) for r in got} <= {
            (b"stock", 42, TimestampType.CREATE_TIME)
        }


def test_group_offsets_are_shared_with_stock_clients(
    kafka_log: KafkaLog, names: Names, kafka_bootstrap: str
) -> None:
    log = kafka_log
    topic, sink, group = names.topic(), names.topic(), names.group()
    log.create_topic(topic, partitions=2)
    log.create_topic(sink)
    tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        txn.append(sink, [Record(b"out")])
        txn.send_offsets(group, {tp0: 4})
    producer.close()

    consumer = stock_consumer(kafka_bootstrap, group)
    try:
        committed = consumer.committed(
            [KafkaTopicPartition(topic, 0), KafkaTopicPartition(topic, 1)], timeout=DEADLINE_S
        )
        assert [(c.partition, c.offset) for c in committed] == [(0, 4), (1, -1001)]
        consumer.commit(offsets=[KafkaTopicPartition(topic, 1, 9)], asynchronous=False)
    finally:
        consumer.close()
    assert log.committed(group, [tp0, tp1]) == {tp0: 4, tp1: 9}
