"""A statement whose command-topic append fails leaves everything as it was.

The failure is one an operator can cause: the command topic was created beforehand with a
small `max.message.bytes`, so the real SQLite log refuses a long statement's record. A
CREATE OR REPLACE refused that way keeps the replaced query running with its repartition
topic, consumer offsets and state; a plain CREATE leaves no topic, schema, source or query.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tote.core.records import TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.commands import command_topic
from tote.sql.engine import Engine
from tote.sql.errors import StatementError
from tote.sql.testing import catalogue, produce, rows

BASE = """
CREATE STREAM PAGES (USER_ID INT KEY, PAGE STRING) WITH (kafka_topic='pages', partitions=2,
    value_format='AVRO');
CREATE TABLE BY_PAGE AS SELECT PAGE, COUNT(*) AS N FROM PAGES GROUP BY PAGE;
"""
LIMIT = 600  # bytes per command-topic record: BASE's statements fit, PAD's do not
PAD = "x" * LIMIT
# Adds a column: the replacement registers a new version of BY_PAGE's value schema. (A
# column ksqlDB's upgrade check allows: no new aggregate call or aggregated input column.)
REPLACE = ("CREATE OR REPLACE TABLE BY_PAGE AS SELECT PAGE, COUNT(*) AS N, AS_VALUE(PAGE) AS M "
           f"FROM PAGES WHERE PAGE <> '{PAD}' GROUP BY PAGE;")
WRITE_FAILED = "Could not write the statement into the command topic: The record of"


def _visits(engine: Engine, pages: list[str]) -> None:
    produce(engine, "PAGES", [((i,), (page,)) for i, page in enumerate(pages)])
    engine.run_until_idle()


def _engine(log: SqliteLog, registry: Registry) -> Engine:
    engine = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
    engine.start()
    return engine


@pytest.fixture
def opened(tmp_path: Path) -> Iterator[tuple[SqliteLog, Registry]]:
    with SqliteLog(tmp_path / "tote.db") as log, Registry(log) as registry:
        log.create_topic(command_topic("default_"), 1, 1,
                         {"retention.ms": "-1", "max.message.bytes": str(LIMIT)})
        yield log, registry


def _state(engine: Engine) -> list[Any]:
    """The replaced query's internals: its repartition topics' end offsets and its group's
    committed offsets."""
    running = engine.runtime.queries["CTAS_BY_PAGE_2"]
    ends = {t: [p.end_offset for p in engine.log.describe_topic(t).partitions]
            for t in running.plan.internal_topics}
    tps = [tp for task in running.tasks for tp in task.positions]
    return [ends, engine.log.committed(running.group, tps)]


def _reference(tmp_path: Path, batches: list[list[str]]) -> list[Any]:
    """BY_PAGE's rows when the failing statement was never issued."""
    with SqliteLog(tmp_path / "reference.db") as log, Registry(log) as registry:
        engine = _engine(log, registry)
        engine.execute(BASE)
        for batch in batches:
            _visits(engine, batch)
        engine.close()
        return rows(engine, "BY_PAGE")


def test_a_replace_the_command_topic_refuses_keeps_the_old_query_and_its_state(
        opened: tuple[SqliteLog, Registry], tmp_path: Path) -> None:
    log, registry = opened
    engine = _engine(log, registry)
    engine.execute(BASE)
    _visits(engine, ["a", "b", "a"])
    assert engine.runtime.queries["CTAS_BY_PAGE_2"].plan.internal_topics  # repartitions
    before, internals = catalogue(engine), _state(engine)

    with pytest.raises(StatementError) as caught:
        engine.execute(REPLACE)

    assert caught.value.message.startswith(WRITE_FAILED)
    assert catalogue(engine) == before
    assert _state(engine) == internals
    assert registry.versions("BY_PAGE-value") == [1]
    _visits(engine, ["a", "c"])
    engine.close()
    # ... and after a restart, which replays the command topic without the failed statement.
    engine = _engine(log, registry)
    _visits(engine, ["b"])
    engine.close()
    assert rows(engine, "BY_PAGE") == _reference(tmp_path, [["a", "b", "a"], ["a", "c"], ["b"]])
    assert rows(engine, "BY_PAGE")[-3:] == [("a", 3), ("c", 1), ("b", 2)]


