"""Log contract: a transaction that predicts positions (`end_offset`) is right or fails.

Every backend's transactions predict (Kafka's once `end_offset` is called): the records
land exactly where `end_offset` and `append` said, or the commit raises
TransactionConflict and none of them is visible (the broker never got them: the check
comes before anything leaves, so this holds on Tansu too).
"""

from __future__ import annotations

import pytest
from tests.log.backends import Names

from tote.core.errors import TransactionConflict
from tote.core.records import Record, TopicPartition
from tote.log.base import Log, TxnStatus


def _values(log: Log, tp: TopicPartition) -> list[tuple[int, bytes | None]]:
    return [(r.offset, r.value) for r in log.read(tp, 0)]


def test_records_land_where_predicted(log: Log, names: Names) -> None:
    topic, store = names.topic(), names.store()
    log.create_topic(topic, partitions=2)
    log.append(topic, [Record(b"before", partition=1)])
    producer = log.transactional_producer(names.txn_id())
    for step in range(3):
        txn = producer.begin()
        assert txn.predicts_positions
        tp0, tp1 = TopicPartition(topic, 0), TopicPartition(topic, 1)
        start = txn.end_offset(tp1)
        assert txn.end_offset(tp1) == start  # asking again changes nothing
        txn.write(topic, [Record(b"unplaced", partition=0)])
        predicted = txn.append(topic, [Record(b"a%d" % step, partition=1),
                                       Record(b"b%d" % step, partition=1)])
        assert [p.offset for p in predicted] == [start, start + 1]
        assert txn.end_offset(tp1) == start + 2
        txn.put(store, b"k", b"%d" % step)
        txn.commit()
        landed = dict(_values(log, tp1))
        assert landed[start] == b"a%d" % step and landed[start + 1] == b"b%d" % step
        assert [v for _, v in _values(log, tp0)] == [b"unplaced"] * (step + 1)
    assert log.store(store).get(b"k") == b"2"
    producer.close()


def test_a_write_after_the_prediction_fails_the_commit_and_leaves_nothing(
    log: Log, names: Names
) -> None:
    topic = names.topic()
    log.create_topic(topic)
    tp = TopicPartition(topic, 0)
    producer = log.transactional_producer(names.txn_id())
    txn = producer.begin()
    start = txn.end_offset(tp)
    predicted = txn.append(topic, [Record(b"mine")])
    assert predicted[0].offset == start
    log.append(topic, [Record(b"theirs")])  # another writer, in between
    with pytest.raises(TransactionConflict):
        txn.commit()
    txn.abort()
    assert txn.status is TxnStatus.ABORTED
    assert [v for _, v in _values(log, tp)] == [b"theirs"]
    producer.close()


def test_written_records_take_the_offsets_end_offset_gave(log: Log, names: Names) -> None:
    """The SQL engine checks a step's promised offsets with `end_offset` and then `write`s
    the records (no positions built): they must land exactly there."""
    topic = names.topic()
    log.create_topic(topic)
    tp = TopicPartition(topic, 0)
    producer = log.transactional_producer(names.txn_id())
    txn = producer.begin()
    start = txn.end_offset(tp)
    txn.write(topic, [Record(b"x", partition=0), Record(b"y", partition=0)])
    assert txn.end_offset(tp) == start + 2
    txn.commit()
    assert _values(log, tp) == [(start, b"x"), (start + 1, b"y")]
    producer.close()
