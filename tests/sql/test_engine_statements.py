"""The engine's statements: results, side effects, ksqlDB's refusals, failure atomicity."""

from __future__ import annotations

import time

import pytest

from tote.core.errors import SqlError
from tote.core.records import TopicPartition
from tote.sql.engine import Engine
from tote.sql.results import (
    CommandResult,
    InsertResult,
    QueryDescriptionResult,
    QueryList,
    SourceDescriptionResult,
    SourceList,
    TopicList,
)
from tote.sql.testing import produce, records, rows

PAGES = ("CREATE STREAM PAGES (USER_ID INT KEY, PAGE STRING, MS BIGINT) "
         "WITH (kafka_topic='pages', partitions=1, value_format='JSON');")
APP = "_confluent-ksql-default_query_"


def test_create_stream_records_a_command_and_registers_avro_schema_id_1(engine: Engine
                                                                         ) -> None:
    [result] = engine.execute("CREATE STREAM BETS (RUNNER INT, AMOUNT DOUBLE) WITH "
                              "(kafka_topic='bets', partitions=2, value_format='AVRO');")
    assert isinstance(result, CommandResult)
    assert (result.command_id, result.message, result.sequence_number) == (
        "stream/`BETS`/create", "Stream created", 0)
    assert engine.log.describe_topic("bets").spec.partitions == 2
    assert engine.registry is not None
    assert engine.registry.get_version("bets-value").id == 1


def test_persistent_query_ids_follow_the_command_sequence(engine: Engine) -> None:
    results = engine.execute(PAGES + "CREATE STREAM LONG_VISITS AS SELECT * FROM PAGES "
                             "WHERE MS > 100; CREATE TABLE VISITS AS SELECT USER_ID, "
                             "COUNT(*) AS N FROM PAGES GROUP BY USER_ID;")
    assert [r.message for r in results if isinstance(r, CommandResult)] == [
        "Stream created", "Created query with ID CSAS_LONG_VISITS_2",
        "Created query with ID CTAS_VISITS_3"]
    listed = engine.execute("SHOW QUERIES;")[0]
    assert isinstance(listed, QueryList)
    assert [(q.id, q.sinks, q.sink_topics) for q in listed.queries] == [
        ("CSAS_LONG_VISITS_2", ("LONG_VISITS",), ("LONG_VISITS",)),
        ("CTAS_VISITS_3", ("VISITS",), ("VISITS",))]


def test_live_queries_process_produced_rows(engine: Engine) -> None:
    engine.execute(PAGES + "CREATE TABLE VISITS AS SELECT USER_ID, COUNT(*) AS N, "
                   "SUM(MS) AS TOTAL FROM PAGES GROUP BY USER_ID;")
    produce(engine, "PAGES", [((1,), ("a", 10)), ((2,), ("b", 20)), ((1,), ("c", 5))])
    assert engine.run_until_idle() == 3
    assert rows(engine, "VISITS") == [(1, 1, 10), (2, 1, 20), (1, 2, 15)]


def test_insert_values_writes_one_record_with_rowtime(engine: Engine) -> None:
    engine.execute(PAGES)
    [result] = engine.execute("INSERT INTO PAGES (ROWTIME, USER_ID, PAGE, MS) "
                              "VALUES (42, 7, 'home', 3);")
    assert isinstance(result, InsertResult)
    assert (result.topic, result.partition, result.offset) == ("pages", 0, 0)
    [record] = engine.log.read(TopicPartition("pages", 0), 0)
    assert (record.key, record.value, record.timestamp) == (
        b"\x00\x00\x00\x07", b'{"PAGE":"home","MS":3}', 42)
    engine.execute("INSERT INTO PAGES (USER_ID, PAGE) VALUES (8, 'away');")
    assert records(engine, "PAGES")[1] == ((8,), ("away", None), 5000)


def test_insert_values_errors_read_like_ksqldb(engine: Engine) -> None:
    engine.execute(PAGES)
    with pytest.raises(SqlError) as error:
        engine.execute("INSERT INTO pagez (USER_ID) VALUES (1);")
    assert error.value.message == "Cannot insert values into an unknown stream/table: `PAGEZ`"
    with pytest.raises(SqlError) as error:
        engine.execute("INSERT INTO PAGES (USER_ID, PAGE) VALUES (1);")
    assert error.value.message == ("Failed to prepare statement: Expected number columns and "
                                   "values to match: 2, 1")
    with pytest.raises(SqlError) as error:
        engine.execute("INSERT INTO PAGES VALUES (1);")
    assert error.value.message == ("Failed to insert values into 'PAGES'. Expected a value "
                                   "for each column. Expected Columns: [`USER_ID`, `PAGE`, "
                                   "`MS`]. Got [1]")


