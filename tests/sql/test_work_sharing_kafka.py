"""Work sharing on the kafka backend, as Kafka Streams instances share an application.

Two engines of one service, each with its own client of the session's Kafka-protocol
broker (Tansu), split a persistent query's tasks through its consumer group, and the
survivor takes over the tasks of one that stops. Each engine commits the consumed offsets
in its own producer's transactions with its member's group metadata (generation and
member id), which is how Kafka fences a zombie that lost its partitions.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable

import pytest

import tote.sql.runtime.membership
from tote.core.errors import Fenced
from tote.core.records import Record, TopicPartition
from tote.log.base import GroupConsumer, Log
from tote.sql.engine import Engine

pytestmark = pytest.mark.kafka

# Shorter than a server's, so the stopped engine drops out of the group sooner.
SESSION_MS = 4000


def _until(check: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _append(log: Log, topic: str, ids: range) -> None:
    log.append(topic, [Record(json.dumps({"V": i}).encode(), i.to_bytes(4, "big"))
                       for i in ids])


def _trickle(log: Log, topic: str, ids: range) -> None:
    """Append `ids` 50 at a time, ten batches a second."""
    for start in range(ids.start, ids.stop, 50):
        _append(log, topic, range(start, min(start + 50, ids.stop)))
        time.sleep(0.1)


def _outputs(log: Log, topic: str) -> list[tuple[int, int]]:
    out = []
    for partition in range(2):
        for record in log.read(TopicPartition(topic, partition), 0, 100_000):
            assert record.key is not None and record.value is not None
            out.append((int.from_bytes(record.key, "big"), json.loads(record.value)["W"]))
    return out


def _owned(engine: Engine) -> set[int]:
    return {task.partition for task in engine.runtime.tasks()}


def test_engines_split_the_tasks_and_the_survivor_takes_over(
    kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tote.log.kafka import KafkaLog

    monkeypatch.setattr(tote.sql.runtime.membership, "SESSION_TIMEOUT_MS", SESSION_MS)
    suffix = uuid.uuid4().hex[:8]
    source, sink = f"s_{suffix}", f"T_{suffix}"
    statements = f"""
    CREATE STREAM s (id INT KEY, v INT)
        WITH (kafka_topic='{source}', partitions=2, value_format='JSON');
    CREATE STREAM t WITH (kafka_topic='{sink}') AS SELECT id, v * 2 AS w FROM s;
    """
    with KafkaLog(kafka_bootstrap) as log_a, KafkaLog(kafka_bootstrap) as log_b:
        first = Engine(log_a, None, service_id=f"share_{suffix}_", instance_id="host-a:8088")
        first.start()
        first.execute(statements)
        first.start_background(poll_timeout=0.05)
        _append(log_a, source, range(1000))
        _until(lambda: len(_outputs(log_a, sink)) >= 1000, "the first 1,000 outputs")

        # A second server of the service starts while records keep coming: it replays
        # the statements and joins the query's group, which the running engine rejoins
        # as it polls. The first engine processes its partitions until the rebalance
        # takes them, the second resumes from what the first committed by then.
        feeder = threading.Thread(target=_trickle, args=(log_a, source, range(1000, 2000)))
        feeder.start()
        second = Engine(log_b, None, service_id=f"share_{suffix}_", instance_id="host-b:8088")
        second.start()
        second.start_background(poll_timeout=0.05)
        feeder.join()
        # The broker orders the members by the ids it gave them: either engine may get
        # either partition, but each gets one.
        _until(lambda: _owned(first) | _owned(second) == {0, 1}
               and len(_owned(first)) == len(_owned(second)) == 1,
               "the group to split the two partitions between the engines")
        _until(lambda: len(_outputs(log_a, sink)) >= 2000, "the next 1,000 outputs")
        time.sleep(0.5)
        assert sorted(_outputs(log_a, sink)) == [(i, 2 * i) for i in range(2000)]

        # The first engine stops polling (as a hung server does): the group drops its
        # member and the second resumes from the offsets the first committed.
        first.stop_background()
        _append(log_b, source, range(2000, 3000))
        _until(lambda: _owned(second) == {0, 1}, "the survivor to own both partitions")
        _until(lambda: len(_outputs(log_b, sink)) >= 3000, "the last 1,000 outputs")
        time.sleep(0.5)
        assert sorted(_outputs(log_b, sink)) == [(i, 2 * i) for i in range(3000)]
        assert first.failure is None and second.failure is None
        second.stop_background()
        second.close()
        first.close()


def test_each_query_started_on_a_sharing_engine_commits_its_start(
    kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new query's start offsets are committed in a transaction without records while
    the engine's member is in the query's group (Tansu drops such offsets unless it is
    the producer's first transaction; the log then commits them through the member)."""
    from tote.log.kafka import KafkaLog

    monkeypatch.setattr(tote.sql.runtime.membership, "SESSION_TIMEOUT_MS", SESSION_MS)
    suffix = uuid.uuid4().hex[:8]
    with KafkaLog(kafka_bootstrap) as log:
        engine = Engine(log, None, service_id=f"start_{suffix}_", instance_id="host-a:8088")
        engine.start()
        engine.execute(f"""
        CREATE STREAM s (id INT KEY, v INT)
            WITH (kafka_topic='s_{suffix}', partitions=2, value_format='JSON');
        CREATE STREAM a WITH (kafka_topic='a_{suffix}') AS SELECT id, v FROM s;
        CREATE STREAM b WITH (kafka_topic='b_{suffix}') AS SELECT id, v FROM s;
        """)
        assert len(engine.runtime.queries) == 2
        for query in engine.runtime.queries.values():
            inputs = [tp for task in query.tasks for tp in task.inputs]
            assert log.committed(query.group, inputs) == {tp: 0 for tp in inputs}
        engine.close()


