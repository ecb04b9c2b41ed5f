"""More sink keys end to end: `topics.regex` (new topics picked up while running), JSON
values with schemas, `db.timezone`, `replace.null.with.default`, and `table.types`."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from tests.connect.databases import PostgresDatabase, SqliteDatabase, rows_or_none
from tests.connect.helpers import JDBC_SINK, bet_schema, produce, register, wait_task, wait_until

from tote.connect.herder import Herder
from tote.core.records import Record
from tote.log.memory import MemoryLog

JSON = "org.apache.kafka.connect.json.JsonConverter"


def test_topics_regex_follows_new_topics(log: MemoryLog, herder: Herder,
                                         tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    schema = bet_schema()
    schema_id = register(log, "tote_a-value", schema)
    log.create_topic("tote_a")
    log.create_topic("other")
    produce(log, "tote_a", schema_id, schema, [{"RUNNER_ID": 1, "RACE_ID": 1, "AMOUNT": 1.0}])
    produce(log, "other", schema_id, schema, [{"RUNNER_ID": 9, "RACE_ID": 9, "AMOUNT": 9.0}])
    herder.create("regex", {"connector.class": JDBC_SINK, "topics.regex": "tote_.*",
                            "connection.url": db.url, "auto.create": "true"})
    wait_until(lambda: rows_or_none(db, "SELECT * FROM tote_a") == [(1, 1, 1.0)], "tote_a")
    log.create_topic("tote_b")
    produce(log, "tote_b", schema_id, schema, [{"RUNNER_ID": 2, "RACE_ID": 2, "AMOUNT": 2.0}])
    wait_until(lambda: rows_or_none(db, "SELECT * FROM tote_b") == [(2, 2, 2.0)],
               "the topic created after the connector")
    assert rows_or_none(db, "SELECT * FROM other") is None
    assert herder.topics("regex") == {"regex": {"topics": ["tote_a", "tote_b"]}}


def test_json_values_with_schemas(log: MemoryLog, herder: Herder, tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    log.create_topic("orders")
    schema = {"type": "struct", "name": "order", "fields": [
        {"field": "id", "type": "int64", "optional": False},
        {"field": "note", "type": "string", "optional": True, "default": "none"}]}
    log.append("orders", [Record(json.dumps({"schema": schema, "payload": p}).encode())
                          for p in ({"id": 1, "note": "a"}, {"id": 2, "note": None})])
    herder.create("json", {"connector.class": JDBC_SINK, "topics": "orders",
                           "connection.url": db.url, "auto.create": "true",
                           "value.converter": JSON})
    wait_until(lambda: rows_or_none(db, "SELECT * FROM orders ORDER BY id") == [
        (1, "a"), (2, "none")], "two orders, the null replaced by the default")
    assert db.columns("orders") == [("id", "INTEGER", False), ("note", "TEXT", True)]
    assert db.rows("SELECT dflt_value FROM pragma_table_info('orders') WHERE name = 'note'") \
        == [("'none'",)]


def test_timestamps_are_written_in_the_db_timezone(log: MemoryLog, herder: Herder,
                                                   pg: PostgresDatabase) -> None:
    log.create_topic("times")
    schema = {"type": "struct", "fields": [
        {"field": "at", "type": "int64", "name": "org.apache.kafka.connect.data.Timestamp"}]}
    at_ms = int(datetime.datetime(2024, 1, 2, 12, 0, tzinfo=datetime.UTC).timestamp() * 1000)
    log.append("times", [Record(json.dumps({"schema": schema, "payload": {"at": at_ms}})
                                .encode())])
    herder.create("times", {"connector.class": JDBC_SINK, "topics": "times",
                            "connection.url": pg.url, "connection.user": "postgres",
                            "connection.password": "example", "auto.create": "true",
                            "value.converter": JSON, "db.timezone": "Australia/Sydney"})
    wait_until(lambda: rows_or_none(pg, "SELECT at FROM times") == [
        (datetime.datetime(2024, 1, 2, 23, 0),)], "the local Sydney time")


def test_views_are_refused_unless_allowed(log: MemoryLog, herder: Herder,
                                          tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    db.execute('CREATE TABLE real_bets ("RUNNER_ID" INTEGER, "RACE_ID" INTEGER, '
               '"AMOUNT" REAL)')
    db.execute("CREATE VIEW bets AS SELECT * FROM real_bets")
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets")
    produce(log, "bets", schema_id, schema, [{"RUNNER_ID": 1, "RACE_ID": 1, "AMOUNT": 1.0}])
    herder.create("view", {"connector.class": JDBC_SINK, "topics": "bets",
                           "connection.url": db.url})
    trace = wait_task(herder, "view", "FAILED")["trace"].splitlines()[0]
    assert trace == ("tote.connect.jdbc.structure.TableAlterOrCreateError: View \"bets\" cannot "
                     "be written: table.types is [TABLE]")