def test_a_failed_statement_leaves_nothing_behind(engine: Engine) -> None:
    engine.execute(PAGES)
    topics = engine.log.list_topics()
    assert engine.registry is not None
    subjects = engine.registry.subjects()
    with pytest.raises(SqlError) as error:
        engine.execute("CREATE STREAM OUT WITH (kafka_topic='out', value_format='AVRO') AS "
                       "SELECT USER_ID, PAGE, NOPE FROM PAGES;")
    assert error.value.message == "Line: 1, Col: 90: SELECT column 'NOPE' cannot be resolved."
    assert engine.log.list_topics() == topics
    assert engine.registry.subjects() == subjects
    assert engine.metastore.source("OUT") is None
    assert not engine.metastore.queries
    assert not engine.runtime.queries


def test_drop_is_refused_while_queries_read_the_source(engine: Engine) -> None:
    engine.execute(PAGES + "CREATE STREAM COPY AS SELECT * FROM PAGES;")
    with pytest.raises(SqlError) as error:
        engine.execute("DROP STREAM PAGES;")
    assert error.value.message == (
        "Cannot drop PAGES.\nThe following queries read from this source: "
        "[CSAS_COPY_2].\nThe following queries write into this source: [].\n"
        "You need to terminate them before dropping PAGES.")


def test_drop_delete_topic_terminates_the_writing_query(engine: Engine) -> None:
    engine.execute(PAGES + "CREATE TABLE VISITS WITH (value_format='AVRO') AS SELECT "
                   "USER_ID, COUNT(*) AS N FROM PAGES GROUP BY USER_ID;")
    [result] = engine.execute("DROP TABLE VISITS DELETE TOPIC;")
    assert isinstance(result, CommandResult)
    assert result.message == "Source `VISITS` (topic: VISITS) was dropped."
    assert "VISITS" not in engine.log.list_topics()
    assert engine.registry is not None
    assert "VISITS-value" not in engine.registry.subjects()
    assert not engine.runtime.queries


def test_terminate_removes_the_query_and_its_internal_topics(engine: Engine) -> None:
    engine.execute(PAGES + "CREATE TABLE BY_PAGE AS SELECT PAGE, COUNT(*) AS N FROM PAGES "
                   "GROUP BY PAGE;")
    internal = f"{APP}CTAS_BY_PAGE_2-Aggregate-GroupBy-repartition"
    assert internal in engine.log.list_topics()
    [result] = engine.execute("TERMINATE CTAS_BY_PAGE_2;")
    assert isinstance(result, CommandResult) and result.message == "Query terminated."
    assert internal not in engine.log.list_topics()
    with pytest.raises(SqlError) as error:
        engine.execute("TERMINATE CTAS_BY_PAGE_2;")
    assert error.value.message == "Unknown queryId: CTAS_BY_PAGE_2"


def test_listings_and_describe(engine: Engine) -> None:
    engine.execute(PAGES + "CREATE TABLE T (ID INT PRIMARY KEY, V STRING) WITH "
                   "(kafka_topic='t', partitions=3, format='JSON');")
    streams, tables, topics = (engine.execute(s)[0] for s in (
        "SHOW STREAMS;", "LIST TABLES;", "SHOW TOPICS;"))
    assert isinstance(streams, SourceList) and isinstance(tables, SourceList)
    assert [(s.name, s.topic, s.key_format, s.value_format) for s in streams.sources] == [
        ("PAGES", "pages", "KAFKA", "JSON")]
    assert [s.name for s in tables.sources] == ["T"]
    assert isinstance(topics, TopicList)
    assert [(t.name, t.partitions) for t in topics.topics] == [("pages", 1), ("t", 3)]
    described = engine.execute("DESCRIBE T;")[0]
    assert isinstance(described, SourceDescriptionResult)
    assert [(f.name, f.type, f.key) for f in described.description.fields] == [
        ("ID", "INTEGER", "PRIMARY"), ("V", "STRING", None)]


def test_set_and_unset_change_where_new_queries_start(engine: Engine) -> None:
    engine.execute(PAGES)
    produce(engine, "PAGES", [((1,), ("old", 1))])
    engine.execute("SET 'auto.offset.reset'='latest'; CREATE STREAM LATE AS SELECT * FROM "
                   "PAGES; UNSET 'auto.offset.reset'; CREATE STREAM EARLY AS SELECT * "
                   "FROM PAGES;")
    produce(engine, "PAGES", [((2,), ("new", 2))])
    engine.run_until_idle()
    assert rows(engine, "LATE") == [(2, "new", 2)]
    assert rows(engine, "EARLY") == [(1, "old", 1), (2, "new", 2)]


