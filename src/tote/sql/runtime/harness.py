"""Driving queries the way ksqlDB's test harness does (QTT README §6.1 step 5).

Queries run one after another in creation order, each to completion: first the test's
input records on topics it reads, in file order; then, for each topic it reads that no
input names, everything on that topic (earlier queries' output, INSERT VALUES rows).
Within a query a record is processed to quiescence through its repartition topics,
like Kafka Streams' TopologyTestDriver. The same tasks and transactions as live mode.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from tote.core.records import LogRecord, TopicPartition
from tote.log.base import Log
from tote.sql.runtime.runtime import Runtime
from tote.sql.runtime.tasks import RunningQuery, Task

BATCH = 500


def _read_all(log: Log, tp: TopicPartition) -> list[LogRecord]:
    out: list[LogRecord] = []
    offset = 0
    while True:
        batch = log.read(tp, offset, 1000)
        if not batch:
            return out
        out.extend(batch)
        offset = batch[-1].offset + 1


def drive(runtime: Runtime, query_ids: Sequence[str],
          inputs: Sequence[tuple[str, int, int]]) -> None:
    """`inputs`: (topic, partition, offset) of each test input record, in file order."""
    log = runtime.log
    cache: dict[TopicPartition, dict[int, LogRecord]] = {}

    def record_at(topic: str, partition: int, offset: int) -> LogRecord:
        tp = TopicPartition(topic, partition)
        if tp not in cache:
            cache[tp] = {r.offset: r for r in _read_all(log, tp)}
        return cache[tp][offset]

    named = {topic for topic, _, _ in inputs}
    for qid in query_ids:
        query = runtime.queries.get(qid)
        if query is None or query.paused:
            continue
        reads = query.input_topics()
        records = [record_at(t, p, o) for t, p, o in inputs if t in reads]
        for topic in sorted(reads - named):
            partitions = log.describe_topic(topic).spec.partitions
            for partition in range(partitions):
                records.extend(_read_all(log, TopicPartition(topic, partition)))
        _run(runtime, query, records)


def _run(runtime: Runtime, query: RunningQuery, records: Iterable[LogRecord]) -> None:
    consumers: dict[TopicPartition, list[Task]] = {}
    for task in query.tasks:
        for tp in task.inputs:
            consumers.setdefault(tp, []).append(task)
    batch: list[LogRecord] = []
    for record in records:
        batch.append(record)
        if len(batch) >= BATCH:
            runtime.run_records(batch, consumers, query.tasks)
            batch = []
    if batch:
        runtime.run_records(batch, consumers, query.tasks)