def _settle(members: list[GroupConsumer]) -> None:
    def split() -> bool:
        for member in members:
            member.poll(timeout=0.1, max_records=0)
        return [len(member.assignment()) for member in members] == [1, 1]

    _until(split, "a 1/1 split")


@pytest.mark.xfail(
    strict=True,
    raises=pytest.fail.Exception,
    reason="Tansu 0.6 accepts a TxnOffsetCommit (v3) whose generation_id is older than the "
    "group's: it answers error_code 0 (NONE) for every partition, even one now assigned to "
    "another member, where Kafka answers ILLEGAL_GENERATION (22). Its TxnOffsetCommit "
    "handler writes the offsets to storage without asking the group coordinator.",
)
def test_the_broker_fences_a_zombie_that_has_not_seen_the_rebalance(
    kafka_bootstrap: str,
) -> None:
    """A server frozen (a long GC pause, a stopped VM) after checking its member is still
    current resumes and commits its step with the group metadata it read before: Kafka
    refuses the offsets, so the transaction, with its outputs, aborts."""
    from tote.log.kafka import KafkaLog
    from tote.log.kafka_group import KafkaGroupConsumer
    from tote.log.kafka_txn import KafkaTransactionalProducer

    suffix = uuid.uuid4().hex[:8]
    source, sink, group = f"zs_{suffix}", f"zt_{suffix}", f"zg_{suffix}"
    with KafkaLog(kafka_bootstrap) as log:
        log.create_topic(source, partitions=2)
        log.create_topic(sink)
        log.append(source, [Record(b"a", partition=0), Record(b"b", partition=1)])
        producer = log.transactional_producer(f"zombie-{suffix}")
        assert isinstance(producer, KafkaTransactionalProducer)
        zombie = log.consumer(group, [source], member_id="zombie", session_timeout_ms=SESSION_MS)
        assert isinstance(zombie, KafkaGroupConsumer)
        zombie.poll(timeout=0, max_records=0)
        frozen = zombie.group_metadata()  # the generation where both partitions are its
        survivor = log.consumer(group, [source], member_id="survivor",
                                session_timeout_ms=SESSION_MS)
        _settle([zombie, survivor])
        # Committing the survivor's partition too: what the zombie processed before.
        offsets = {TopicPartition(source, 0): 1, TopicPartition(source, 1): 1}
        txn = producer.begin()
        txn.append(sink, [Record(b"zombie output")])
        with pytest.raises(Fenced):
            producer.core.send_offsets(offsets, frozen)
            txn.commit()