def test_background_processing_follows_new_records(engine: Engine) -> None:
    engine.execute(PAGES + "CREATE STREAM COPY AS SELECT USER_ID, UCASE(PAGE) AS PAGE "
                   "FROM PAGES;")
    engine.start_background(poll_timeout=0.05)
    try:
        produce(engine, "PAGES", [((1,), ("a", 1)), ((2,), ("b", 2))])
        deadline = time.monotonic() + 60
        while len(rows(engine, "COPY")) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        engine.stop_background()
    assert rows(engine, "COPY") == [(1, "A"), (2, "B")]
    assert engine.failure is None


def test_stopping_background_processing_ends_a_long_idle_wait(engine: Engine) -> None:
    """A server closing its engine does not sit out the poll: the idle wait for new
    records (here far longer than `stop_background`'s 30 s join) ends when asked."""
    engine.execute(PAGES + "CREATE STREAM COPY AS SELECT * FROM PAGES;")
    engine.start_background(poll_timeout=120)
    thread = engine._thread
    assert thread is not None
    time.sleep(0.5)  # the loop is now idle, waiting on the query's input
    engine.stop_background()
    assert not thread.is_alive()


def test_explain_shows_the_plan_and_internal_topics(engine: Engine) -> None:
    engine.execute(PAGES + "CREATE TABLE BY_PAGE AS SELECT PAGE, COUNT(*) AS N FROM PAGES "
                   "GROUP BY PAGE;")
    [result] = engine.execute("EXPLAIN CTAS_BY_PAGE_2;")
    assert isinstance(result, QueryDescriptionResult)
    description = result.description
    assert description.sources == ("PAGES",)
    assert description.sinks == ("BY_PAGE",)
    assert description.internal_topics == (f"{APP}CTAS_BY_PAGE_2-Aggregate-GroupBy-repartition",)
    assert description.logical_plan.splitlines()[0].startswith(
        "[ BY_PAGE | TABLE | sink BY_PAGE, topic BY_PAGE |")
    assert description.physical_plan.splitlines() == [
        f"Application id: {APP}CTAS_BY_PAGE_2",
        f"Sub-topology 0: reads [pages] -> writes {APP}CTAS_BY_PAGE_2-Aggregate-GroupBy-"
        "repartition",
        f"Sub-topology 1: reads [{APP}CTAS_BY_PAGE_2-Aggregate-GroupBy-repartition] -> "
        "writes BY_PAGE",
        f"State stores: {APP}CTAS_BY_PAGE_2-Aggregate-Aggregate-Materialize"]


def test_group_by_a_value_column_repartitions_across_partitions(engine: Engine) -> None:
    engine.execute("CREATE STREAM CLICKS (USER_ID INT KEY, PAGE STRING) WITH "
                   "(kafka_topic='clicks', partitions=4, value_format='JSON');"
                   "CREATE TABLE PER_PAGE AS SELECT PAGE, COUNT(*) AS N FROM CLICKS "
                   "GROUP BY PAGE;")
    produce(engine, "CLICKS", [((user,), (page,)) for user, page in
                               [(1, "a"), (2, "b"), (3, "a"), (4, "a"), (5, "b"), (6, "c")]])
    engine.run_until_idle()
    latest = {key: n for key, n in rows(engine, "PER_PAGE")}
    assert latest == {"a": 3, "b": 2, "c": 1}
    assert engine.log.describe_topic(
        f"{APP}CTAS_PER_PAGE_2-Aggregate-GroupBy-repartition").spec.partitions == 4


def test_rows_written_into_an_intermediate_topic_are_read_once(engine: Engine) -> None:
    engine.execute(PAGES + "CREATE STREAM MID AS SELECT * FROM PAGES; "
                   "CREATE STREAM LAST AS SELECT USER_ID, PAGE FROM MID;")
    produce(engine, "PAGES", [((1,), ("a", 1))])
    engine.run_until_idle()
    engine.execute("INSERT INTO MID (USER_ID, PAGE, MS) VALUES (2, 'direct', 0);")
    produce(engine, "PAGES", [((3,), ("c", 3))])
    engine.run_until_idle()
    engine.run_until_idle()
    assert rows(engine, "MID") == [(1, "a", 1), (2, "direct", 0), (3, "c", 3)]
    assert rows(engine, "LAST") == [(1, "a"), (2, "direct"), (3, "c")]
