"""The `ksql-python-ng` client package (module `ksql`) against tote's ksqlDB server."""

from __future__ import annotations

import json
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
    assert {p["name"] for p in properties} >= {"ksql.service.id", "auto.offset.reset"}
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
