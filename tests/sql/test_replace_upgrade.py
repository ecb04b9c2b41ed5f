"""CREATE OR REPLACE of a running query: ksqlDB's comparison of the old and new plans.

Filters and projections may change, and a filter may be added under PARTITION BY or an
aggregation as long as the aggregation's inputs stay the same. ksqlDB refuses, in its own
words, a new source, a join, table functions, a windowed aggregation, a different key
expression and a different set of aggregate inputs or calls, and it replaces no sink that
more than one query writes into; the refused statement leaves the old query running, with
nothing new behind.
"""

from __future__ import annotations

import pytest

from tote.core.errors import SqlError
from tote.sql.engine import Engine
from tote.sql.testing import catalogue, produce, rows, source

BASE = (
    "CREATE STREAM A (ID INT KEY, COL1 INT, COL2 INT) "
    "WITH (kafka_topic='a', partitions=1, value_format='JSON');"
    "CREATE STREAM A2 (ID INT KEY, COL1 INT, COL2 INT) "
    "WITH (kafka_topic='a2', partitions=1, value_format='JSON');"
    "CREATE TABLE T (ID INT PRIMARY KEY, BAR INT) "
    "WITH (kafka_topic='t', partitions=1, value_format='JSON');"
)
NOT_UPGRADEABLE = "Query is not upgradeable. "


def _replace(engine: Engine, create: str, replace: str) -> SqlError:
    """Start `create`, then check `replace` is refused, changing nothing, and the old
    query goes on as it was."""
    engine.execute(BASE + create)
    produce(engine, "T", [((1,), (9,))])
    produce(engine, "A", [((1,), (5, 6))])
    engine.run_until_idle()
    sink = source(engine, create.split()[2]).topic
    before, written, running = catalogue(engine), _written(engine, sink), list(
        engine.runtime.queries)
    with pytest.raises(SqlError) as caught:
        engine.execute(replace)
    assert catalogue(engine) == before
    assert list(engine.runtime.queries) == running
    produce(engine, "A", [((1,), (5, 6))])
    engine.run_until_idle()
    assert _written(engine, sink) > written  # the old query still runs
    return caught.value


def _written(engine: Engine, topic: str) -> int:
    return sum(p.end_offset for p in engine.log.describe_topic(topic).partitions)


