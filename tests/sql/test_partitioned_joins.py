"""Joins over topics of several partitions, live: a re-keyed join input lands on the
partition where the other side keeps the same key (placed by that side's key format),
so no match is missed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.engine import Engine

USERS = 60


def _values(log: SqliteLog, topic: str) -> list[dict[str, object]]:
    out = []
    for partition in range(log.describe_topic(topic).spec.partitions):
        for record in log.read(TopicPartition(topic, partition), 0, 10_000):
            assert record.value is not None
            out.append(json.loads(record.value))
    return out


@pytest.mark.parametrize("key_format", ["KAFKA", "JSON"])
def test_rekeyed_stream_meets_every_table_row(tmp_path: Path, key_format: str) -> None:
    with SqliteLog(tmp_path / "tote.db") as log, Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute(f"""
            CREATE TABLE users (uid INT PRIMARY KEY, name STRING) WITH (kafka_topic='users',
                partitions=3, key_format='{key_format}', value_format='JSON');
            CREATE STREAM clicks (cid INT KEY, uid INT) WITH (kafka_topic='clicks',
                partitions=3, value_format='JSON');
            INSERT INTO users (uid, name) VALUES (-1, 'warm-up');
        """)
        for uid in range(USERS):
            engine.execute(f"INSERT INTO users (uid, name) VALUES ({uid}, 'user{uid}');")
        engine.execute("SET 'auto.offset.reset' = 'earliest';")
        engine.execute("CREATE STREAM enriched AS SELECT clicks.uid, name FROM clicks "
                       "JOIN users ON clicks.uid = users.uid;")
        engine.run_until_idle()
        log.append("clicks", [Record(json.dumps({"UID": uid}).encode(),
                                     (1000 + uid).to_bytes(4, "big")) for uid in range(USERS)])
        engine.run_until_idle()
        joined = _values(log, "ENRICHED")
        assert sorted(row["NAME"] for row in joined) == sorted(f"user{u}" for u in range(USERS))
