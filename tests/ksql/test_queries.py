"""Push and pull queries over `/query`, `/query-stream` and `/close-query`."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx

ODDS_QUERY = "SELECT * FROM tote_win_bet_race_runners_odds WHERE race_id = 0 EMIT CHANGES"
HEADER_SCHEMA = ("`RACE_ID` INTEGER, `RUNNER_ID` INTEGER, `RUNNER_POOL_AMOUNT` DOUBLE, "
                 "`RACE_POOL_AMOUNT` DOUBLE, `ODDS` DOUBLE")
# The seed's odds rows (../shared/seed/README.md), in order.
ODDS_ROWS = [
    [0, 1, 25.0, 25.0, 1.0], [0, 2, 50.0, 75.0, 1.5], [0, 1, 75.0, 125.0, 125.0 / 75.0],
    [0, 2, 55.0, 130.0, 130.0 / 55.0], [0, 2, 65.0, 140.0, 140.0 / 65.0],
    [0, 2, 85.0, 160.0, 160.0 / 85.0], [0, 2, 65.0, 140.0, 140.0 / 65.0],
    [0, 1, 75.0, 140.0, 140.0 / 75.0], [0, 2, 65.0, 140.0, 140.0 / 65.0]]


def _array(text: str) -> list[Any]:
    parsed: list[Any] = json.loads(text)
    return parsed


def test_seed_push_query_streams_rows_live(ksql) -> None:
    """The seed's CLI query, started before any bet exists, sees each odds row as the bets
    arrive (auto.offset.reset latest, as ksqlDB's default)."""
    ksql.build_seed()
    chunks: list[str] = []
    first_chunk = threading.Event()

    def bets() -> None:
        assert first_chunk.wait(60)
        ksql.post_bets("post_bets.payload.json")
        ksql.post_bets("post_bets_large.payload.json")

    producer = threading.Thread(target=bets)
    producer.start()
    with ksql.client.stream("POST", "/query", json={
            "ksql": ODDS_QUERY + " LIMIT 9;", "streamsProperties": {}}) as response:
        assert response.status_code == 200
        for chunk in response.iter_text():
            chunks.append(chunk)
            first_chunk.set()
    producer.join()
    body = _array("".join(chunks))
    assert body[0] == {"header": {"queryId": "transient_TOTE_WIN_BET_RACE_RUNNERS_ODDS_1",
                                  "schema": HEADER_SCHEMA}}
    assert [m["row"]["columns"] for m in body[1:-1]] == ODDS_ROWS
    assert body[-1] == {"finalMessage": "Limit Reached"}


def test_push_query_from_earliest_on_query_stream(ksql) -> None:
    ksql.build_seed()
    ksql.post_bets("post_bets.payload.json")
    ksql.wait_idle()
    request = {"sql": ODDS_QUERY + " LIMIT 2;", "properties": {"auto.offset.reset": "earliest"}}
    delimited = ksql.client.post("/query-stream", json=request)
    assert delimited.headers["content-type"] == "application/vnd.ksqlapi.delimited.v1"
    lines = [json.loads(line) for line in delimited.text.splitlines() if line.strip()]
    assert lines[0]["columnNames"] == ["RACE_ID", "RUNNER_ID", "RUNNER_POOL_AMOUNT",
                                       "RACE_POOL_AMOUNT", "ODDS"]
    assert lines[0]["columnTypes"] == ["INTEGER", "INTEGER", "DOUBLE", "DOUBLE", "DOUBLE"]
    assert lines[1:] == ODDS_ROWS[:2]
    as_json = ksql.client.post("/query-stream", json=request,
                               headers={"Accept": "application/json"})
    assert as_json.headers["content-type"] == "application/json"
    body = _array(as_json.text)
    assert body[1:] == ODDS_ROWS[:2]
    assert body[0]["columnNames"][0] == "RACE_ID"


def test_push_query_projection_filter_and_zero_limit(ksql) -> None:
    ksql.post("CREATE STREAM s (k STRING KEY, v INT) WITH (kafka_topic='s', "
              "value_format='JSON', partitions=1);")
    ksql.post("INSERT INTO s (k, v) VALUES ('a', 1); INSERT INTO s (k, v) VALUES ('b', 2);"
              "INSERT INTO s (k, v) VALUES ('c', 3);")
    props = {"auto.offset.reset": "earliest"}
    body = _array(ksql.client.post("/query", json={
        "ksql": "SELECT v * 10 AS ten, k FROM s WHERE v >= 2 EMIT CHANGES LIMIT 2;",
        "streamsProperties": props}).text)
    assert body[0]["header"]["schema"] == "`TEN` INTEGER, `K` STRING"
    assert [m["row"]["columns"] for m in body[1:3]] == [[20, "b"], [30, "c"]]
    zero = _array(ksql.client.post("/query", json={
        "ksql": "SELECT * FROM s EMIT CHANGES LIMIT 0;", "streamsProperties": props}).text)
    assert zero[1:] == [{"finalMessage": "Limit Reached"}]


def test_close_query_ends_a_running_push_query(ksql) -> None:
    ksql.post("CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON', "
              "partitions=1);")
    seen: list[str] = []
    with ksql.client.stream("POST", "/query", json={
            "ksql": "SELECT * FROM s EMIT CHANGES;", "streamsProperties": {}}) as response:
        chunks = response.iter_text()
        seen.append(next(chunks))
        query_id = json.loads(seen[0].lstrip("["))["header"]["queryId"]
        assert query_id == "transient_S_1"
        listed = ksql.post("SHOW QUERIES;").json()[0]["queries"]
        assert [(q["id"], q["queryType"]) for q in listed] == [("transient_S_1", "PUSH")]
        closed = ksql.client.post("/close-query", json={"queryId": query_id})
        assert closed.status_code == 200
        seen.extend(chunks)
    assert "".join(seen).rstrip().endswith("]")
    again = ksql.client.post("/close-query", json={"queryId": query_id})
    assert again.status_code == 400
    assert again.json()["message"] == "No query with id transient_S_1"


def test_idle_push_query_sends_keepalive_newlines(ksql) -> None:
    ksql.post("CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON', "
              "partitions=1);")
    with ksql.client.stream("POST", "/query", json={
            "ksql": "SELECT * FROM s EMIT CHANGES;", "streamsProperties": {}}) as response:
        chunks = response.iter_text()
        next(chunks)
        assert next(chunks) == "\n"


def test_pull_queries_on_the_seed_tables_and_stream(ksql) -> None:
    ksql.build_seed()
    ksql.post_bets("post_bets.payload.json")
    ksql.post_bets("post_bets_large.payload.json")
    ksql.wait_idle()
    lookup = _array(ksql.client.post("/query", json={
        "ksql": "SELECT * FROM tote_runners_pool WHERE runner_id = 2;"}).text)
    assert lookup == [
        {"header": {"queryId": "transient_TOTE_RUNNERS_POOL_1",
                    "schema": "`RUNNER_ID` INTEGER KEY, `RUNNER_POOL_AMOUNT` DOUBLE"}},
        {"row": {"columns": [2, 65.0]}}]
    scan = _array(ksql.client.post("/query", json={
        "ksql": "SELECT runner_id, runner_pool_amount * 2 AS doubled FROM tote_runners_pool "
                "WHERE runner_pool_amount > 70;"}).text)
    assert [m["row"]["columns"] for m in scan[1:]] == [[1, 150.0]]
    stream = _array(ksql.client.post("/query", json={
        "ksql": "SELECT * FROM tote_win_bet_race_runners_odds WHERE race_id = 0;"}).text)
    assert [m["row"]["columns"] for m in stream[1:-1]] == ODDS_ROWS
    assert stream[-1] == {"finalMessage": "Query Completed"}


def test_query_errors(ksql) -> None:
    ksql.post("CREATE TABLE t (id STRING PRIMARY KEY, n INT) WITH (kafka_topic='t', "
              "value_format='JSON', partitions=1);")
    unknown = ksql.client.post("/query", json={"ksql": "SELECT * FROM nope EMIT CHANGES;"})
    assert unknown.status_code == 400
    assert unknown.json()["@type"] == "statement_error"
    assert unknown.json()["message"] == "Line: 1, Col: 15: Source `NOPE` does not exist."
    not_queryable = ksql.client.post("/query", json={"ksql": "SELECT * FROM t WHERE id = 'a';"})
    assert not_queryable.json()["message"] == (
        "The `T` table isn't queryable. To derive a queryable table, you can do 'CREATE "
        "TABLE QUERYABLE_T AS SELECT * FROM T'. See https://cnfl.io/queries for more info.")
    ddl = ksql.client.post("/query", json={"ksql": "SHOW STREAMS;"})
    assert ddl.status_code == 400
    assert ddl.json()["statementText"] == "SHOW STREAMS;"
    missing = ksql.client.post("/query-stream", json={"ksql": "SELECT 1;"})
    assert missing.status_code == 400
    assert missing.json()["message"] == '"sql" field must be populated'


def test_inserts_stream(ksql) -> None:
    ksql.post("CREATE STREAM s (k STRING KEY, v INT, d DOUBLE) WITH (kafka_topic='s', "
              "value_format='JSON', partitions=1);")
    body = '{"target":"S"}\n{"K":"a","V":1,"D":1.5}\n{"k":"b","v":"x"}\n{"k":"c"}\n'
    response = ksql.client.post("/inserts-stream", content=body.encode())
    acks = [json.loads(line) for line in response.text.splitlines()]
    assert acks[0] == {"status": "ok", "seq": 0}
    assert acks[1]["status"] == "error" and acks[1]["seq"] == 1
    assert acks[1]["error_code"] == 40000
    assert acks[2] == {"status": "ok", "seq": 2}
    rows = _array(ksql.client.post("/query", json={"ksql": "SELECT * FROM s;"}).text)
    assert [m["row"]["columns"] for m in rows[1:-1]] == [["a", 1, 1.5], ["c", None, None]]
    unknown = ksql.client.post("/inserts-stream", content=b'{"target":"NOPE"}\n{}')
    assert unknown.status_code == 400
    assert unknown.json()["message"] == ("Cannot insert values into an unknown stream/table: "
                                          "`NOPE`")


def test_terminate_transient_query_over_ksql(ksql) -> None:
    ksql.post("CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON', "
              "partitions=1);")
    with ksql.client.stream("POST", "/query", json={
            "ksql": "SELECT * FROM s EMIT CHANGES;"}) as response:
        chunks = response.iter_text()
        next(chunks)
        answer = ksql.post("TERMINATE transient_S_1;").json()
        assert answer == [{"@type": "terminate_query", "statementText": "TERMINATE transient_S_1;",
                           "warnings": [], "queryId": "transient_S_1", "wasTerminated": True}]
        rest = "".join(chunks)
    assert rest.endswith("]\n")
    assert ksql.client.get("/info").status_code == httpx.codes.OK
