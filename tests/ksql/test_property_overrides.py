"""A request's properties on every ksqlDB endpoint, and SET in /ksql, judged by the one
rule (`tote.sql.properties`) with the answers ksqlDB gives for each endpoint."""

from __future__ import annotations

import json

import httpx
from tests.ksql.conftest import Ksql
from tests.ksql.test_ws_query import _refused as ws_refused

UNKNOWN = "Not recognizable as ksql, streams, consumer, or producer property: 'ksql.foo'"
DENIED = ("One or more properties overrides set locally are prohibited by the KSQL server "
          "denylist (use UNSET to reset their default value): [ksql.service.id]")
COERCE = "Failed to coerce type of value 'soon' for key 'ksql.streams.commit.interval.ms'"
CAUSE = ("\nCaused by: Invalid value soon for configuration commit.interval.ms: Not a number"
         "\n\tof type LONG")  # ksqlDB wraps a cause at 80 columns
STREAM = ("CREATE STREAM s (id INT KEY, v STRING) WITH (kafka_topic='s', value_format='JSON', "
          "partitions=1);")


def _generic(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"@type": "generic_error", "error_code": status * 100,
                                "message": message, "stackTrace": []}


def test_ksql_streams_properties(ksql: Ksql) -> None:
    sql = "SHOW STREAMS;"
    unknown = ksql.post(sql, streamsProperties={"ksql.foo": "x"})
    assert unknown.status_code == 500, unknown.text
    assert unknown.json() == {"@type": "statement_error", "error_code": 50000,
                              "message": UNKNOWN, "statementText": sql, "entities": [],
                              "stackTrace": []}
    _generic(ksql.post(sql, streamsProperties={"ksql.service.id": "x"}), 400, DENIED)
    _generic(ksql.post(sql, streamsProperties={"ksql.streams.commit.interval.ms": "soon"}),
             400, COERCE + CAUSE)
    _generic(ksql.post(sql, streamsProperties={"bootstrap.servers": "x:1"}), 400,
             "Failed to coerce type of value 'x:1' for key 'bootstrap.servers'\n"
             "Caused by: Cannot override property 'bootstrap.servers'")
    ok = ksql.post(sql, streamsProperties={"auto.offset.reset": "earliest",
                                           "ksql.streams.commit.interval.ms": 100,
                                           "ksql.query.pull.table.scan.enabled": True})
    assert ok.status_code == 200, ok.text


def test_set_in_a_ksql_request(ksql: Ksql) -> None:
    refused = ksql.post("SET 'ksql.foo' = 'x';")
    assert refused.status_code == 400
    assert refused.json()["@type"] == "statement_error"
    assert refused.json()["error_code"] == 40001
    assert refused.json()["message"] == "Unknown property: ksql.foo"
    denied = ksql.post("SET 'ksql.service.id' = 'x';")
    assert denied.status_code == 400 and denied.json()["message"] == DENIED
    assert ksql.post("SET 'auto.offset.reset' = 'earliest';").status_code == 200


def test_query_endpoints(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    sql = "SELECT * FROM s EMIT CHANGES LIMIT 1;"
    legacy = ksql.client.post("/query", json={"ksql": sql, "streamsProperties": {"ksql.foo": 1}})
    _generic(legacy, 500, UNKNOWN)
    _generic(ksql.client.post("/query", json={
        "ksql": sql, "streamsProperties": {"ksql.streams.commit.interval.ms": "soon"}}),
        400, COERCE + CAUSE)
    _generic(ksql.client.post("/query", json={
        "ksql": sql, "streamsProperties": {"ksql.service.id": "x"}}), 400, DENIED)
    stream = ksql.client.post("/query-stream", json={"sql": sql, "properties": {"ksql.foo": 1}})
    _generic(stream, 400, UNKNOWN)
    _generic(ksql.client.post("/query-stream", json={
        "sql": sql, "properties": {"ksql.streams.commit.interval.ms": "soon"}}), 400, COERCE)
    _generic(ksql.client.post("/query-stream", json={
        "sql": sql, "properties": {"ksql.service.id": "x"}}), 400, DENIED)


def test_ws_query(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    sql = "SELECT * FROM s EMIT CHANGES;"
    for properties, message in (({"ksql.foo": 1}, UNKNOWN),
                                ({"ksql.service.id": "x"}, DENIED),
                                ({"ksql.streams.commit.interval.ms": "soon"}, COERCE)):
        assert ws_refused(ksql, {"ksql": sql, "streamsProperties": properties}) == (
            1003, f"Error parsing request: {message}")


def test_is_valid_property_uses_the_same_names(ksql: Ksql) -> None:
    _generic(ksql.client.get("/is_valid_property/ksql.foo"), 400, UNKNOWN)
    _generic(ksql.client.get("/is_valid_property/main.consumer.max.poll.records"), 400,
             UNKNOWN.replace("ksql.foo", "main.consumer.max.poll.records"))
    assert ksql.client.get("/is_valid_property/ksql.functions.f.x").json() is True
    assert json.loads(ksql.client.get("/is_valid_property/consumer.max.poll.records").text)
