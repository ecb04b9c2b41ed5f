"""Bad input never crashes the server: 1,200 generated requests, no 5xx answer but the
ones ksqlDB itself gives (its 50000 body, e.g. for a property name it does not know), and
the server still serves afterwards."""

from __future__ import annotations

import json
import random

FRAGMENTS = [
    "SELECT", "*", "FROM", "bets", "pool", "WHERE", "runner", "=", "1", "'x'", "EMIT",
    "CHANGES", "LIMIT", "0", "CREATE", "STREAM", "TABLE", "AS", "(", ")", ",", ";", "DROP",
    "DESCRIBE", "SHOW", "STREAMS", "QUERIES", "INSERT", "INTO", "VALUES", "GROUP BY",
    "WINDOW", "TUMBLING", "SIZE", "1 SECOND", "${x}", "`q`", "NULL", "CAST", "INT",
    "WITH", "kafka_topic='z'", "value_format='JSON'", "TERMINATE", "ALL", "PRINT", "--",
    "/*", "'", "\"", "\x00", "é", "EXPLAIN", "SET", "'auto.offset.reset'='nope'",
]
# ksqlDB's own 500 answers to bad input (KsqlResource and the streamed-query resource
# report an unresolvable property name as an internal error).
KSQLDB_500S = ("Not recognizable as ksql, streams, consumer, or producer property",)
ENDPOINTS = ["/ksql", "/query", "/query-stream", "/close-query", "/inserts-stream",
             "/ksql/terminate"]


def _sql(rng: random.Random) -> str:
    return " ".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(0, 12)))


def _body(rng: random.Random) -> bytes:
    choice = rng.randint(0, 9)
    if choice == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 40)))
    if choice == 1:
        return json.dumps(rng.choice([[], 1, "x", None, {"ksql": 1}, {"sql": []}])).encode()
    sql = _sql(rng)
    if "EMIT" in sql and "LIMIT" not in sql:
        sql += " LIMIT 0"
    body: dict[str, object] = {
        rng.choice(["ksql", "sql", "queryId", "target"]): sql,
        "streamsProperties": rng.choice([{}, {"auto.offset.reset": "earliest"},
                                         {"x": 1}, [], "y"]),
        "commandSequenceNumber": rng.choice([None, -1, 0, "a", 1.5, True]),
    }
    text = json.dumps(body)
    if choice == 2:
        text = text[: rng.randint(0, len(text))]
    return text.encode()


def test_fuzzed_requests_get_client_errors_not_server_errors(ksql) -> None:
    ksql.post("CREATE STREAM bets (runner INT KEY, v INT) WITH (kafka_topic='bets', "
              "value_format='JSON', partitions=1);")
    ksql.post("CREATE TABLE pool AS SELECT runner, COUNT(*) AS n FROM bets GROUP BY runner;")
    rng = random.Random(20240917)
    statuses: dict[int, int] = {}
    for _ in range(1200):
        path = rng.choice(ENDPOINTS)
        response = ksql.client.post(path, content=_body(rng),
                                    headers={"Content-Type": "application/json"})
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            body = response.json()
            assert response.status_code == 500 and body["error_code"] == 50000 and \
                body["message"].startswith(KSQLDB_500S), (path, response.status_code,
                                                          response.text)
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body["error_code"], int)
            assert isinstance(body["message"], str)
    assert sum(statuses.values()) == 1200
    assert ksql.client.get("/info").json()["KsqlServerInfo"]["serverStatus"] == "RUNNING"
    assert ksql.post("SHOW TABLES;").json()[0]["tables"][0]["name"] == "POOL"
