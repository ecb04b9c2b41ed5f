"""A command topic deleted (or deleted and re-created) under a running engine is never
silently re-created: every statement that would be recorded is refused with ksqlDB's
"corruption in the command topic" answer, running queries go on, and the catalogue the
topic held is not overwritten by a new, shorter history.

The deletion comes from a second handle on the same SQLite file, as `tote topic delete`
(or an admin on a Kafka cluster) would do it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tote.core.records import TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.commands import CORRUPTED, CommandTopicLost, command_topic
from tote.sql.engine import Engine
from tote.sql.testing import catalogue, produce, rows

TOPIC = command_topic("default_")
BASE = """
CREATE STREAM PAGES (USER_ID INT KEY, PAGE STRING) WITH (kafka_topic='pages', partitions=1,
    value_format='JSON');
CREATE TABLE BY_PAGE AS SELECT PAGE, COUNT(*) AS N FROM PAGES GROUP BY PAGE;
"""
REFUSED = [
    "CREATE STREAM OTHER (ID INT KEY, V STRING) WITH (kafka_topic='other', partitions=1, "
    "value_format='JSON');",
    "CREATE STREAM COPY AS SELECT * FROM PAGES;",
    "CREATE TABLE IF NOT EXISTS BY_PAGE AS SELECT PAGE, COUNT(*) AS N FROM PAGES GROUP BY PAGE;",
    "DROP TABLE BY_PAGE DELETE TOPIC;",
    "DROP STREAM IF EXISTS NOTHING;",
    "TERMINATE CTAS_BY_PAGE_2;",
    "CREATE TYPE ADDRESS AS STRUCT<STREET STRING>;",
]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tote.db"


@pytest.fixture
def engine(db: Path) -> Iterator[Engine]:
    with SqliteLog(db) as log, Registry(log) as registry:
        eng = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
        eng.start()
        eng.execute(BASE)
        _visit(eng, ["a", "b", "a"])
        yield eng
        eng.close()


def _visit(engine: Engine, pages: list[str]) -> None:
    produce(engine, "PAGES", [((i,), (page,)) for i, page in enumerate(pages)])
    engine.run_until_idle()


def _delete_command_topic(db: Path, recreate: bool = False) -> None:
    with SqliteLog(db) as admin:
        admin.delete_topic(TOPIC)
        if recreate:  # as another server of the service starting would
            admin.create_topic(TOPIC, 1, 1, {"retention.ms": "-1"})


@pytest.mark.parametrize("recreate", [False, True], ids=["deleted", "deleted and re-created"])
def test_a_lost_command_topic_refuses_statements_and_keeps_queries_running(
        engine: Engine, db: Path, recreate: bool) -> None:
    _delete_command_topic(db, recreate)
    before = catalogue(engine)  # SHOW ALL TOPICS lists the command topic, or not

    for sql in REFUSED:
        with pytest.raises(CommandTopicLost) as caught:
            engine.execute(sql)
        assert caught.value.message == f"Failed to handle Ksql Statement.\n{CORRUPTED}"
        assert caught.value.error_code == 50000

    # Nothing was created, dropped or terminated, and the topic was not written again.
    assert catalogue(engine) == before
    assert engine.log.topic_exists(TOPIC) is recreate
    if recreate:
        assert engine.log.read(TopicPartition(TOPIC, 0), 0) == []
    # Statements that are not recorded still run, and so does the query.
    engine.execute("INSERT INTO PAGES (USER_ID, PAGE) VALUES (9, 'c');")
    _visit(engine, ["b"])
    assert rows(engine, "BY_PAGE")[-2:] == [("c", 1), ("b", 2)]
    assert engine.commands is not None and engine.commands.lost


def test_the_refusal_lasts_even_if_the_topic_comes_back(engine: Engine, db: Path) -> None:
    _delete_command_topic(db)
    with pytest.raises(CommandTopicLost):
        engine.execute(REFUSED[0])
    with SqliteLog(db) as admin:
        admin.create_topic(TOPIC, 1, 1, {"retention.ms": "-1"})
    with pytest.raises(CommandTopicLost):
        engine.execute(REFUSED[0])
    assert engine.log.read(TopicPartition(TOPIC, 0), 0) == []


def test_a_new_engine_on_an_empty_log_creates_the_command_topic(db: Path) -> None:
    with SqliteLog(db) as log, Registry(log) as registry:
        fresh = Engine(log, registry)  # never started: its first statement creates it
        fresh.execute(BASE)
        fresh.close()
        assert [r.key for r in log.read(TopicPartition(TOPIC, 0), 0)] == [
            b"stream/`PAGES`/create", b"table/`BY_PAGE`/create"]
