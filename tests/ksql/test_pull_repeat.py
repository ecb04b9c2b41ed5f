"""A key lookup asked again and again (a dashboard polling one runner's pool): every
answer is the current row, in each of the shapes the query endpoints speak, over
HTTP/1.1 and h2c, and a row changed between two lookups shows in the second."""

from __future__ import annotations

import json

import httpx

WAIT = 30.0
SETUP = ("CREATE STREAM bets (runner INT KEY, amount DOUBLE) WITH (kafka_topic='bets', "
         "value_format='JSON', partitions=1);"
         "CREATE TABLE pool AS SELECT runner, SUM(amount) AS total FROM bets GROUP BY runner;")
LOOKUP = "SELECT * FROM pool WHERE runner = 1;"


def _bet(ksql, amount: float) -> None:
    answer = ksql.client.post("/inserts-stream", content=(
        b'{"target":"BETS"}\n' + json.dumps({"RUNNER": 1, "AMOUNT": amount}).encode()))
    assert [json.loads(line)["status"] for line in answer.text.splitlines()] == ["ok"]
    ksql.wait_idle()


def _answers(client: httpx.Client) -> list[object]:
    """The lookup's rows as each shape carries them."""
    delimited = client.post("/query-stream", json={"sql": LOOKUP})
    assert delimited.headers["content-type"] == "application/vnd.ksqlapi.delimited.v1"
    lines = delimited.text.splitlines()
    assert json.loads(lines[0])["columnNames"] == ["RUNNER", "TOTAL"]
    array = client.post("/query-stream", json={"sql": LOOKUP},
                        headers={"Accept": "application/json"})
    assert array.headers["content-type"] == "application/json"
    legacy = client.post("/query", json={"ksql": LOOKUP})
    header = legacy.json()[0]["header"]
    assert header["schema"] == "`RUNNER` INTEGER KEY, `TOTAL` DOUBLE"
    return [[json.loads(line) for line in lines[1:]], array.json()[1:],
            [element["row"]["columns"] for element in legacy.json()[1:]]]


def test_repeated_lookups_follow_the_table(ksql) -> None:
    assert ksql.post(SETUP).status_code == 200
    _bet(ksql, 2.0)
    with httpx.Client(base_url=ksql.url, http2=True, http1=False, timeout=WAIT) as h2c:
        for client in (ksql.client, h2c, ksql.client, h2c):
            assert _answers(client) == [[[1, 2.0]]] * 3
        _bet(ksql, 3.0)
        for client in (h2c, ksql.client):
            assert _answers(client) == [[[1, 5.0]]] * 3
        ids = {client.post("/query-stream", json={"sql": LOOKUP}).text.splitlines()[0]
               for client in (ksql.client, h2c, ksql.client)}
        assert len(ids) == 3  # every answer has its own query id


def test_lookup_errors_and_properties_are_answered_as_before(ksql) -> None:
    assert ksql.post(SETUP).status_code == 200
    _bet(ksql, 2.0)
    for _ in range(2):
        assert _answers(ksql.client) == [[[1, 2.0]]] * 3
    with_properties = ksql.client.post("/query-stream", json={
        "sql": LOOKUP, "properties": {"auto.offset.reset": "earliest"}})
    assert with_properties.text.splitlines()[1:] == ["[1,2.0]"]
    unknown = ksql.client.post("/query-stream", json={
        "sql": LOOKUP, "properties": {"no.such": 1}})
    assert unknown.status_code == 400
    assert unknown.json()["error_code"] == 40000
    not_json = ksql.client.post("/query-stream", content=b"{nope")
    assert not_json.status_code == 400
    assert not_json.json()["@type"] == "generic_error"