@pytest.mark.parametrize(("create", "replace", "message"), [
    pytest.param(
        "CREATE STREAM B AS SELECT * FROM A;", "CREATE OR REPLACE STREAM B AS SELECT * FROM A2;",
        NOT_UPGRADEABLE + "Plan step of type StreamSource must have matching topicName. "
        "Values differ: a vs. a2", id="another source"),
    pytest.param(
        "CREATE STREAM B AS SELECT ID, COL1 FROM A;",
        "CREATE OR REPLACE STREAM B AS SELECT A.ID AS ID, COL1, BAR FROM A JOIN T "
        "ON A.ID = T.ID;",
        NOT_UPGRADEABLE + "Cannot change a non-join source into a join source.",
        id="a join added"),
    pytest.param(
        "CREATE STREAM B AS SELECT A.ID AS ID, COL1, BAR FROM A JOIN T ON A.ID = T.ID;",
        "CREATE OR REPLACE STREAM B AS SELECT A.ID AS ID, COL1, BAR FROM A JOIN T "
        "ON A.ID = T.ID WHERE COL1 > 0;",
        "Upgrades not yet supported for StreamTableJoin", id="a join's filter"),
    pytest.param(
        "CREATE TABLE B AS SELECT ID, COUNT(*) AS N FROM A "
        "WINDOW TUMBLING (SIZE 30 SECONDS) GROUP BY ID;",
        "CREATE OR REPLACE TABLE B AS SELECT ID, COUNT(*) AS N FROM A "
        "WINDOW TUMBLING (SIZE 30 SECONDS) WHERE COL1 > 0 GROUP BY ID;",
        "Upgrades not yet supported for StreamWindowedAggregate", id="windowed aggregation"),
    pytest.param(
        "CREATE TABLE B AS SELECT ID, COUNT(*) AS N FROM A WHERE COL1 > 0 GROUP BY ID;",
        "CREATE OR REPLACE TABLE B AS SELECT ID, COUNT(*) AS N FROM A GROUP BY ID;",
        NOT_UPGRADEABLE + "Plan step of type StreamAggregate must have matching columns not "
        "part of aggregate. Values differ: [`ID`, `ROWTIME`, `COL1`] vs. [`ID`, `ROWTIME`]",
        id="aggregate input column dropped"),
    pytest.param(
        "CREATE TABLE B AS SELECT ID, COUNT(*) AS N FROM A GROUP BY ID;",
        "CREATE OR REPLACE TABLE B AS SELECT ID, COUNT(*) AS N, COUNT(*) AS M FROM A "
        "GROUP BY ID;",
        NOT_UPGRADEABLE + "Plan step of type StreamAggregate must have matching aggregate "
        "functions. Values differ: [COUNT(ROWTIME)] vs. [COUNT(ROWTIME), COUNT(ROWTIME)]",
        id="aggregate call added"),
    pytest.param(
        "CREATE STREAM B AS SELECT * FROM A PARTITION BY ABS(COL1);",
        "CREATE OR REPLACE STREAM B AS SELECT * FROM A PARTITION BY ABS(COL2);",
        NOT_UPGRADEABLE + "Plan step of type StreamSelectKey must have matching "
        "keyExpressions. Values differ: [ABS(COL1)] vs. [ABS(COL2)]", id="new key expression"),
    pytest.param(
        "CREATE STREAM B AS SELECT ID, COL1 FROM A;",
        "CREATE OR REPLACE STREAM B AS SELECT ID, COL1, EXPLODE(ARRAY[COL2]) AS V FROM A;",
        "Upgrades not yet supported for StreamFlatMap", id="table function added"),
])
def test_a_plan_ksqldb_cannot_upgrade_is_refused(engine: Engine, create: str, replace: str,
                                                 message: str) -> None:
    assert _replace(engine, create, replace).message == message


@pytest.mark.parametrize(("create", "replace"), [
    ("CREATE STREAM B AS SELECT ID, COL1 FROM A;",
     "CREATE OR REPLACE STREAM B AS SELECT ID, COL1, COL2 FROM A WHERE COL1 > 5;"),
    ("CREATE STREAM B AS SELECT * FROM A WHERE COL1 > 0;",
     "CREATE OR REPLACE STREAM B AS SELECT * FROM A WHERE COL1 > 5;"),
    ("CREATE STREAM B AS SELECT * FROM A PARTITION BY COL1;",
     "CREATE OR REPLACE STREAM B AS SELECT * FROM A WHERE COL1 > 5 PARTITION BY COL1;"),
    ("CREATE TABLE B AS SELECT ID, COUNT(COL1) AS N FROM A WHERE COL1 >= 0 GROUP BY ID;",
     "CREATE OR REPLACE TABLE B AS SELECT ID, COUNT(COL1) AS N FROM A WHERE COL1 > 5 "
     "GROUP BY ID;"),
])
def test_changed_filters_and_added_columns_replace_the_query(engine: Engine, create: str,
                                                            replace: str) -> None:
    engine.execute(BASE + create)
    [qid] = engine.metastore.queries
    engine.execute(replace)
    assert list(engine.metastore.queries) == [qid]
    assert engine.metastore.queries[qid].sql == replace
    produce(engine, "A", [((1,), (5, 6)), ((2,), (7, 8))])
    engine.run_until_idle()
    assert len(rows(engine, "B")) == 1  # the new filter drops COL1 = 5, the old did not


