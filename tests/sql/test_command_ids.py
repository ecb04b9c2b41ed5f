"""Command ids as ksqlDB's CommandIdAssigner gives them, on the real engine over a SQLite
log: CREATE (and CREATE ... AS SELECT, and INSERT INTO, a `stream/.../create` even into a
table) quote the name; DROP, ALTER and the type statements do not. They are the command
topic's record keys, and a command topic written with other keys (tote's earlier quoted
DROP and TYPE ids, its `insert` action) replays the same."""

from __future__ import annotations

from pathlib import Path

from tote.core.records import Record, TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.commands import Command, command_topic
from tote.sql.engine import Engine
from tote.sql.results import CommandResult

STATEMENTS = [
    "CREATE STREAM A (ID INT KEY, V INT) WITH (kafka_topic='a', partitions=1, "
    "value_format='JSON');",
    "CREATE STREAM B AS SELECT * FROM A;",
    "INSERT INTO B SELECT * FROM A;",
    "CREATE TYPE ADDRESS AS STRUCT<STREET STRING>;",
    'CREATE TYPE "lower" AS STRUCT<N INT>;',
    "CREATE TABLE T (ID INT PRIMARY KEY, V INT) WITH (kafka_topic='t', partitions=1, "
    "value_format='JSON');",
    "ALTER TABLE T ADD COLUMN W STRING;",
    "DROP TABLE T;",
    'DROP TYPE "lower";',
    "CREATE STREAM \"quoted\" (ID INT KEY) WITH (kafka_topic='q', partitions=1, "
    "value_format='JSON');",
    'DROP STREAM "quoted";',
]
IDS = [
    "stream/`A`/create", "stream/`B`/create", "stream/`B`/create", "type/ADDRESS/create",
    "type/lower/create", "table/`T`/create", "table/T/alter", "table/T/drop",
    "type/lower/drop", "stream/`quoted`/create", "stream/quoted/drop",
]


def _open(db: Path) -> tuple[SqliteLog, Registry, Engine]:
    log = SqliteLog(db)
    registry = Registry(log)
    registry.start()
    engine = Engine(log, registry)
    engine.start()
    return log, registry, engine


def _close(log: SqliteLog, registry: Registry, engine: Engine) -> None:
    engine.close()
    registry.close()
    log.close()


def test_each_statement_kind_answers_and_records_ksqldbs_command_id(tmp_path: Path) -> None:
    log, registry, engine = _open(tmp_path / "tote.db")
    answered = []
    for statement in STATEMENTS:
        [result] = engine.execute(statement)
        assert isinstance(result, CommandResult)
        answered.append(result.command_id)
    assert answered == IDS
    keys = [r.key for r in log.read(TopicPartition(command_topic("default_"), 0), 0)]
    assert keys == [i.encode() for i in IDS]
    _close(log, registry, engine)


def test_a_command_topic_with_tote_s_earlier_keys_replays(tmp_path: Path) -> None:
    db = tmp_path / "tote.db"
    old = ["stream/`A`/create", "stream/`B`/create", "stream/`B`/insert",
           "type/`ADDRESS`/create", "type/`lower`/create", "table/`T`/create",
           "table/T/alter", "table/`T`/drop", "type/`lower`/drop",
           "stream/`quoted`/create", "stream/`quoted`/drop"]
    with SqliteLog(db) as log:
        topic = command_topic("default_")
        log.ensure_topic(topic, 1, 1, {"cleanup.policy": "delete", "retention.ms": "-1"})
        log.append(topic, [Record(Command(text).to_bytes(), key.encode(), partition=0)
                           for key, text in zip(old, STATEMENTS, strict=True)])
    log, registry, engine = _open(db)
    assert sorted(engine.metastore.sources) == ["A", "B"]
    assert sorted(engine.metastore.types) == ["ADDRESS"]
    assert len(engine.metastore.queries) == 2
    [result] = engine.execute("DROP TYPE ADDRESS;")
    assert isinstance(result, CommandResult)
    assert result.command_id == "type/ADDRESS/drop"
    _close(log, registry, engine)
