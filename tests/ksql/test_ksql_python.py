"""The `ksql-python-ng` client package (module `ksql`) against tote's ksqlDB server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

ksql_module = pytest.importorskip("ksql")


@pytest.fixture(autouse=True)
def httpx_without_cert(monkeypatch: pytest.MonkeyPatch) -> None:
    """ksql-python-ng 0.29 passes `cert=None` to httpx's module functions, which httpx 0.28
    no longer accepts (a TypeError before any request is sent). Drop that argument so the
    client's real requests reach the server; nothing else changes."""
    def without_cert(function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            if kwargs.get("cert") is None:
                kwargs.pop("cert", None)
            return function(*args, **kwargs)
        return call

    for name in ("get", "post", "request", "stream"):
        monkeypatch.setattr(httpx, name, without_cert(getattr(httpx, name)))


def test_client_runs_statements_and_queries(ksql) -> None:
    client = ksql_module.KSQLAPI(ksql.url)
    assert client.get_ksql_version() == "7.6.0"
    created = client.ksql("CREATE STREAM bets (runner INT KEY, amount DOUBLE) WITH "
                          "(kafka_topic='bets', value_format='JSON', partitions=1);")
    assert created[0]["commandStatus"]["status"] == "SUCCESS"
    client.ksql("INSERT INTO bets (runner, amount) VALUES (1, 2.5);"
                "INSERT INTO bets (runner, amount) VALUES (2, 4.0);")
    streams = client.ksql("SHOW STREAMS;")
    assert [s["name"] for s in streams[0]["streams"]] == ["BETS"]
    properties = client.get_properties()
    # Streams configs are listed under ksql.streams., as ksqlDB 8 lists them.
    assert {p["name"] for p in properties} >= {"ksql.service.id",
                                               "ksql.streams.auto.offset.reset"}
    chunks = list(client.query("SELECT * FROM bets EMIT CHANGES LIMIT 2;",
                               stream_properties={"auto.offset.reset": "earliest"}))
    body = json.loads("".join(chunks))
    assert body[0]["header"]["schema"] == "`RUNNER` INTEGER, `AMOUNT` DOUBLE"
    assert [m["row"]["columns"] for m in body[1:3]] == [[1, 2.5], [2, 4.0]]
    assert body[3] == {"finalMessage": "Limit Reached"}


def test_client_errors_and_close_query(ksql) -> None:
    client = ksql_module.KSQLAPI(ksql.url)
    with pytest.raises(ksql_module.errors.KSQLError) as error:
        client.ksql("DESCRIBE nothing_here;")
    assert error.value.error_code == 40001
    assert error.value.msg == "Could not find STREAM/TABLE 'NOTHING_HERE' in the Metastore"
    assert client.close_query("transient_NOPE_1") is False


WAIT = 30.0
BETS = ("CREATE STREAM bets (runner INT KEY, amount DOUBLE) WITH (kafka_topic='bets', "
        "value_format='JSON', partitions=1);")


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


def test_ksql_python_push_query_and_inserts_over_http2(ksql) -> None:
    """`query(use_http2=True)` streams rows live as `inserts_stream` (HTTP/2) writes them;
    `close_query` ends the stream."""
    assert ksql.post(BETS).status_code == 200
    client = ksql_module.KSQLAPI(ksql.url)
    chunks: list[str] = []
    failures: list[BaseException] = []

    def read() -> None:
        try:
            chunks.extend(client.query("SELECT * FROM bets EMIT CHANGES;", use_http2=True))
        except (httpx.HTTPError, ValueError) as exc:  # reported by the assertions below
            failures.append(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    _until(lambda: "\n" in "".join(chunks), "the query's metadata")
    metadata = json.loads("".join(chunks).splitlines()[0])
    assert metadata["columnNames"] == ["RUNNER", "AMOUNT"]
    query_id = metadata["queryId"]
    assert [q.query_id for q in ksql.server.queries.running()] == [query_id]

    acks = client.inserts_stream("BETS", [{"RUNNER": 1, "AMOUNT": 2.5},
                                          {"runner": 2, "amount": 4.0}])
    assert acks == [{"status": "ok", "seq": 0}, {"status": "ok", "seq": 1}]

    def rows() -> list[Any]:
        return [json.loads(line) for line in "".join(chunks).splitlines()[1:] if line]

    _until(lambda: len(rows()) == 2, "both rows on the live query")
    assert rows() == [[1, 2.5], [2, 4.0]]
    assert reader.is_alive()

    assert client.close_query(query_id) is True
    reader.join(WAIT)
    assert not reader.is_alive()
    assert failures == []
    assert ksql.server.queries.running() == []


def test_ksql_python_inserts_stream_reports_bad_rows_over_http2(ksql) -> None:
    assert ksql.post(BETS).status_code == 200
    client = ksql_module.KSQLAPI(ksql.url)
    acks = client.inserts_stream("BETS", [{"RUNNER": "x"}, {"RUNNER": 3}])
    assert acks[0]["status"] == "error" and acks[0]["seq"] == 0
    assert acks[0]["error_code"] == 40000
    assert acks[1] == {"status": "ok", "seq": 1}
