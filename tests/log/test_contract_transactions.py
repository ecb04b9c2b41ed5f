"""Log contract: transactions make appends, offsets and state changes visible together."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.log.backends import SESSION_MS, Names, assert_error, consume

from tote.core.errors import Fenced, TopicNotFound, TransactionConflict, TransactionError
from tote.core.records import Record, TopicPartition
from tote.log.base import Log, Transaction, TxnStatus

TANSU_SHOWS_ABORTED_RECORDS = (
    "Tansu 0.6 returns records of aborted transactions to read_committed readers "
    "(its FetchResponse never lists aborted transactions)"
)


def values(log: Log, topic: str, partition: int = 0) -> list[bytes | None]:
    return [r.value for r in log.read(TopicPartition(topic, partition), 0)]


def test_appends_become_visible_only_at_commit(log: Log, names: Names) -> None:
    bets, totals = names.topic(), names.topic()
    log.create_topic(bets)
    log.create_topic(totals, partitions=2)
    producer = log.transactional_producer(names.txn_id())
    txn = producer.begin()
    txn.append(bets, [Record(b"bet-1"), Record(b"bet-2")])
    txn.append(totals, [Record(b"total", partition=1)])
    assert values(log, bets) == []
    assert values(log, totals, 1) == []
    txn.commit()
    assert txn.status is TxnStatus.COMMITTED
    assert values(log, bets) == [b"bet-1", b"bet-2"]
    assert values(log, totals, 1) == [b"total"]
    producer.close()


def test_rows_in_records_field_order_are_written_as_records(log: Log, names: Names) -> None:
    """`write_rows` takes plain tuples (value, key, headers, timestamp, partition), as the
    SQL engine's sinks build them, and Records, alike; and state entries `put_many`."""
    topic = names.topic()
    log.create_topic(topic, partitions=2)
    producer = log.transactional_producer(names.txn_id())
    txn = producer.begin()
    txn.write_rows(topic, [(b"a", b"k1", (("h", b"1"),), 1_000, 1),
                           Record(b"b", None, (), 2_000, 1), (None, b"k2", (), 3_000, 0)])
    txn.put_many("rows-store", {b"x": b"1", b"y": b"2"})
    txn.commit()
    producer.close()
    read = [(r.partition, r.value, r.key, r.headers, r.timestamp)
            for p in (0, 1) for r in log.read(TopicPartition(topic, p), 0)]
    assert read == [(0, None, b"k2", (), 3_000), (1, b"a", b"k1", (("h", b"1"),), 1_000),
                    (1, b"b", None, (), 2_000)]
    store = log.store("rows-store")
    assert (store.get(b"x"), store.get(b"y")) == (b"1", b"2")


@pytest.mark.unsupported_on(
    "kafka",
    reason=TANSU_SHOWS_ABORTED_RECORDS,
)
def test_abort_leaves_nothing(log: Log, names: Names) -> None:
    topic, group, store = names.topic(), names.group(), names.store()
    log.create_topic(topic)
    tp = TopicPartition(topic, 0)
    producer = log.transactional_producer(names.txn_id())
    txn = producer.begin()
    txn.append(topic, [Record(b"aborted")])
    txn.send_offsets(group, {tp: 1})
    txn.put(store, b"k", b"v")
    txn.abort()
    assert txn.status is TxnStatus.ABORTED
    log.append(topic, [Record(b"plain")])
    assert values(log, topic) == [b"plain"]
    assert log.committed(group, [tp]) == {}
    assert log.store(store).get(b"k") is None
    producer.close()


@pytest.mark.unsupported_on(
    "kafka",
    reason=TANSU_SHOWS_ABORTED_RECORDS,
)
def test_an_exception_in_the_block_aborts(log: Log, names: Names) -> None:
    topic = names.topic()
    log.create_topic(topic)
    producer = log.transactional_producer(names.txn_id())
    with pytest.raises(RuntimeError, match="boom"), producer.begin() as txn:
        txn.append(topic, [Record(b"lost")])
        raise RuntimeError("boom")
    assert txn.status is TxnStatus.ABORTED
    assert values(log, topic) == []
    with producer.begin() as txn2:
        txn2.append(topic, [Record(b"kept")])
    assert txn2.status is TxnStatus.COMMITTED
    assert values(log, topic) == [b"kept"]
    producer.close()