def test_a_sink_more_than_one_query_writes_into_is_not_replaced(engine: Engine) -> None:
    """The ids listed as ksqlDB's HashSet<QueryId> iterates them (checked against Java)."""
    inserts = "".join(f"INSERT INTO B SELECT * FROM {s};" for s in ["A2", "A"] * 3 + ["A2"])
    error = _replace(engine, "CREATE STREAM B AS SELECT * FROM A;" + inserts,
                     "CREATE OR REPLACE STREAM B AS SELECT * FROM A WHERE COL1 > 5;")
    assert error.message == (
        "REPLACE for sink `B` is not supported because there are multiple queries writing "
        "into it: [CSAS_B_4, INSERTQUERY_5, INSERTQUERY_10, INSERTQUERY_6, INSERTQUERY_11, "
        "INSERTQUERY_7, INSERTQUERY_8, INSERTQUERY_9]")


def _topic(name: str, key: str = "KAFKA", value: str = "JSON", key_features: str = "") -> str:
    return (f"KsqlTopic{{kafkaTopicName='{name}', keyFormat=KeyFormat{{format=FormatInfo{{"
            f"format={key}, properties={{}}}}, features=[{key_features}], "
            f"window=Optional.empty}}, valueFormat=ValueFormat{{format=FormatInfo{{"
            f"format={value}, properties={{}}}}, features=[]}}}}")


@pytest.mark.parametrize(("replace", "after"), [
    pytest.param("CREATE OR REPLACE STREAM B WITH (kafka_topic='other') AS SELECT * FROM A;",
                 _topic("other"), id="another topic"),
    pytest.param("CREATE OR REPLACE STREAM B WITH (value_format='DELIMITED') AS "
                 "SELECT * FROM A;", _topic("B", value="DELIMITED"), id="value format"),
    pytest.param("CREATE OR REPLACE STREAM B WITH (key_format='JSON') AS SELECT * FROM A;",
                 _topic("B", key="JSON", key_features="UNWRAP_SINGLES"), id="key format"),
])
def test_a_sink_moved_to_another_topic_or_format_is_refused_as_a_data_source(
        engine: Engine, replace: str, after: str) -> None:
    """ksqlDB's metastore refuses these before it compares the plans."""
    error = _replace(engine, "CREATE STREAM B AS SELECT * FROM A;", replace)
    assert error.message == ("Cannot upgrade data source: DataSource '`B`' has topic = "
                             f"{_topic('B')} which is not upgradeable to {after}")


def test_a_stream_declared_over_another_topic_is_not_replaced(engine: Engine) -> None:
    engine.execute(BASE)
    before = catalogue(engine)
    with pytest.raises(SqlError) as caught:
        engine.execute("CREATE OR REPLACE STREAM A (ID INT KEY, COL1 INT, COL2 INT) "
                       "WITH (kafka_topic='a2', partitions=1, value_format='JSON');")
    assert caught.value.message == (
        "Cannot upgrade data source: DataSource '`A`' has topic = "
        f"{_topic('a')} which is not upgradeable to {_topic('a2')}")
    assert catalogue(engine) == before


def test_the_one_insert_query_into_a_declared_stream_is_replaced_under_its_id(
        engine: Engine) -> None:
    """ksqlDB's replacement takes over the only query writing into the sink, whichever
    statement started it, and is then the sink's CREATE query: DROP terminates it."""
    engine.execute(BASE + "CREATE STREAM B (ID INT KEY, COL1 INT, COL2 INT) "
                   "WITH (kafka_topic='b', partitions=1, value_format='JSON');"
                   "INSERT INTO B SELECT * FROM A;")
    [qid] = engine.metastore.queries
    replace = ("CREATE OR REPLACE STREAM B WITH (kafka_topic='b') AS "
               "SELECT * FROM A WHERE COL1 > 5;")
    engine.execute(replace)
    assert list(engine.metastore.queries) == [qid]
    assert engine.metastore.queries[qid].sql == replace
    produce(engine, "A", [((1,), (5, 6)), ((2,), (7, 8))])
    engine.run_until_idle()
    assert len(rows(engine, "B")) == 1
    engine.execute("DROP STREAM B;")
    assert not engine.metastore.queries
    assert not engine.runtime.queries
