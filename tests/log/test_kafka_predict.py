"""Predicted positions on the kafka backend (Tansu): what only the broker's reports prove.

`test_contract_predict` covers a write between the prediction and the commit, which the
commit's look at the partition ends catches before anything is sent. Here another writer
gets in after that look: only the delivery reports show it. And a partition where another
transaction is open cannot be predicted.
"""

from __future__ import annotations

import uuid

import pytest

from tote.core.errors import TransactionConflict, TransactionError
from tote.core.records import Record, TopicPartition
from tote.log.kafka_predict import Predictions
from tote.log.kafka_produce import TxnCore

pytestmark = pytest.mark.kafka


def test_a_write_after_the_ends_check_is_caught_by_the_delivery_reports(
    kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tote.log.kafka import KafkaLog

    topic = f"p_{uuid.uuid4().hex[:8]}"
    tp = TopicPartition(topic, 0)
    with KafkaLog(kafka_bootstrap) as log, KafkaLog(kafka_bootstrap) as other:
        log.create_topic(topic)
        producer = log.transactional_producer(f"p-{topic}")
        send = Predictions.send

        def send_after_another_writer(self: Predictions, core: TxnCore) -> None:
            other.append(topic, [Record(b"theirs")])
            send(self, core)

        monkeypatch.setattr(Predictions, "send", send_after_another_writer)
        txn = producer.begin()
        start = txn.end_offset(tp)
        assert txn.append(topic, [Record(b"mine")])[0].offset == start
        with pytest.raises(TransactionConflict):
            txn.commit()
        txn.abort()
        monkeypatch.setattr(Predictions, "send", send)

        # The retry appends at once: the broker's offsets, no prediction to go wrong.
        retry = producer.begin()
        assert not retry.predicts_positions
        with pytest.raises(TransactionError):
            retry.end_offset(tp)
        landed = retry.append(topic, [Record(b"retried")])[0].offset
        retry.commit()
        assert next(r.value for r in log.read(tp, landed, 1)) == b"retried"

        again = producer.begin()  # ... and the one after predicts again
        assert again.predicts_positions
        start = again.end_offset(tp)
        again.append(topic, [Record(b"predicted")])
        again.commit()
        assert next(r.value for r in log.read(tp, start, 1)) == b"predicted"
        producer.close()


def test_a_partition_with_another_open_transaction_is_not_predicted(
    kafka_bootstrap: str,
) -> None:
    from tote.log.kafka import KafkaLog

    topic = f"o_{uuid.uuid4().hex[:8]}"
    tp = TopicPartition(topic, 0)
    with KafkaLog(kafka_bootstrap) as log:
        log.create_topic(topic)
        other = log.transactional_producer(f"theirs-{topic}")
        theirs = other.begin()
        theirs.append(topic, [Record(b"open")])  # sent, not committed
        producer = log.transactional_producer(f"mine-{topic}")
        txn = producer.begin()
        txn.end_offset(tp)
        txn.append(topic, [Record(b"mine")])
        with pytest.raises(TransactionConflict):
            txn.commit()
        txn.abort()
        theirs.commit()
        retry = producer.begin()
        retry.append(topic, [Record(b"mine")])
        retry.commit()
        assert [r.value for r in log.read(tp, 0)] == [b"open", b"mine"]
        producer.close()
        other.close()