@pytest.mark.unsupported_on(
    "kafka",
    reason=TANSU_SHOWS_ABORTED_RECORDS,
)
def test_a_failed_append_in_the_block_leaves_nothing(log: Log, names: Names) -> None:
    topic, missing = names.topic(), names.topic()
    log.create_topic(topic)
    producer = log.transactional_producer(names.txn_id())
    with pytest.raises(TopicNotFound) as exc, producer.begin() as txn:
        txn.append(topic, [Record(b"first")])
        txn.append(missing, [Record(b"second")])
    assert_error(exc, TopicNotFound, 40401, f"Topic '{missing}' not found.")
    assert txn.status is not TxnStatus.COMMITTED
    assert values(log, topic) == []
    producer.close()


def ended_operations(txn: Transaction, topic: str) -> list[Callable[[], object]]:
    return [
        lambda: txn.append(topic, [Record(b"late")]),
        lambda: txn.send_offsets("g", {TopicPartition(topic, 0): 1}),
        lambda: txn.put("s", b"k", b"v"),
        lambda: txn.get("s", b"k"),
        txn.commit,
        txn.abort,
    ]


@pytest.mark.parametrize(
    "ending",
    [
        "committed",
        pytest.param(
            "aborted",
            marks=pytest.mark.unsupported_on(
                "kafka",
                reason=TANSU_SHOWS_ABORTED_RECORDS,
            ),
        ),
    ],
)
def test_an_ended_transaction_cannot_be_used(log: Log, names: Names, ending: str) -> None:
    topic = names.topic()
    log.create_topic(topic)
    producer = log.transactional_producer(names.txn_id())
    txn = producer.begin()
    txn.append(topic, [Record(b"once")])
    if ending == "committed":
        txn.commit()
    else:
        txn.abort()
    for operation in ended_operations(txn, topic):
        with pytest.raises(TransactionError) as exc:
            operation()
        assert_error(
            exc, TransactionError, 50001, f"Transaction is {ending}; it cannot be used."
        )
    assert values(log, topic) == ([b"once"] if ending == "committed" else [])
    producer.close()


def test_one_open_transaction_per_producer(log: Log, names: Names) -> None:
    producer = log.transactional_producer(names.txn_id())
    txn = producer.begin()
    with pytest.raises(TransactionError) as exc:
        producer.begin()
    assert exc.value.error_code == 50001
    txn.abort()
    producer.begin().commit()
    producer.close()


def test_offsets_commit_with_the_transaction(log: Log, names: Names) -> None:
    source, sink, group = names.topic(), names.topic(), names.group()
    log.create_topic(source, partitions=2)
    log.create_topic(sink)
    tps = [TopicPartition(source, 0), TopicPartition(source, 1)]
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        txn.append(sink, [Record(b"out")])
        txn.send_offsets(group, {tps[0]: 4, tps[1]: 2})
        assert log.committed(group, tps) == {}
    assert log.committed(group, tps) == {tps[0]: 4, tps[1]: 2}
    assert values(log, sink) == [b"out"]
    producer.close()


def test_consume_transform_produce_exactly_once(log: Log, names: Names) -> None:
    source, sink, group = names.topic(), names.topic(), names.group()
    log.create_topic(source)
    log.create_topic(sink)
    tp = TopicPartition(source, 0)
    log.append(source, [Record(b"1"), Record(b"2"), Record(b"3")])
    producer = log.transactional_producer(names.txn_id())
    with log.consumer(group, [source], session_timeout_ms=SESSION_MS) as member:
        got = consume([member], 3)
        with producer.begin() as txn:
            txn.append(sink, [Record(str(int(r.value or b"") * 10).encode()) for r in got])
            txn.send_offsets(member, {tp: got[-1].offset + 1})
    assert values(log, sink) == [b"10", b"20", b"30"]
    assert log.committed(group, [tp]) == {tp: 3}
    producer.close()


