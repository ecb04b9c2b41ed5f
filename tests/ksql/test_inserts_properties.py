"""`POST /inserts-stream` judges the `properties` of its first line as ksqlDB does
(`KsqlServerEndpoints.createInsertsSubscriber` → `resolveAndValidateProperties`): before
it looks at the target or answers 200, an unknown, ill-typed or denied property is a 400
generic error (40000) with the top message alone, and no row is written."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.ksql.conftest import Ksql
from tests.ksql.sqlite_server import ksql_on_sqlite
from tests.ksql.test_http2 import H2

STREAM = ("CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON', "
          "partitions=1);")
UNKNOWN = "Not recognizable as ksql, streams, consumer, or producer property: 'ksql.foo'"
DENIED = ("One or more properties overrides set locally are prohibited by the KSQL server "
          "denylist (use UNSET to reset their default value): [ksql.service.id]")
COERCE = "Failed to coerce type of value 'soon' for key 'ksql.streams.commit.interval.ms'"
ROW = b'{"ID":1,"V":"a"}\n'


@pytest.fixture
def ksql(tmp_path: Path) -> Iterator[Ksql]:
    with ksql_on_sqlite(tmp_path) as server:
        assert server.post(STREAM).status_code == 200
        yield server


def _head(target: str, properties: dict[str, Any]) -> bytes:
    return json.dumps({"target": target, "properties": properties}).encode() + b"\n"


def _error(message: str) -> dict[str, Any]:
    return {"@type": "generic_error", "error_code": 40000, "message": message,
            "stackTrace": []}


def _rows(ksql: Ksql) -> list[Any]:
    answer = ksql.client.post("/query-stream", json={"sql": "SELECT * FROM s;"})
    return [json.loads(line) for line in answer.text.splitlines()[1:]]


@pytest.mark.parametrize(("properties", "message"), [
    ({"ksql.foo": "x"}, UNKNOWN),
    ({"ksql.service.id": "other"}, DENIED),
    ({"ksql.streams.commit.interval.ms": "soon"}, COERCE),
], ids=["unknown", "denied", "ill-typed"])
def test_refused_property_is_a_400_before_any_row(ksql: Ksql, properties: dict[str, Any],
                                                  message: str) -> None:
    refused = ksql.client.post("/inserts-stream", content=_head("S", properties) + ROW)
    assert refused.status_code == 400, refused.text
    assert refused.json() == _error(message)
    # Checked before the target: an unknown stream is not what it answers.
    elsewhere = ksql.client.post("/inserts-stream", content=_head("NOPE", properties) + ROW)
    assert elsewhere.json() == _error(message)
    assert _rows(ksql) == []


def test_accepted_properties_insert_the_rows(ksql: Ksql) -> None:
    answer = ksql.client.post("/inserts-stream", content=_head("S", {
        "ksql.streams.commit.interval.ms": 100, "auto.offset.reset": "earliest"}) + ROW)
    assert answer.status_code == 200, answer.text
    assert [json.loads(line) for line in answer.text.splitlines()] == [
        {"status": "ok", "seq": 0}]
    assert _rows(ksql) == [[1, "a"]]


def test_refusal_over_http2_is_the_status_while_the_body_is_still_open(ksql: Ksql) -> None:
    """The answer's headers say 400, not a 200 with an error line: ksqlDB refuses before it
    writes the headers, even though the client has not finished sending."""
    client = H2(ksql.url)
    try:
        stream = client.open("/inserts-stream", _head("S", {"ksql.foo": 1}) + ROW, end=False)
        client.pump_until(lambda: stream in client.ended, "the refusal")
        assert client.status[stream] == 400
        assert json.loads(bytes(client.data[stream])) == _error(UNKNOWN)
    finally:
        client.close()
    assert _rows(ksql) == []
