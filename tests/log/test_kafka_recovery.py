"""Crashes, restarts and zombies on the kafka backend, across processes and log instances.

A crashed producer is a real process killed mid-transaction (`os._exit`); a restart is a
fresh KafkaLog that has only the broker to go by.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from confluent_kafka import Consumer as StockConsumer
from confluent_kafka import TopicPartition as KafkaTopicPartition
from tests.log.backends import DEADLINE_S, Names

from tote.core.errors import Fenced, Timeout
from tote.core.records import Record, TopicPartition, TopicSpec
from tote.log.base import TxnStatus
from tote.log.kafka import KafkaLog
from tote.log.kafka_store import changelog_topic

pytestmark = pytest.mark.kafka

TANSU_SHOWS_ABORTED_RECORDS = (
    "Tansu 0.6 returns records of aborted transactions to read_committed readers: its "
    "FetchResponse never lists aborted transactions, so clients cannot filter them"
)

CRASHING_PRODUCER = """
import os, sys
from tote.core.records import Record
from tote.log.kafka import KafkaLog

bootstrap, txn_id, topic, store, sent = sys.argv[1:]
log = KafkaLog(bootstrap)
txn = log.transactional_producer(txn_id).begin()
txn.put(store, b"pool", b"crashed")
if sent == "sent":
    txn.append(topic, [Record(b"zombie")])
print("in transaction", flush=True)
os._exit(3)
"""


OpenLog = Callable[..., KafkaLog]


@pytest.fixture
def open_log(kafka_bootstrap: str) -> Iterator[OpenLog]:
    """Open fresh KafkaLogs on the session broker (`timeout=`); all closed at teardown."""
    opened: list[KafkaLog] = []

    def make(timeout: float = 30.0) -> KafkaLog:
        log = KafkaLog(kafka_bootstrap, timeout=timeout)
        opened.append(log)
        return log

    yield make
    for log in opened:
        log.close()


def crash_in_a_transaction(
    bootstrap: str, txn_id: str, topic: str, store: str, *, sent: bool
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", CRASHING_PRODUCER, bootstrap, txn_id, topic, store,
         "sent" if sent else "queued"],
        capture_output=True, text=True, timeout=DEADLINE_S, check=False,
    )
    assert (result.returncode, result.stdout) == (3, "in transaction\n"), result.stderr


def committed_values(bootstrap: str, topic: str) -> list[bytes | None]:
    """What a stock read_committed consumer sees in partition 0."""
    consumer = StockConsumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": "tote-test-reader",
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
            "enable.partition.eof": True,
        }
    )
    try:
        consumer.assign([KafkaTopicPartition(topic, 0, 0)])
        values: list[bytes | None] = []
        while True:
            message = consumer.poll(DEADLINE_S)
            assert message is not None, "no end-of-partition event"
            if message.error() is not None:
                return values
            values.append(message.value())
    finally:
        consumer.close()


def recover_and_write(log: KafkaLog, txn_id: str, topic: str) -> None:
    """What a restarted task does: take over the transactional id, then write on."""
    with log.transactional_producer(txn_id).begin() as txn:
        txn.append(topic, [Record(b"after restart")])


def test_a_crashed_producers_queued_changes_never_appear(
    open_log: OpenLog, names: Names, kafka_bootstrap: str
) -> None:
    topic, store, txn_id = names.topic(), names.store(), names.txn_id()
    open_log().create_topic(topic)
    crash_in_a_transaction(kafka_bootstrap, txn_id, topic, store, sent=False)
    restarted = open_log()
    recover_and_write(restarted, txn_id, topic)
    assert restarted.store(store).get(b"pool") is None
    assert committed_values(kafka_bootstrap, topic) == [b"after restart"]
    assert committed_values(kafka_bootstrap, changelog_topic(store)) == []


@pytest.mark.xfail(strict=True, reason=TANSU_SHOWS_ABORTED_RECORDS)
def test_a_crashed_producers_sent_records_stay_hidden(
    open_log: OpenLog, names: Names, kafka_bootstrap: str
) -> None:
    topic, store, txn_id = names.topic(), names.store(), names.txn_id()
    open_log().create_topic(topic)
    crash_in_a_transaction(kafka_bootstrap, txn_id, topic, store, sent=True)
    restarted = open_log()
    recover_and_write(restarted, txn_id, topic)
    assert [r.value for r in restarted.read(TopicPartition(topic, 0), 0)] == [b"after restart"]
    assert committed_values(kafka_bootstrap, topic) == [b"after restart"]


def test_a_fresh_log_restores_a_store_from_its_changelog(
    open_log: OpenLog, names: Names, kafka_bootstrap: str
) -> None:
    store, topic = f"pools/win race#{names.store()}", names.topic()
    writer = open_log()
    writer.create_topic(topic)
    producer = writer.transactional_producer(names.txn_id())
    with producer.begin() as txn:
        txn.put(store, b"runner-1", b"25")
        txn.put(store, b"runner-2", b"50")
        txn.put(store, b"runner-3", b"5")
    with producer.begin() as txn:
        txn.put(store, b"runner-2", None)
        txn.put(store, b"runner-1", b"75")
        txn.put(store, b"runner-1", b"80")
    with producer.begin() as txn:
        txn.append(topic, [Record(b"bet")])
        txn.put(store, b"runner-3", b"aborted")
        txn.abort()
    producer.close()

    restored = open_log().store(store)
    assert list(restored.items()) == [(b"runner-1", b"80"), (b"runner-3", b"5")]
    changelog = changelog_topic(store)
    assert changelog.startswith("pools_win_race_s-") and changelog.endswith("-changelog")
    assert open_log().describe_topic(changelog).spec == TopicSpec(
        changelog, 1, 1, (("cleanup.policy", "compact"),)
    )
    # Only the last value per key of each committed transaction reaches the changelog.
    assert committed_values(kafka_bootstrap, changelog) == [b"25", b"50", b"5", None, b"80"]


def test_a_producer_in_another_log_fences_a_queued_transaction(
    open_log: OpenLog, names: Names
) -> None:
    store, txn_id = names.store(), names.txn_id()
    old = open_log().transactional_producer(txn_id)
    zombie = old.begin()
    zombie.put(store, b"pool", b"zombie")
    new_log = open_log()
    new = new_log.transactional_producer(txn_id)
    with pytest.raises(Fenced) as exc:
        zombie.commit()
    assert exc.value.error_code == 40901
    assert zombie.status is TxnStatus.FAILED
    with pytest.raises(Fenced):
        old.begin()
    with new.begin() as txn:
        txn.put(store, b"pool", b"fresh")
    assert open_log().store(store).get(b"pool") == b"fresh"


@pytest.mark.xfail(
    strict=True,
    raises=Timeout,
    reason="Tansu 0.6 drops the connection instead of answering a fenced producer's EndTxn "
    "with PRODUCER_FENCED, so the zombie's commit times out",
)
def test_a_producer_in_another_log_fences_a_transaction_with_sent_records(
    open_log: OpenLog, names: Names
) -> None:
    topic, txn_id = names.topic(), names.txn_id()
    zombie_log = open_log(timeout=5.0)
    zombie_log.create_topic(topic)
    zombie = zombie_log.transactional_producer(txn_id).begin()
    zombie.append(topic, [Record(b"zombie")])
    open_log().transactional_producer(txn_id)
    with pytest.raises(Fenced):
        zombie.commit()