def test_state_store_changes_commit_with_the_transaction(log: Log, names: Names) -> None:
    topic, store = names.topic(), names.store()
    log.create_topic(topic)
    view = log.store(store)
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        txn.put(store, b"race-1/runner-2", b"10")
        txn.put(store, b"race-1/runner-1", b"5")
        txn.put(store, b"race-2/runner-1", b"7")
        assert txn.get(store, b"race-1/runner-1") == b"5"
        assert view.get(b"race-1/runner-1") is None
        txn.append(topic, [Record(b"changelog")])
    assert view.get(b"race-1/runner-1") == b"5"
    assert list(view.items(b"race-1/")) == [
        (b"race-1/runner-1", b"5"),
        (b"race-1/runner-2", b"10"),
    ]
    with producer.begin() as txn:
        txn.put(store, b"race-1/runner-1", None)
        assert txn.get(store, b"race-1/runner-1") is None
        txn.put(store, b"race-1/runner-2", b"11")
        txn.abort()
    assert list(view.items()) == [
        (b"race-1/runner-1", b"5"),
        (b"race-1/runner-2", b"10"),
        (b"race-2/runner-1", b"7"),
    ]
    with producer.begin() as txn:
        txn.put(store, b"race-1/runner-1", None)
    assert view.get(b"race-1/runner-1") is None
    assert list(view.items()) == [(b"race-1/runner-2", b"10"), (b"race-2/runner-1", b"7")]
    producer.close()


@pytest.mark.unsupported_on(
    "kafka",
    reason=TANSU_SHOWS_ABORTED_RECORDS,
)
def test_a_newer_producer_with_the_same_id_fences_the_old_one(log: Log, names: Names) -> None:
    topic, txn_id = names.topic(), names.txn_id()
    log.create_topic(topic)
    old = log.transactional_producer(txn_id)
    zombie = old.begin()
    zombie.append(topic, [Record(b"zombie")])
    new = log.transactional_producer(txn_id)
    with pytest.raises(Fenced) as exc:
        zombie.commit()
    assert exc.value.error_code == 40901
    assert zombie.status is not TxnStatus.COMMITTED
    with pytest.raises(Fenced):
        old.begin()
    with new.begin() as txn:
        txn.append(topic, [Record(b"fresh")])
    assert values(log, topic) == [b"fresh"]
    new.close()
    old.close()


def test_append_in_a_transaction_returns_the_positions_the_records_get(
    log: Log, names: Names
) -> None:
    topic, group = names.topic(), names.group()
    log.create_topic(topic, partitions=2)
    (before,) = log.append(topic, [Record(b"before", partition=1)])
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        first = txn.append(topic, [Record(b"a", partition=1, timestamp=5_000),
                                   Record(b"b", partition=0, timestamp=6_000)])
        second = txn.append(topic, [Record(b"c", partition=1, timestamp=7_000)])
        txn.send_offsets(group, {TopicPartition(topic, 1): second[0].offset + 1})
    assert [(p.partition, p.timestamp) for p in first + second] == [
        (1, 5_000), (0, 6_000), (1, 7_000)
    ]
    assert first[0].offset > before.offset
    assert second[0].offset == first[0].offset + 1
    on_1 = log.read(TopicPartition(topic, 1), first[0].offset)
    assert [(r.offset, r.value) for r in on_1] == [
        (first[0].offset, b"a"), (second[0].offset, b"c")
    ]
    (on_0,) = log.read(TopicPartition(topic, 0), 0)
    assert (on_0.offset, on_0.value) == (first[1].offset, b"b")
    assert log.committed(group, [TopicPartition(topic, 1)]) == {
        TopicPartition(topic, 1): second[0].offset + 1
    }
    producer.close()


@pytest.mark.unsupported_on("kafka", reason="positions are real offsets, so nothing conflicts")
def test_an_append_by_another_writer_meanwhile_conflicts(log: Log, names: Names) -> None:
    topic, store = names.topic(), names.store()
    log.create_topic(topic, partitions=2)
    producer = log.transactional_producer(names.txn_id())
    txn = producer.begin()
    txn.append(topic, [Record(b"mine", partition=0)])
    log.append(topic, [Record(b"other side", partition=1)])
    txn.put(store, b"k", b"v")
    log.append(topic, [Record(b"theirs", partition=0)])
    with pytest.raises(TransactionConflict) as exc:
        txn.commit()
    assert_error(
        exc, TransactionConflict, 40904,
        f"Another writer appended to {topic}-0 during this transaction; abort and retry.",
    )
    assert txn.status is TxnStatus.FAILED
    assert values(log, topic, 0) == [b"theirs"]
    assert log.store(store).get(b"k") is None
    with producer.begin() as retry:
        (position,) = retry.append(topic, [Record(b"mine", partition=0)])
    assert position.offset == 1
    assert values(log, topic, 0) == [b"theirs", b"mine"]
    producer.close()
