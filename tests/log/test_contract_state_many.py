"""Log contract: `StateStore.get_many`, the batch form of `get`, on every backend."""

from __future__ import annotations

from tests.log.backends import Names

from tote.log.base import Log


def test_get_many_answers_each_key_in_the_order_asked(log: Log, names: Names) -> None:
    store = names.store()
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        txn.put(store, b"k/R1/a", b"first")
        txn.put(store, b"k/R1/b", b"second")
        txn.put(store, b"\x00\xff", b"binary")
    producer.close()
    view = log.store(store)
    asked = [b"k/R1/b", b"missing", b"k/R1/a", b"\x00\xff", b"k/R1/b", b"k/R1"]
    assert view.get_many(asked) == [b"second", None, b"first", b"binary", b"second", None]
    assert view.get_many([]) == []


def test_get_many_sees_deletes_and_overwrites_and_only_its_store(log: Log, names: Names) -> None:
    store, other = names.store(), names.store()
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        txn.put(store, b"gone", b"v1")
        txn.put(store, b"kept", b"v1")
        txn.put(other, b"elsewhere", b"v1")
    with producer.begin() as txn:
        txn.put(store, b"gone", None)
        txn.put(store, b"kept", b"v2")
    producer.close()
    assert log.store(store).get_many([b"gone", b"kept", b"elsewhere"]) == [None, b"v2", None]


def test_get_many_takes_more_keys_than_one_query_holds(log: Log, names: Names) -> None:
    store = names.store()
    keys = [f"k/{n:05d}".encode() for n in range(2_300)]
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        for key in keys[::2]:
            txn.put(store, key, b"v" + key)
    producer.close()
    found = log.store(store).get_many(keys)
    assert found == [b"v" + key if n % 2 == 0 else None for n, key in enumerate(keys)]


def test_many_overwrites_and_deletes_in_one_transaction(log: Log, names: Names) -> None:
    """More changed keys than the SQLite backend writes per statement (64), new and
    existing ones mixed: each key ends with its last value."""
    store = names.store()
    keys = [f"k/{n:03d}".encode() for n in range(150)]
    producer = log.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        for key in keys[:100]:
            txn.put(store, key, b"old")
    with producer.begin() as txn:
        for n, key in enumerate(keys):
            txn.put(store, key, None if n % 3 == 0 else b"new%d" % n)
    producer.close()
    found = log.store(store).get_many(keys)
    assert found == [None if n % 3 == 0 else b"new%d" % n for n in range(len(keys))]
