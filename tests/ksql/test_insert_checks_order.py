"""INSERT VALUES checks in ksqlDB's InsertValuesExecutor order: the target, then no HEADER
column, then the server's `ksql.insert.into.values.enabled`, then the row (a value for
each column, the types, the serdes). `/inserts-stream` into a stream whose value format
cannot carry a column ALTER added fails as ksqlDB's serde factory does, before any row.
A real server on a free port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.ksql.conftest import Ksql, serving

DISABLED = ("The server has disabled INSERT INTO ... VALUES functionality. To enable it, "
            "restart your ksqlDB server with 'ksql.insert.into.values.enabled'=true")
CREATE = ("CREATE STREAM s1 (id INT KEY, name STRING, h BYTES HEADER('trace'), "
          "hs ARRAY<STRUCT<key STRING, value BYTES>> HEADERS) "
          "WITH (kafka_topic='s1', value_format='JSON', partitions=1);")


@pytest.fixture
def disabled() -> Iterator[Ksql]:
    with serving({"ksql.insert.into.values.enabled": "false"}) as running:
        assert running.post(CREATE).status_code == 200
        yield running


def _refusal(response: httpx.Response) -> str:
    assert response.status_code == 400, response.text
    message: str = response.json()["message"]
    return message


@pytest.mark.parametrize(("sql", "message"), [
    ("INSERT INTO s1 (id, h, name, hs) VALUES (1, NULL, 'a', NULL);",
     "Cannot insert into HEADER columns: H, HS"),
    # No column list: every HEADER column of the source is one written to.
    ("INSERT INTO s1 VALUES (1, 'a');", "Cannot insert into HEADER columns: H, HS"),
])
def test_header_columns_are_refused_before_the_disabled_server(
        disabled: Ksql, sql: str, message: str) -> None:
    assert _refusal(disabled.post(sql)) == message


@pytest.mark.parametrize("sql", [
    "INSERT INTO s1 (id, name) VALUES (1, 'a');",
    "INSERT INTO s1 (id, nope) VALUES (1, 'a');",
])
def test_the_disabled_server_is_reported_before_the_row(disabled: Ksql, sql: str) -> None:
    assert _refusal(disabled.post(sql)) == DISABLED


@pytest.mark.parametrize(("sql", "message"), [
    ("INSERT INTO s1 (id, h) VALUES (1);",
     "Failed to prepare statement: Expected number columns and values to match: 2, 1"),
    ("INSERT INTO nope (id, h) VALUES (1, NULL);",
     "Cannot insert values into an unknown stream/table: `NOPE`"),
])
def test_the_statement_and_the_target_come_first(disabled: Ksql, sql: str, message: str
                                                  ) -> None:
    assert _refusal(disabled.post(sql)) == message


def test_header_columns_are_refused_unwrapped(ksql: Ksql) -> None:
    assert ksql.post(CREATE).status_code == 200
    sql = "INSERT INTO s1 (id, h) VALUES (1, NULL);"
    assert _refusal(ksql.post(sql)) == "Cannot insert into HEADER columns: H"


ALTERED = [
    ("CREATE STREAM k (v INT) WITH (kafka_topic='k', partitions=1, value_format='KAFKA');",
     "ALTER STREAM k ADD COLUMN x INT;", "format: KAFKA\n"
     "schema: Persistence{columns=[`V` INTEGER, `X` INTEGER], features=[]}\n"
     "reason: The 'KAFKA' format only supports a single field. "
     "Got: [`V` INTEGER, `X` INTEGER]"),
    ("CREATE STREAM k (id INT KEY, v INT) WITH (kafka_topic='k', partitions=1, "
     "value_format='DELIMITED');", "ALTER STREAM k ADD COLUMN m MAP<STRING, INT>;",
     "format: DELIMITED\n"
     "schema: Persistence{columns=[`V` INTEGER, `M` MAP<STRING, INTEGER>], features=[]}\n"
     "reason: The 'DELIMITED' format does not support type 'MAP', column: `M`"),
]


@pytest.mark.parametrize(("create", "alter", "reason"), ALTERED)
def test_inserts_stream_into_a_stream_its_format_cannot_carry_is_a_server_error(
        ksql: Ksql, create: str, alter: str, reason: str) -> None:
    assert ksql.post(create).status_code == 200
    assert ksql.post(alter).status_code == 200
    body = b'{"target":"K"}\n{"ID": 1, "V": 1}\n'
    response = ksql.client.post("/inserts-stream", content=body)
    assert response.status_code == 500, response.text
    assert response.json() == {
        "@type": "generic_error", "error_code": 50000, "stackTrace": [],
        "message": "The server encountered an internal error when processing the query. "
                   "Please consult the server logs for more information."}
    assert sum(p.end_offset for p in ksql.log.describe_topic("k").partitions) == 0


@pytest.mark.parametrize(("create", "alter", "reason"), ALTERED)
def test_insert_values_into_a_stream_its_format_cannot_carry_names_the_value_serde(
        ksql: Ksql, create: str, alter: str, reason: str) -> None:
    assert ksql.post(create).status_code == 200
    assert ksql.post(alter).status_code == 200
    message = _refusal(ksql.post("INSERT INTO k (v) VALUES (1);"))
    assert message == ("Failed to insert values into 'K'. Value format does not support "
                       f"schema.\n{reason}")
