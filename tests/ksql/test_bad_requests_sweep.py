"""Bad request bodies and headers the other ksqlDB API tests do not send: each is
answered with a ksqlDB error body and a 4xx status, never a 500 or a dropped stream."""

from __future__ import annotations

import json

import pytest

from tote.core.records import Record

JSON_TYPE = {"Content-Type": "application/json"}
DEEP = b"[" * 100_000 + b"]" * 100_000


def _generic_400(response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.json() == {"@type": "generic_error", "error_code": 40000,
                               "message": message, "stackTrace": []}


@pytest.mark.parametrize(("path", "field"), [("/ksql", "ksql"), ("/query", "ksql"),
                                             ("/query-stream", "sql")])
def test_deeply_nested_json_is_a_bad_request(ksql, path: str, field: str) -> None:
    response = ksql.client.post(path, content=DEEP, headers=JSON_TYPE)
    _generic_400(response, "Invalid JSON in request: document nested too deeply")
    nested = json.dumps({field: "SHOW STREAMS;", "x": None})
    nested = nested.replace("null", "[" * 50_000 + "]" * 50_000)
    response = ksql.client.post(path, content=nested.encode(), headers=JSON_TYPE)
    _generic_400(response, "Invalid JSON in request: document nested too deeply")


def test_lone_surrogate_escapes_are_refused_everywhere(ksql) -> None:
    ksql.post("CREATE STREAM s1 (id INT KEY, v STRING) WITH (kafka_topic='s1', "
              "value_format='JSON', partitions=1);")
    refused = "Invalid JSON in request: lone surrogate escape in a string (not valid Unicode)"
    for path, body in [
        ("/ksql", {"ksql": "INSERT INTO s1 (id, v) VALUES (1, 'a\ud800');"}),
        ("/ksql", {"ksql": "SHOW \udfff STREAMS;"}),
        ("/ksql", {"ksql": "SHOW STREAMS;", "sessionVariables": {"a": "\ud800"}}),
        ("/query", {"ksql": "SELECT 'x\ud800' FROM s1 EMIT CHANGES;"}),
        ("/query-stream", {"sql": "SELECT * FROM s1 WHERE v = '\ud800';"}),
    ]:
        # json.dumps writes the lone surrogate as the escape `\ud800`
        response = ksql.client.post(path, content=json.dumps(body).encode(), headers=JSON_TYPE)
        _generic_400(response, refused)
    acks = ksql.client.post("/inserts-stream", content=b'{"target":"s1"}\n'
                            + json.dumps({"ID": 2, "V": "b\ud800"}).encode()
                            + b'\n{"ID": 3, "V": "\\ud83d\\ude00"}\n')
    assert acks.status_code == 200
    assert [json.loads(line) for line in acks.text.splitlines()] == [
        {"status": "error", "seq": 0, "error_code": 40000, "message": refused},
        {"status": "ok", "seq": 1}]
    rows = ksql.client.post("/query-stream", json={
        "sql": "SELECT * FROM s1;", "properties": {"auto.offset.reset": "earliest"}})
    # Written as ksqlDB's Jackson writes a character beyond the BMP: its surrogate pair.
    assert rows.text.splitlines()[1:] == ['[3,"\\uD83D\\uDE00"]']
    assert json.loads(rows.text.splitlines()[1]) == [3, "\U0001F600"]


def test_rows_holding_a_lone_surrogate_are_written_as_its_escape(ksql) -> None:
    """A string with no UTF-8 form — from stored JSON's `\\ud800` escape or CHR(55296) —
    goes out as the JSON escape `\\uD800` (Jackson's) in every answer shape, the stream
    whole."""
    ksql.post("CREATE STREAM s1 (id INT KEY, v STRING) WITH (kafka_topic='s1', "
              "value_format='JSON', partitions=1);")
    assert ksql.post("CREATE TABLE t1 AS SELECT id, COUNT(*) AS n FROM s1 "
                     "GROUP BY id;").status_code == 200
    ksql.log.append("s1", [Record(b'{"V": "a\\ud800"}', (1).to_bytes(4, "big"))])
    ksql.wait_idle()
    earliest = {"auto.offset.reset": "earliest"}
    cases = [  # (SQL, its properties, the row); a pull without properties takes the fast path
        ("SELECT id, v, CHR(55296) AS c FROM s1 EMIT CHANGES LIMIT 1;", earliest,
         [1, "a\ud800", "\ud800"]),
        ("SELECT id, CHR(56320) AS c FROM t1 WHERE id = 1;", {}, [1, "\udc00"]),
        ("SELECT id, CHR(56320) AS c FROM t1 WHERE id = 1;", earliest, [1, "\udc00"])]
    for sql, properties, row in cases:
        delimited = ksql.client.post("/query-stream", json={"sql": sql, "properties": properties})
        assert delimited.status_code == 200, delimited.text
        assert json.loads(delimited.text.splitlines()[-1]) == row
        assert b"\\uD" in delimited.content  # the escape (Jackson's), not UTF-8 bytes
        array = ksql.client.post("/query-stream", json={"sql": sql, "properties": properties},
                                 headers={"Accept": "application/json"})
        assert array.status_code == 200, array.text
        assert array.json()[-1] == row
        legacy = ksql.client.post("/query", json={"ksql": sql, "streamsProperties": properties})
        assert legacy.status_code == 200, legacy.text
        assert [e["row"]["columns"] for e in legacy.json() if "row" in e] == [row]


def test_inserts_stream_refuses_a_deeply_nested_row_and_keeps_going(ksql) -> None:
    ksql.post("CREATE STREAM s1 (id INT KEY, v STRING) WITH (kafka_topic='s1', "
              "value_format='JSON', partitions=1);")
    acks = ksql.client.post("/inserts-stream",
                            content=b'{"target":"s1"}\n' + DEEP + b'\n{"ID": 1}\n')
    assert [json.loads(line) for line in acks.text.splitlines()] == [
        {"status": "error", "seq": 0, "error_code": 40000,
         "message": "Invalid JSON in request: document nested too deeply"},
        {"status": "ok", "seq": 1}]
    head = ksql.client.post("/inserts-stream", content=DEEP + b"\n")
    _generic_400(head, "Invalid JSON in request: document nested too deeply")


def test_query_stream_answers_406_when_no_format_is_acceptable(ksql) -> None:
    ksql.post("CREATE STREAM s1 (id INT KEY, v STRING) WITH (kafka_topic='s1', "
              "value_format='JSON', partitions=1);")
    for accept in ("application/xml", "text/html"):
        response = ksql.client.post("/query-stream", json={"sql": "SELECT * FROM s1;"},
                                    headers={"Accept": accept})
        assert response.status_code == 406
        assert response.json() == {"@type": "generic_error", "error_code": 40600,
                                   "message": "Not Acceptable", "stackTrace": []}
    browser = ksql.client.post("/query-stream", json={"sql": "SELECT * FROM s1;"}, headers={
        "Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.status_code == 200
    assert browser.headers["content-type"] == "application/vnd.ksqlapi.delimited.v1"


def test_ksql_and_query_answer_406_before_running_when_no_format_is_acceptable(ksql) -> None:
    for path, sql in (("/ksql", "CREATE STREAM s2 (id INT KEY, v STRING) WITH "
                       "(kafka_topic='s2', value_format='JSON', partitions=1);"),
                      ("/query", "SELECT * FROM s2 EMIT CHANGES LIMIT 1;")):
        response = ksql.client.post(path, json={"ksql": sql},
                                    headers={"Accept": "application/xml"})
        assert response.status_code == 406
        assert response.json() == {"@type": "generic_error", "error_code": 40600,
                                   "message": "Not Acceptable", "stackTrace": []}
    listed = ksql.client.post("/ksql", json={"ksql": "SHOW STREAMS;"},
                              headers={"Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"})
    assert listed.status_code == 200
    assert "S2" not in listed.text  # the refused CREATE never ran
    versioned = ksql.client.post("/ksql", json={"ksql": "SHOW STREAMS;"},
                                 headers={"Accept": "application/vnd.ksql+json"})
    assert versioned.status_code == 200


def test_a_pull_query_answered_on_the_fast_path_also_honours_accept(ksql) -> None:
    ksql.post("CREATE STREAM s3 (id INT KEY, v STRING) WITH (kafka_topic='s3', "
              "value_format='JSON', partitions=1);")
    ksql.post("CREATE TABLE t3 AS SELECT id, COUNT(*) AS n FROM s3 GROUP BY id;")
    pull = {"ksql": "SELECT * FROM t3 WHERE id = 1;"}
    assert ksql.client.post("/query", json=pull).status_code == 200
    refused = ksql.client.post("/query", json=pull, headers={"Accept": "application/xml"})
    assert refused.status_code == 406
    assert refused.json()["error_code"] == 40600
