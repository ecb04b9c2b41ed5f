"""Log contract: state stores, durability across a reopen, retention and compaction."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from tests.log.backends import SESSION_MS, Names, assert_error, consume

from tote.core.errors import TopicNotFound
from tote.core.records import Record, TopicPartition
from tote.log.base import Log

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def test_a_new_store_is_empty(log: Log, names: Names) -> None:
    view = log.store(names.store())
    assert view.get(b"anything") is None
    assert list(view.items()) == []


def test_store_keys_are_in_byte_order_and_filtered_by_prefix(log: Log, names: Names) -> None:
    store = names.store()
    producer = log.transactional_producer(names.txn_id())
    keys = [b"b", b"\xff", b"a", b"ab", b"\x00", b"a\x00", b"aa"]
    with producer.begin() as txn:
        for key in keys:
            txn.put(store, key, b"v-" + key)
    view = log.store(store)
    assert [k for k, _ in view.items()] == sorted(keys)
    assert list(view.items(b"a")) == [
        (b"a", b"v-a"), (b"a\x00", b"v-a\x00"), (b"aa", b"v-aa"), (b"ab", b"v-ab")
    ]
    assert list(view.items(b"zz")) == []
    producer.close()


def test_stores_offsets_and_records_survive_a_reopen(
    log: Log, reopen: Callable[[], Log], names: Names
) -> None:
    topic, store, group = names.topic(), names.store(), names.group()
    log.create_topic(topic, partitions=2)
    tp = TopicPartition(topic, 1)
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        txn.append(topic, [Record(b"r", key=b"k", partition=1)])
        txn.put(store, b"pool/win", b"1200")
        txn.send_offsets(group, {tp: 1})
    producer.close()
    again = reopen()
    assert again.store(store).get(b"pool/win") == b"1200"
    assert list(again.store(store).items()) == [(b"pool/win", b"1200")]
    assert again.committed(group, [tp]) == {tp: 1}
    assert [(r.key, r.value) for r in again.read(tp, 0)] == [(b"k", b"r")]
    assert topic in again.list_topics()


RETENTION = {"retention.ms": str(HOUR_MS), "cleanup.policy": "delete"}


@pytest.mark.unsupported_on(
    "kafka",
    reason="Tansu 0.6 (memory storage) never deletes records by retention.ms",
)
def test_retention_removes_old_records_and_advances_the_start(log: Log, names: Names) -> None:
    topic = names.topic()
    log.create_topic(topic, configs=RETENTION)
    tp = TopicPartition(topic, 0)
    old = now_ms() - 2 * HOUR_MS
    log.append(topic, [Record(f"old-{i}".encode(), timestamp=old) for i in range(3)])
    log.append(topic, [Record(b"new-0"), Record(b"new-1")])
    log.enforce_retention(topic)
    (info,) = log.describe_topic(topic).partitions
    assert (info.start_offset, info.end_offset) == (3, 5)
    assert [(r.offset, r.value) for r in log.read(tp, 0)] == [(3, b"new-0"), (4, b"new-1")]
    assert log.append(topic, [Record(b"next")])[0].offset == 5


@pytest.mark.unsupported_on(
    "kafka",
    reason="Tansu 0.6 (memory storage) never deletes records by retention.ms",
)
def test_a_group_behind_the_start_resumes_at_the_first_record_left(
    log: Log, names: Names
) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, configs=RETENTION)
    tp = TopicPartition(topic, 0)
    log.append(topic, [Record(b"expired", timestamp=now_ms() - 2 * HOUR_MS), Record(b"kept")])
    log.commit_offsets(group, {tp: 0})
    log.enforce_retention(topic)
    with log.consumer(group, [topic], session_timeout_ms=SESSION_MS) as member:
        (record,) = consume([member], 1)
        assert (record.offset, record.value) == (1, b"kept")


def test_retention_keeps_recent_records_and_other_topics(log: Log, names: Names) -> None:
    topic, other = names.topic(), names.topic()
    log.create_topic(topic, configs=RETENTION)
    log.create_topic(other)
    log.append(topic, [Record(b"recent")])
    log.append(other, [Record(b"old", timestamp=now_ms() - 30 * DAY_MS)])
    log.enforce_retention()
    assert [r.value for r in log.read(TopicPartition(topic, 0), 0)] == [b"recent"]
    assert [r.value for r in log.read(TopicPartition(other, 0), 0)] == [b"old"]


def test_retention_of_an_unknown_topic_fails(log: Log, names: Names) -> None:
    missing = names.topic()
    with pytest.raises(TopicNotFound) as exc:
        log.enforce_retention(missing)
    assert_error(exc, TopicNotFound, 40401, f"Topic '{missing}' not found.")


@pytest.mark.unsupported_on(
    "kafka",
    reason="Tansu 0.6 (memory storage) never compacts a cleanup.policy=compact topic",
)
def test_compaction_keeps_the_latest_record_per_key(log: Log, names: Names) -> None:
    topic = names.topic()
    log.create_topic(topic, configs={"cleanup.policy": "compact"})
    tp = TopicPartition(topic, 0)
    now = now_ms()
    log.append(
        topic,
        [
            Record(b"v1", key=b"k1"),
            Record(b"v1", key=b"k2"),
            Record(b"v2", key=b"k1"),
            Record(b"v1", key=b"k3"),
            Record(None, key=b"k3", timestamp=now - 2 * DAY_MS),  # an old tombstone: gone
            Record(None, key=b"k2"),  # a recent tombstone: kept for delete.retention.ms
        ],
    )
    log.enforce_retention(topic)
    assert [(r.offset, r.key, r.value) for r in log.read(tp, 0)] == [
        (2, b"k1", b"v2"),
        (5, b"k2", None),
    ]
    assert log.describe_topic(topic).partitions[0].end_offset == 6
    assert log.append(topic, [Record(b"v3", key=b"k1")])[0].offset == 6


@pytest.mark.unsupported_on(
    "kafka",
    reason="Tansu 0.6 (memory storage) neither compacts nor deletes by retention.ms",
)
def test_compact_and_delete_apply_both_policies(log: Log, names: Names) -> None:
    topic = names.topic()
    log.create_topic(
        topic, configs={"cleanup.policy": "compact,delete", "retention.ms": str(HOUR_MS)}
    )
    tp = TopicPartition(topic, 0)
    old = now_ms() - 2 * HOUR_MS
    log.append(
        topic,
        [
            Record(b"expired", key=b"a", timestamp=old),
            Record(b"v1", key=b"b"),
            Record(b"v2", key=b"b"),
            Record(b"v1", key=b"c"),
        ],
    )
    log.enforce_retention(topic)
    assert [(r.offset, r.key, r.value) for r in log.read(tp, 0)] == [
        (2, b"b", b"v2"),
        (3, b"c", b"v1"),
    ]
