"""Kafka's partitioner: murmur2 checked against Kafka's and librdkafka's own expectations."""

from __future__ import annotations

import pytest
from confluent_kafka import KafkaError, Message, Producer

from tote.core.errors import PartitionNotFound
from tote.core.records import Record
from tote.log.partitioner import (
    StickyPartitioner,
    assign_partitions,
    murmur2,
    partition_for_key,
    to_positive,
)

# apache/kafka clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2.
KAFKA_VECTORS = [
    (b"21", -973932308),
    (b"foobar", -790332482),
    (b"a-little-bit-long-string", -985981536),
    (b"a-little-bit-longer-string", -1486304829),
    (b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971),
    (b"abc", 479470107),
]

# librdkafka src/rdmurmur2.c unittest: the Java client's results after toPositive.
LIBRDKAFKA_VECTORS = [
    (b"kafka", 1348980580),
    (b"amqp", 767747138),
    (b"giberish123456789", 257239820),
]


@pytest.mark.parametrize(("key", "expected"), KAFKA_VECTORS)
def test_murmur2_matches_the_java_client(key: bytes, expected: int) -> None:
    assert murmur2(key) == expected


@pytest.mark.parametrize(("key", "expected"), LIBRDKAFKA_VECTORS)
def test_murmur2_matches_librdkafka(key: bytes, expected: int) -> None:
    assert to_positive(murmur2(key)) == expected


def test_to_positive_clears_the_sign_bit_like_kafka() -> None:
    assert to_positive(-2**31) == 0
    assert to_positive(-1) == 2**31 - 1
    assert to_positive(-973932308) == 1173551340
    assert to_positive(479470107) == 479470107


def test_partition_for_key_is_the_positive_hash_modulo_partitions() -> None:
    assert partition_for_key(b"21", 1) == 0
    assert partition_for_key(b"21", 7) == 1173551340 % 7 == 3
    assert partition_for_key(b"foobar", 4) == 2
    assert partition_for_key(b"abc", 4) == 3
    assert partition_for_key(b"", 3) == to_positive(murmur2(b"")) % 3


def test_keys_land_where_librdkafkas_murmur2_partitioner_puts_them() -> None:
    """librdkafka's in-process mock cluster (no network) partitions 205 keys; we must agree."""
    producer = Producer(
        {"test.mock.num.brokers": 1, "partitioner": "murmur2_random", "log_level": 0}
    )
    keys = [f"runner-{i}".encode() for i in range(200)]
    keys += [b"21", b"foobar", b"abc", b"kafka", b"\x00\xff" * 7]
    placed: dict[bytes, int] = {}

    def delivered(err: KafkaError | None, msg: Message) -> None:
        assert err is None
        placed[msg.key()] = msg.partition()

    for key in keys:
        producer.produce("placement", key=key, value=b"v", on_delivery=delivered)
    assert producer.flush(60) == 0
    partitions = len(producer.list_topics("placement", timeout=30).topics["placement"].partitions)
    assert partitions > 1
    assert placed == {key: partition_for_key(key, partitions) for key in keys}


def test_sticky_partitioner_moves_round_robin_per_topic() -> None:
    sticky = StickyPartitioner()
    assert [sticky.batch_partition("a", 3) for _ in range(4)] == [0, 1, 2, 0]
    assert sticky.batch_partition("b", 3) == 0
    sticky.forget("a")
    assert sticky.batch_partition("a", 3) == 0
    assert StickyPartitioner(start=5).batch_partition("a", 3) == 2


def test_assign_partitions_explicit_then_keyed_then_one_sticky_partition_per_batch() -> None:
    sticky = StickyPartitioner(start=1)
    batch = [
        Record(b"1"),
        Record(b"2", key=b"foobar"),
        Record(b"3", partition=0),
        Record(b"4"),
    ]
    assert assign_partitions("t", batch, 4, sticky) == [1, 2, 0, 1]
    assert assign_partitions("t", [Record(b"5")], 4, sticky) == [2]
    assert assign_partitions("t", [Record(b"6", key=b"k")], 4, sticky) == [
        partition_for_key(b"k", 4)
    ]
    assert sticky.batch_partition("t", 4) == 3  # a keyed-only batch did not move it


@pytest.mark.parametrize("partition", [4, -1])
def test_assign_partitions_rejects_a_missing_partition(partition: int) -> None:
    with pytest.raises(PartitionNotFound) as exc:
        assign_partitions("bets", [Record(b"v", partition=partition)], 4, StickyPartitioner())
    assert exc.value.error_code == 40402
    assert exc.value.message == f"Partition {partition} of topic 'bets' not found."
