"""The SQL engine on the kafka backend predicts the offsets of records it reads in the same
step, and a writer that gets in between is caught (Tansu).

One query feeds another: its outputs reach the second in memory with offsets predicted
from the partition's end, and all of them are sent with the commit. Another writer
appends to that partition after the prediction: the commit finds the end moved, the step
aborts before sending anything, and its retry appends at once. The second query then sees
every record exactly once, the other writer's included; with a wrong offset committed it
would skip that record and read some of ours twice.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from tote.core.records import Record, TopicPartition
from tote.log.base import Log
from tote.log.kafka_txn import KafkaTransaction, KafkaTransactionalProducer
from tote.sql.engine import Engine

pytestmark = pytest.mark.kafka


def _record(i: int) -> Record:
    return Record(json.dumps({"V": i}).encode(), i.to_bytes(4, "big"))


def _rows(log: Log, topic: str) -> list[tuple[int, int]]:
    out = []
    for record in log.read(TopicPartition(topic, 0), 0, 100_000):
        assert record.key is not None and record.value is not None
        out.append((int.from_bytes(record.key, "big"), json.loads(record.value)["W"]))
    return out


def test_a_writer_between_prediction_and_commit_is_caught_and_the_step_retried(
    kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tote.log.kafka import KafkaLog

    suffix = uuid.uuid4().hex[:8]
    source, middle, sink = f"src_{suffix}", f"mid_{suffix}", f"out_{suffix}"
    statements = f"""
    CREATE STREAM src (id INT KEY, v INT)
        WITH (kafka_topic='{source}', partitions=1, value_format='JSON');
    CREATE STREAM mid WITH (kafka_topic='{middle}') AS SELECT id, v FROM src;
    CREATE STREAM out WITH (kafka_topic='{sink}') AS SELECT id, v + 1 AS w FROM mid;
    """
    with KafkaLog(kafka_bootstrap) as log, KafkaLog(kafka_bootstrap) as other:
        engine = Engine(log, None, service_id=f"predict_{suffix}_")
        engine.start()
        engine.execute(statements)

        conflicts: list[float] = []
        conflicted = KafkaTransactionalProducer.conflicted

        def count(self: KafkaTransactionalProducer) -> None:
            conflicts.append(time.monotonic())
            conflicted(self)

        intruded: list[int] = []
        end_offset = KafkaTransaction.end_offset

        def intrude(self: KafkaTransaction, tp: TopicPartition) -> int:
            predicted = end_offset(self, tp)
            if tp.topic == middle and not intruded:  # once: another writer gets in
                intruded.append(other.append(middle, [_record(1000)])[0].offset)
            return predicted

        monkeypatch.setattr(KafkaTransactionalProducer, "conflicted", count)
        monkeypatch.setattr(KafkaTransaction, "end_offset", intrude)
        log.append(source, [_record(i) for i in range(10)])
        engine.run_until_idle()

        assert intruded, "the step never predicted an offset of the middle stream"
        assert sorted(_rows(log, sink)) == [(i, i + 1) for i in [*range(10), 1000]]
        assert len(conflicts) == 1
        engine.close()
