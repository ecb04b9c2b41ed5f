"""The worker on the Kafka backend (the Tansu broker): internal topics, the task's group
and the exactly-once sink work the same way as on the embedded log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.connect.conftest import fast_settings
from tests.connect.databases import SqliteDatabase, rows_or_none
from tests.connect.helpers import JDBC_SINK, bet_schema, produce, register, wait_until

from tote.connect.herder import Herder
from tote.connect.store import InternalTopics
from tote.connect.worker import Worker
from tote.log.kafka import KafkaLog

pytestmark = pytest.mark.kafka


@pytest.fixture
def kafka_log(kafka_bootstrap: str) -> Iterator[KafkaLog]:
    log = KafkaLog(kafka_bootstrap)
    yield log
    log.close()


def test_the_sink_on_kafka(kafka_log: KafkaLog, tmp_path: Path) -> None:
    run = uuid.uuid4().hex[:8]
    topics = InternalTopics(f"connect-configs-{run}", f"connect-status-{run}",
                            f"connect-offsets-{run}")
    db = SqliteDatabase(tmp_path / "sink.db")
    topic = f"bets-{run}"
    schema = bet_schema()
    schema_id = register(kafka_log, f"{topic}-value", schema)
    kafka_log.create_topic(topic, 2, configs={"retention.ms": "-1", "retention.bytes": "-1"})
    produce(kafka_log, topic, schema_id, schema,
            [{"RUNNER_ID": i, "RACE_ID": 0, "AMOUNT": 1.0} for i in range(10)])
    with Worker(kafka_log, fast_settings(topics=topics,
                                         consumer_session_timeout_ms=4000)) as worker:
        herder = Herder(worker)
        herder.create(f"k-{run}", {"connector.class": JDBC_SINK, "topics": topic,
                                   "connection.url": db.url, "auto.create": "true",
                                   "table.name.format": "bets"})
        wait_until(lambda: rows_or_none(db, "SELECT count(*) FROM bets") == [(10,)], "10 rows",
                   timeout=120)
        produce(kafka_log, topic, schema_id, schema,
                [{"RUNNER_ID": i, "RACE_ID": 1, "AMOUNT": 1.0} for i in range(10, 15)])
        wait_until(lambda: rows_or_none(db, "SELECT count(*) FROM bets") == [(15,)], "15 rows",
                   timeout=120)
        assert herder.status(f"k-{run}")["tasks"][0]["state"] == "RUNNING"
    assert db.rows('SELECT count(DISTINCT "RUNNER_ID") FROM bets') == [(15,)]