@pytest.mark.parametrize("sql", [
    f"CREATE TABLE LONG_PAGES AS SELECT PAGE, COUNT(*) AS N FROM PAGES WHERE PAGE <> '{PAD}' "
    "GROUP BY PAGE;",
    f"CREATE STREAM COPY AS SELECT * FROM PAGES WHERE PAGE <> '{PAD}';",
    "CREATE STREAM OWN (USER_ID INT KEY, PAGE STRING) WITH (kafka_topic='own', partitions=1, "
    f"value_format='AVRO') /* {PAD} */;",
], ids=["CTAS", "CSAS", "CREATE STREAM"])
def test_a_create_the_command_topic_refuses_leaves_nothing_behind(
        opened: tuple[SqliteLog, Registry], sql: str) -> None:
    log, registry = opened
    engine = _engine(log, registry)
    engine.execute(BASE)
    before = catalogue(engine)
    groups = log.list_groups()
    with pytest.raises(StatementError, match=WRITE_FAILED):
        engine.execute(sql)
    assert catalogue(engine) == before  # topics, schemas, sources, queries
    assert log.list_groups() == groups
    assert log.read(TopicPartition(command_topic("default_"), 0), 0)[-1].key == \
        b"table/`BY_PAGE`/create"
    _visits(engine, ["a"])
    engine.close()


# DROP and TERMINATE record their command before anything irreversible: a refused record
# leaves the query running with its topics, and nothing to undo at the next restart.
@pytest.mark.parametrize("sql", [
    f"DROP TABLE BY_PAGE DELETE TOPIC /* {PAD} */;",
    f"TERMINATE CTAS_BY_PAGE_2 /* {PAD} */;",
    f"TERMINATE ALL /* {PAD} */;",
], ids=["DROP DELETE TOPIC", "TERMINATE", "TERMINATE ALL"])
def test_a_drop_or_terminate_the_command_topic_refuses_leaves_the_query_running(
        opened: tuple[SqliteLog, Registry], tmp_path: Path, sql: str) -> None:
    log, registry = opened
    engine = _engine(log, registry)
    engine.execute(BASE)
    _visits(engine, ["a", "b", "a"])
    before, internals = catalogue(engine), _state(engine)

    with pytest.raises(StatementError, match=WRITE_FAILED):
        engine.execute(sql)

    assert catalogue(engine) == before  # BY_PAGE, its topic, schemas and query are there
    assert _state(engine) == internals  # ... its repartition topic and offsets too
    _visits(engine, ["a", "c"])  # ... and the query still counts
    engine.close()
    engine = _engine(log, registry)
    assert catalogue(engine) == before
    _visits(engine, ["b"])
    engine.close()
    assert rows(engine, "BY_PAGE") == _reference(tmp_path, [["a", "b", "a"], ["a", "c"], ["b"]])


def test_a_recorded_drop_is_applied_and_stays_applied_after_a_restart(
        opened: tuple[SqliteLog, Registry]) -> None:
    log, registry = opened
    engine = _engine(log, registry)
    engine.execute(BASE)
    _visits(engine, ["a"])
    internals = engine.runtime.queries["CTAS_BY_PAGE_2"].plan.internal_topics
    [result] = engine.execute("DROP TABLE BY_PAGE DELETE TOPIC;")
    assert result.warnings == ()
    assert "BY_PAGE" not in engine.metastore.sources and not engine.runtime.queries
    assert not any(log.topic_exists(t) for t in ("BY_PAGE", *internals))
    engine.close()
    engine = _engine(log, registry)
    assert sorted(engine.metastore.sources) == ["PAGES"] and not engine.runtime.queries
    assert not any(log.topic_exists(t) for t in ("BY_PAGE", *internals))
    engine.close()
