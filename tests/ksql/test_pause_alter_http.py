"""PAUSE / RESUME and ALTER STREAM|TABLE through the ksqlDB REST server: the bodies
ksqlDB answers on /ksql (`currentStatus` with its command ids and messages; a
`statement_error` for an unknown query id), and the PAUSED state in SHOW QUERIES,
EXPLAIN and DESCRIBE EXTENDED."""

from __future__ import annotations

from typing import Any

from tests.ksql.conftest import Ksql

SETUP = """
CREATE STREAM S (ID INT KEY, V INT) WITH (kafka_topic='s', partitions=1, value_format='JSON');
CREATE STREAM OUT AS SELECT * FROM S;
"""


def _query_id(ksql: Ksql) -> str:
    response = ksql.post(SETUP, streamsProperties={"auto.offset.reset": "earliest"})
    assert response.status_code == 200, response.text
    query_id: str = response.json()[1]["commandStatus"]["queryId"]
    return query_id


def _one(ksql: Ksql, sql: str) -> dict[str, Any]:
    response = ksql.post(sql)
    assert response.status_code == 200, response.text
    [body] = response.json()
    assert isinstance(body, dict)
    return body


def test_pause_and_resume_answer_as_ksqldb(ksql: Ksql) -> None:
    qid = _query_id(ksql)
    paused = _one(ksql, f"PAUSE {qid};")
    sequence = paused.pop("commandSequenceNumber")
    assert isinstance(sequence, int) and sequence > 0
    assert paused == {
        "@type": "currentStatus", "statementText": f"PAUSE {qid};",
        "commandId": f"pause/{qid}/execute",
        "commandStatus": {"status": "SUCCESS", "message": "Query paused.", "queryId": None},
        "warnings": []}
    status = ksql.client.get(f"/status/pause/{qid}/execute").json()
    assert status == {"status": "SUCCESS", "message": "Query paused.", "queryId": None}

    [query] = _one(ksql, "SHOW QUERIES;")["queries"]
    assert (query["id"], query["state"], query["statusCount"]) == (qid, "PAUSED",
                                                                   {"PAUSED": 1})
    assert _one(ksql, f"EXPLAIN {qid};")["queryDescription"]["state"] == "PAUSED"
    described = _one(ksql, "DESCRIBE S EXTENDED;")["sourceDescription"]
    assert [(q["id"], q["state"]) for q in described["readQueries"]] == [(qid, "PAUSED")]

    resumed = _one(ksql, "RESUME ALL;")
    assert (resumed["commandId"], resumed["commandStatus"]["message"]) == (
        "resume/ALL/execute", "Query resumed.")
    [query] = _one(ksql, "SHOW QUERIES;")["queries"]
    assert query["state"] == "RUNNING"


def test_an_unknown_query_id_is_a_statement_error(ksql: Ksql) -> None:
    _query_id(ksql)
    response = ksql.post("PAUSE CSAS_NOPE_7;")
    assert response.status_code == 400
    assert response.json() == {
        "@type": "statement_error", "error_code": 40001,
        "message": "Unknown queryId: CSAS_NOPE_7", "statementText": "PAUSE CSAS_NOPE_7;",
        "entities": [], "stackTrace": []}


def test_alter_answers_as_ksqldb_and_describe_shows_the_column(ksql: Ksql) -> None:
    _query_id(ksql)
    altered = _one(ksql, "ALTER STREAM S ADD COLUMN W STRING;")
    altered.pop("commandSequenceNumber")
    assert altered == {
        "@type": "currentStatus", "statementText": "ALTER STREAM S ADD COLUMN W STRING;",
        "commandId": "stream/S/alter",
        "commandStatus": {"status": "SUCCESS", "message": "Stream S altered.",
                          "queryId": None},
        "warnings": []}
    fields = _one(ksql, "DESCRIBE S;")["sourceDescription"]["fields"]
    assert [f["name"] for f in fields] == ["ID", "V", "W"]

    response = ksql.post("ALTER STREAM OUT ADD COLUMN W STRING;")
    assert response.status_code == 400
    body = response.json()
    assert (body["@type"], body["error_code"], body["message"]) == (
        "statement_error", 40001, "ALTER command is not supported for CREATE ... AS "
        "statements.")
