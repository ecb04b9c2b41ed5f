"""Joins ksqlDB refuses while planning: an ON column two sources share, a join key that
holds a map, and a table-table join whose keys have different types. Each must fail with
ksqlDB's wording and create nothing."""

from __future__ import annotations

import pytest

from tote.sql.engine import Engine
from tote.sql.testing import refused as refused_with

SOURCES = (
    "CREATE TABLE ORDERS (ID BIGINT PRIMARY KEY, QTY INT) "
    "WITH (kafka_topic='orders', partitions=1, format='JSON');"
    "CREATE TABLE SHIPMENTS (ID BIGINT PRIMARY KEY, CARRIER STRING) "
    "WITH (kafka_topic='shipments', partitions=1, format='JSON');"
    "CREATE TABLE PARCELS (ID INT PRIMARY KEY, WEIGHT INT) "
    "WITH (kafka_topic='parcels', partitions=1, format='JSON');"
    "CREATE STREAM CLICKS (USER_ID STRING KEY, TAGS MAP<STRING, INT>, "
    "INFO STRUCT<TAGS MAP<STRING, INT>>, N INT) "
    "WITH (kafka_topic='clicks', partitions=1, format='JSON');"
    "CREATE STREAM VIEWS (USER_ID STRING KEY, LABELS MAP<STRING, INT>, "
    "META STRUCT<TAGS MAP<STRING, INT>>, M INT) "
    "WITH (kafka_topic='views', partitions=1, format='JSON');"
)


@pytest.fixture
def engine(engine: Engine) -> Engine:
    engine.execute(SOURCES)
    return engine


def refused(engine: Engine, sql: str) -> str:
    return refused_with(engine, sql).message


def test_an_unqualified_on_column_of_both_sources_is_ambiguous(engine: Engine) -> None:
    sql = "CREATE TABLE BOTH_IDS AS SELECT * FROM ORDERS JOIN SHIPMENTS ON ID = ID;"
    assert refused(engine, sql) == (
        "Exception while preparing statement: Line: 1, Col: 65: Column 'ID' is ambiguous. "
        "Could be ORDERS.ID or SHIPMENTS.ID.")


def test_an_unqualified_on_column_of_one_source_still_joins(engine: Engine) -> None:
    engine.execute("CREATE STREAM TAGGED AS SELECT C.USER_ID, N, M FROM CLICKS C "
                   "JOIN VIEWS V WITHIN 1 MINUTE ON N = M;")
    assert "TAGGED" in engine.metastore.sources


@pytest.mark.parametrize(("on", "name", "kind"), [
    ("C.TAGS = V.LABELS", "C_TAGS", "MAP<STRING, INTEGER>"),
    ("C.INFO = V.META", "C_INFO", "STRUCT<`TAGS` MAP<STRING, INTEGER>>"),
])
def test_a_join_key_holding_a_map_is_refused_with_the_rekeyed_column_name(
        engine: Engine, on: str, name: str, kind: str) -> None:
    sql = (f"CREATE STREAM BY_TAGS AS SELECT C.USER_ID, N, M FROM CLICKS C "
           f"JOIN VIEWS V WITHIN 1 MINUTE ON {on};")
    message = refused(engine, sql)
    assert f"Key column name: `{name}`. Column type: {kind}." in message
    assert message.startswith("Map keys, including types that contain maps, are not supported")


def test_a_table_table_join_on_keys_of_different_types_is_refused(engine: Engine) -> None:
    sql = ("CREATE TABLE HEAVY AS SELECT P.ID, WEIGHT, QTY FROM PARCELS P "
           "JOIN ORDERS O ON P.ID = O.ID;")
    assert refused(engine, sql) == (
        "Invalid join condition: types don't match. Got P.ID{INTEGER} = O.ID{BIGINT}.")
    flipped = ("CREATE TABLE HEAVY AS SELECT P.ID, WEIGHT, QTY FROM PARCELS P "
               "JOIN ORDERS O ON O.ID = P.ID;")
    assert refused(engine, flipped) == (
        "Invalid join condition: types don't match. Got O.ID{BIGINT} = P.ID{INTEGER}.")
