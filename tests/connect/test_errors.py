"""Bad input: records that cannot be converted or written, and databases that cannot be
reached. Each fails the task visibly, or with `errors.tolerance=all` goes to the dead
letter queue with Connect's error headers — never dropped silently."""

from __future__ import annotations

import time
from pathlib import Path

from tests.connect.databases import SqliteDatabase, rows_or_none
from tests.connect.helpers import (
    JDBC_SINK,
    bet_schema,
    produce,
    register,
    wait_task,
    wait_until,
)

from tote.connect.herder import Herder
from tote.core.records import LogRecord, Record, TopicPartition
from tote.log.memory import MemoryLog

BET = {"RUNNER_ID": 1, "RACE_ID": 2, "AMOUNT": 3.0}


def bets_with_one_bad(log: MemoryLog) -> None:
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets")
    produce(log, "bets", schema_id, schema, [BET])
    log.append("bets", [Record(b"\x07not avro", b"k1")])
    produce(log, "bets", schema_id, schema, [{**BET, "RUNNER_ID": 2}])


def config(db: SqliteDatabase, **extra: str) -> dict[str, str]:
    return {"connector.class": JDBC_SINK, "topics": "bets", "connection.url": db.url,
            "auto.create": "true", **extra}


def dlq(log: MemoryLog, topic: str, count: int) -> list[LogRecord]:
    def check() -> list[LogRecord] | None:
        if not log.topic_exists(topic):
            return None
        found = log.read(TopicPartition(topic, 0), 0)
        return found if len(found) == count else None
    return wait_until(check, f"{count} records on {topic}")


def test_a_bad_record_fails_the_task(log: MemoryLog, herder: Herder, tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    bets_with_one_bad(log)
    herder.create("strict", config(db))
    status = wait_task(herder, "strict", "FAILED")
    assert status["trace"].splitlines()[0] == (
        "tote.connect.errors.ConnectException: Tolerance exceeded in error handler: "
        "VALUE_CONVERTER failed on record bets-0@1: Failed to deserialize data for topic bets "
        "to Avro: Unknown magic byte!")
    assert "Traceback (most recent call last):" in status["trace"]
    assert herder.status("strict")["connector"]["state"] == "RUNNING"
    assert not db.path.exists() or db.rows(
        "SELECT name FROM sqlite_master WHERE name = 'bets'") == []


def test_tolerated_records_go_to_the_dead_letter_queue(log: MemoryLog, herder: Herder,
                                                      tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    bets_with_one_bad(log)
    herder.create("lenient", config(db, **{
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "bets-dlq",
        "errors.deadletterqueue.context.headers.enable": "true"}))
    wait_until(lambda: rows_or_none(db, "SELECT * FROM __tote_connect_offsets") == [
        ("lenient", "bets", 0, 3)],
        "offsets past all three records")
    assert sorted(db.rows("SELECT * FROM bets")) == [(1, 2, 3.0), (2, 2, 3.0)]
    [dead] = dlq(log, "bets-dlq", 1)
    assert (dead.key, dead.value) == (b"k1", b"\x07not avro")
    headers = {k: (v or b"").decode() for k, v in dead.headers}
    trace = headers.pop("__connect.errors.exception.stacktrace")
    assert headers == {
        "__connect.errors.topic": "bets", "__connect.errors.partition": "0",
        "__connect.errors.offset": "1", "__connect.errors.connector.name": "lenient",
        "__connect.errors.task.id": "0", "__connect.errors.stage": "VALUE_CONVERTER",
        "__connect.errors.class.name": "tote.connect.converters.avro.AvroConverter",
        "__connect.errors.exception.class.name": "tote.connect.errors.DataException",
        "__connect.errors.exception.message":
            "Failed to deserialize data for topic bets to Avro: Unknown magic byte!"}
    assert trace.endswith("tote.connect.errors.DataException: Failed to deserialize data for "
                          "topic bets to Avro: Unknown magic byte!")
    assert herder.task_status("lenient", 0)["state"] == "RUNNING"


def test_a_tombstone_without_deletes_fails_the_task(log: MemoryLog, herder: Herder,
                                                   tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets")
    produce(log, "bets", schema_id, schema, [BET, None])
    herder.create("tomb", config(db))
    trace = wait_task(herder, "tomb", "FAILED")["trace"].splitlines()[0]
    assert trace.startswith(
        "tote.connect.jdbc.writer.RecordError: Sink connector 'tomb' is configured with "
        "'delete.enabled=false' and 'pk.mode=none' and therefore requires records with a "
        "non-null Struct value and non-null Struct schema, but found record at (topic='bets',"
        "partition=0,offset=1,timestamp=")
    assert trace.endswith(") with a null value and null value schema.")


def test_rows_the_database_refuses(log: MemoryLog, herder: Herder, tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    db.execute('CREATE TABLE bets ("RUNNER_ID" INTEGER, "RACE_ID" INTEGER, "AMOUNT" REAL, '
               'CONSTRAINT small_runner CHECK ("RUNNER_ID" < 10))')
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets")
    produce(log, "bets", schema_id, schema,
            [BET, {**BET, "RUNNER_ID": 50}, {**BET, "RUNNER_ID": 3}])
    retries = {"max.retries": "1", "retry.backoff.ms": "10"}
    herder.create("refused", config(db, **retries))
    assert wait_task(herder, "refused", "FAILED")["trace"].splitlines()[0] == (
        f"tote.connect.errors.ConnectException: Write to sqlite:{db.path} failed after 1 "
        "retries: sqlite3.IntegrityError: CHECK constraint failed: small_runner")
    assert db.rows("SELECT * FROM bets") == []
    herder.delete("refused")
    herder.create("tolerant", config(db, **retries, **{
        "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "refused-dlq",
        "errors.deadletterqueue.context.headers.enable": "true"}))
    [dead] = dlq(log, "refused-dlq", 1)
    headers = {k: (v or b"").decode() for k, v in dead.headers}
    assert (headers["__connect.errors.offset"], headers["__connect.errors.stage"],
            headers["__connect.errors.class.name"]) == (
        "1", "TASK_PUT", "io.confluent.connect.jdbc.sink.JdbcSinkTask")
    assert headers["__connect.errors.exception.message"] == (
        "sqlite3.IntegrityError: CHECK constraint failed: small_runner")
    wait_until(lambda: sorted(rows_or_none(db, "SELECT * FROM bets") or []) == [
        (1, 2, 3.0), (3, 2, 3.0)],
               "the two good rows")


def test_an_unreachable_database_fails_once_and_stays_failed(
        log: MemoryLog, herder: Herder) -> None:
    log.create_topic("bets")
    herder.create("nodb", {"connector.class": JDBC_SINK, "topics": "bets",
                           "connection.url": "jdbc:postgresql://127.0.0.1:1/nowhere",
                           "connection.attempts": "2", "connection.backoff.ms": "10"})
    status = wait_task(herder, "nodb", "FAILED")
    first_line = status["trace"].splitlines()[0]
    assert first_line.startswith(
        "tote.connect.jdbc.session.ConnectionFailed: Could not connect to "
        "postgresql://127.0.0.1:1/nowhere after 2 attempt(s): psycopg.OperationalError: "
        "connection failed: ")
    # No crash loop: nothing restarts a failed task until someone asks.
    time.sleep(2.0)
    assert herder.task_status("nodb", 0) == status
    assert herder.status("nodb")["connector"]["state"] == "RUNNING"
