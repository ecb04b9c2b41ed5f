"""Log contract: appending batches, partitioning, record contents and reading back."""

from __future__ import annotations

import threading
import time
from itertools import islice

import pytest
from tests.log.backends import DEADLINE_S, Names, assert_error

from tote.core.errors import OffsetOutOfRange, RecordTooLarge
from tote.core.records import Position, Record, TimestampType, TopicPartition
from tote.log.base import DEFAULT_MAX_MESSAGE_BYTES, Log
from tote.log.partitioner import partition_for_key


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def test_a_batch_lands_in_order_and_reports_its_positions(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    first = log.append(name, [Record(b"a", timestamp=1_000), Record(b"b", timestamp=2_000)])
    (second,) = log.append(name, [Record(b"c", timestamp=3_000)])
    assert first == [Position(0, 0, 1_000), Position(0, 1, 2_000)]
    assert second.offset > 1 and second.timestamp == 3_000
    records = log.read(TopicPartition(name, 0), 0)
    assert [(r.offset, r.value) for r in records] == [(0, b"a"), (1, b"b"), (second.offset, b"c")]
    assert all(r.topic == name and r.partition == 0 for r in records)
    assert log.describe_topic(name).partitions[0].end_offset > second.offset


@pytest.mark.unsupported_on("kafka", reason="transaction markers take offsets between batches")
def test_offsets_are_contiguous_across_batches(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    offsets = [p.offset for i in range(3) for p in log.append(name, [Record(b"x")] * (i + 1))]
    assert offsets == [0, 1, 2, 3, 4, 5]
    assert log.describe_topic(name).partitions[0].end_offset == 6


def test_an_empty_batch_appends_nothing(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    assert log.append(name, []) == []
    assert log.describe_topic(name).partitions[0].end_offset == 0


def test_explicit_partitions_are_honoured(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, partitions=3)
    positions = log.append(
        name, [Record(b"x", key=b"k", partition=2), Record(b"y", partition=0)]
    )
    assert [(p.partition, p.offset) for p in positions] == [(2, 0), (0, 0)]
    assert [r.value for r in log.read(TopicPartition(name, 2), 0)] == [b"x"]


def test_keyed_records_go_where_kafka_would_put_them(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, partitions=7)
    keys = [f"runner-{i}".encode() for i in range(40)] + [b"", b"21", b"foobar"]
    positions = log.append(name, [Record(b"v" + key, key=key) for key in keys])
    assert [p.partition for p in positions] == [partition_for_key(k, 7) for k in keys]
    for partition in range(7):
        records = log.read(TopicPartition(name, partition), 0)
        assert [r.key for r in records] == [k for k in keys if partition_for_key(k, 7) == partition]


def test_unkeyed_records_are_spread_across_partitions(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, partitions=3)
    used = {log.append(name, [Record(f"{i}".encode())])[0].partition for i in range(30)}
    assert len(used) >= 2
    total = sum(len(log.read(TopicPartition(name, p), 0)) for p in range(3))
    assert total == 30


def test_keys_values_headers_and_timestamps_round_trip(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    headers = (("trace", b"abc"), ("empty", b""), ("none", None), ("trace", b"\x00\xff"))
    log.append(
        name,
        [
            Record(b"\x00bin\xff", key=b"k1", headers=headers, timestamp=1_600_000_000_123),
            Record(None, key=b"tombstone", timestamp=1_600_000_000_124),
            Record(b"", key=None, timestamp=1_600_000_000_125),
        ],
    )
    first, second, third = log.read(TopicPartition(name, 0), 0)
    assert (first.key, first.value, first.headers) == (b"k1", b"\x00bin\xff", headers)
    assert (first.timestamp, first.timestamp_type) == (1_600_000_000_123, TimestampType.CREATE_TIME)
    assert (second.key, second.value, second.headers) == (b"tombstone", None, ())
    assert (third.key, third.value, third.timestamp) == (None, b"", 1_600_000_000_125)


def test_a_record_without_timestamp_gets_the_append_time(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    before = now_ms()
    (position,) = log.append(name, [Record(b"v")])
    after = now_ms()
    (record,) = log.read(TopicPartition(name, 0), 0)
    assert before <= record.timestamp <= after
    assert position.timestamp == record.timestamp
    assert record.timestamp_type is TimestampType.CREATE_TIME


@pytest.mark.unsupported_on(
    "kafka",
    reason="Tansu 0.6 ignores message.timestamp.type=LogAppendTime: "
    "records keep the producer's CreateTime",
)
def test_log_append_time_replaces_the_producer_timestamp(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, configs={"message.timestamp.type": "LogAppendTime"})
    before = now_ms()
    (position,) = log.append(name, [Record(b"v", timestamp=1_000)])
    after = now_ms()
    (record,) = log.read(TopicPartition(name, 0), 0)
    assert before <= record.timestamp <= after
    assert record.timestamp_type is TimestampType.LOG_APPEND_TIME
    assert position.timestamp == record.timestamp


def test_a_batch_with_a_too_large_record_appends_nothing(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, configs={"max.message.bytes": "1000"})
    big = Record(b"v" * 1000, key=b"k", headers=(("h", b"12"),))
    with pytest.raises(RecordTooLarge) as exc:
        log.append(name, [Record(b"small"), big])
    assert_error(
        exc, RecordTooLarge, 41301,
        f"The record of 1004 bytes is larger than max.message.bytes=1000 of topic '{name}'.",
    )
    assert log.read(TopicPartition(name, 0), 0) == []
    assert log.append(name, [Record(b"v" * 990, key=b"k", headers=(("h", b"12"),))])[0].offset == 0


def test_the_default_record_size_limit_is_kafkas(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    too_big = DEFAULT_MAX_MESSAGE_BYTES + 1
    with pytest.raises(RecordTooLarge) as exc:
        log.append(name, [Record(b"x" * too_big)])
    assert exc.value.message == (
        f"The record of {too_big} bytes is larger than "
        f"max.message.bytes={DEFAULT_MAX_MESSAGE_BYTES} of topic '{name}'."
    )
    assert log.describe_topic(name).partitions[0].end_offset == 0


def test_read_from_an_offset_with_a_limit(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    log.append(name, [Record(f"{i}".encode()) for i in range(10)])
    tp = TopicPartition(name, 0)
    assert [r.value for r in log.read(tp, 4, max_records=3)] == [b"4", b"5", b"6"]
    assert [r.offset for r in log.read(tp, 8)] == [8, 9]
    assert log.read(tp, 10) == []


def test_reading_past_the_end_is_out_of_range(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    log.append(name, [Record(b"a"), Record(b"b")])
    end = log.describe_topic(name).partitions[0].end_offset
    assert log.read(TopicPartition(name, 0), end) == []
    with pytest.raises(OffsetOutOfRange) as exc:
        log.read(TopicPartition(name, 0), end + 1)
    assert_error(
        exc, OffsetOutOfRange, 42202,
        f"Offset {end + 1} is out of range for partition {name}-0: "
        f"the log ends at offset {end}.",
    )


def test_wait_returns_at_once_when_data_is_there(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name, partitions=2)
    log.append(name, [Record(b"a", partition=1)])
    assert log.wait({TopicPartition(name, 0): 0, TopicPartition(name, 1): 0}, DEADLINE_S)


def test_wait_times_out_without_data(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    log.append(name, [Record(b"a")])
    assert log.wait({TopicPartition(name, 0): 1}, 0.2) is False


def test_wait_wakes_when_another_thread_appends(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    tp = TopicPartition(name, 0)
    result: list[bool] = []
    waiting = threading.Event()

    def waiter() -> None:
        waiting.set()
        result.append(log.wait({tp: 0}, 4 * DEADLINE_S))

    thread = threading.Thread(target=waiter, daemon=True)
    thread.start()
    assert waiting.wait(DEADLINE_S)
    log.append(name, [Record(b"wake")])
    thread.join(DEADLINE_S)
    assert not thread.is_alive(), "wait() was not woken by the append"
    assert result == [True]


def test_tail_follows_new_records(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    tp = TopicPartition(name, 0)
    log.append(name, [Record(b"a")])
    seen: list[bytes | None] = []

    def follow() -> None:
        seen.extend(r.value for r in islice(log.tail(tp, 0, poll_timeout=0.2), 3))

    thread = threading.Thread(target=follow, daemon=True)
    thread.start()
    log.append(name, [Record(b"b"), Record(b"c")])
    thread.join(DEADLINE_S)
    assert seen == [b"a", b"b", b"c"]


def test_readers_never_see_part_of_a_batch(log: Log, names: Names) -> None:
    name = names.topic()
    log.create_topic(name)
    tp = TopicPartition(name, 0)
    done = threading.Event()
    sizes: list[int] = []

    def reader() -> None:
        while not done.is_set():
            sizes.append(len(log.read(tp, 0, max_records=10_000)))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    for batch in range(20):
        log.append(name, [Record(f"{batch}-{i}".encode()) for i in range(5)])
    done.set()
    thread.join(DEADLINE_S)
    assert sizes and all(size % 5 == 0 for size in sizes)
    assert len(log.read(tp, 0, max_records=10_000)) == 100


def test_a_long_batch_lands_whole_and_in_order(log: Log, names: Names) -> None:
    """Batches longer than the SQLite backend's multi-row INSERT (64 rows per statement,
    the rest one by one): every record, with its key, headers and timestamp, at its
    offset."""
    topic = names.topic()
    log.create_topic(topic, partitions=2)
    for headers in ((), (("h", b"v"),)):
        batch = [Record(b"v%d" % i, b"k%d" % i, headers, 1_000 + i, partition=1)
                 for i in range(150)]
        positions = log.append(topic, batch)
        first = positions[0].offset
        assert [p.offset for p in positions] == list(range(first, first + 150))
        read = log.read(TopicPartition(topic, 1), first, 150)
        assert [(r.key, r.value, tuple(r.headers), r.timestamp) for r in read] == [
            (r.key, r.value, tuple(r.headers), r.timestamp) for r in batch]
