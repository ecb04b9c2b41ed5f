"""A server started with `ksql.insert.into.values.enabled=false` refuses INSERT VALUES
(over /ksql, also inside a request its validation walk refuses as a whole) and
`/inserts-stream`, with ksqlDB's message; no SET or request property turns it back on
(ksqlDB reads it from the server's own config). A real server on a free port."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.ksql.conftest import Ksql, serving

DISABLED = ("The server has disabled INSERT INTO ... VALUES functionality. To enable it, "
            "restart your ksqlDB server with 'ksql.insert.into.values.enabled'=true")
CREATE = ("CREATE STREAM s1 (id INT KEY, name STRING) WITH (kafka_topic='s1', "
          "value_format='JSON', partitions=1);")
INSERT = "INSERT INTO s1 (id, name) VALUES (1, 'a');"


@pytest.fixture
def disabled() -> Iterator[Ksql]:
    with serving({"ksql.insert.into.values.enabled": "false"}) as running:
        yield running


def _statement_error(response: httpx.Response, sql: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["@type"], body["error_code"], body["message"], body["statementText"]) == (
        "statement_error", 40001, DISABLED, sql)


def _written(ksql: Ksql) -> int:
    return sum(p.end_offset for p in ksql.log.describe_topic("s1").partitions)


def test_insert_values_is_refused(disabled: Ksql) -> None:
    assert disabled.post(CREATE).status_code == 200
    _statement_error(disabled.post(INSERT), INSERT)
    # The server's config alone decides: a request property does not re-enable it.
    _statement_error(disabled.post(INSERT, streamsProperties={
        "ksql.insert.into.values.enabled": "true"}), INSERT)
    assert _written(disabled) == 0


def test_a_request_with_an_insert_is_refused_before_anything_runs(disabled: Ksql) -> None:
    sql = CREATE + "\n" + INSERT
    _statement_error(disabled.post(sql), INSERT)
    listed = disabled.post("SHOW STREAMS;").json()[0]["streams"]
    assert [s["name"] for s in listed] == []


def test_the_source_is_checked_first(disabled: Ksql) -> None:
    response = disabled.post("INSERT INTO nope (id) VALUES (1);")
    assert response.status_code == 400
    assert response.json()["message"].startswith(
        "Cannot insert values into an unknown stream/table")


@pytest.mark.parametrize("target", ["s1", "nope"])
def test_inserts_stream_is_a_bad_request(disabled: Ksql, target: str) -> None:
    assert disabled.post(CREATE).status_code == 200
    body = b'{"target":"' + target.encode() + b'"}\n{"ID": 1, "NAME": "a"}\n'
    response = disabled.client.post("/inserts-stream", content=body)
    assert response.status_code == 400, response.text
    assert response.json() == {"@type": "generic_error", "error_code": 40000,
                               "message": DISABLED, "stackTrace": []}
    assert _written(disabled) == 0


def test_enabled_by_default(ksql: Ksql) -> None:
    assert ksql.post(CREATE).status_code == 200
    assert ksql.post(INSERT).status_code == 200
    assert _written(ksql) == 1
