"""ksqlDB's WebSocket endpoint `GET /ws/query?request=<KsqlRequest JSON>`, spoken to by a
real WebSocket client (wsproto over a socket) through the server `tote serve ksqldb`
runs: a schema message, one `{"row":...}` message per row, `{"error":"done"}` and close
1000 "done" at the end; a request it refuses is `{"error": why}` and close 1003."""

from __future__ import annotations

import json
import socket
import time
from collections import deque
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from tests.ksql.conftest import Ksql, wait_ready
from tests.ksql.test_http2 import WAIT, _until
from tests.ksql.test_push_wake import LONG_WAIT, _polling
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Event,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

from tote.http import ksql_streams
from tote.http.hyper import HyperServerThread
from tote.http.ksql_api import create_ksql_app
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.server import KsqlServer

STREAM = ("CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON', "
          "partitions=1);")
V_SCHEMA = '{"name":"V","schema":{"type":"INTEGER","fields":null,"memberSchema":null}}'
DONE = '{"error":"done"}'
POLL_THREAD = "ksql-push-poll"


def _path(request: Any, **params: str) -> str:
    text = request if isinstance(request, str) else json.dumps(request)
    query = "&".join([f"request={quote(text)}", *(f"{k}={quote(v)}" for k, v in
                                                  params.items())])
    return f"/ws/query?{query}"


class WsClient:
    """A WebSocket client connection: the opening handshake, then text messages until
    the server closes."""

    def __init__(self, ksql: Ksql, path: str, headers: dict[str, str] | None = None) -> None:
        port = int(ksql.url.rsplit(":", 1)[1])
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self._events: deque[Event] = deque()
        extra = [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
        self.sock.sendall(self.ws.send(Request(host="ksql", target=path,
                                               extra_headers=extra)))
        self.opening = self._event()  # AcceptConnection, or RejectConnection

    def _event(self) -> Event:
        while not self._events:
            data = self.sock.recv(65536)
            self.ws.receive_data(data or None)
            self._events.extend(self.ws.events())
            if not data and not self._events:
                raise AssertionError("the server went away without a close frame")
        return self._events.popleft()

    def message(self) -> str | CloseConnection:
        """The next text message, or the server's close (answered)."""
        parts: list[str] = []
        while True:
            event = self._event()
            if isinstance(event, CloseConnection):
                self.sock.sendall(self.ws.send(event.response()))
                return event
            assert not isinstance(event, BytesMessage), event
            if isinstance(event, TextMessage):
                parts.append(event.data)
                if event.message_finished:
                    return "".join(parts)

    def until_close(self) -> tuple[list[str], CloseConnection]:
        messages: list[str] = []
        while True:
            got = self.message()
            if isinstance(got, CloseConnection):
                return messages, got
            messages.append(got)

    def rejection(self) -> tuple[int, bytes]:
        assert isinstance(self.opening, RejectConnection), self.opening
        body = b""
        if self.opening.has_body:
            while True:
                event = self._event()
                assert isinstance(event, RejectData)
                body += event.data
                if event.body_finished:
                    break
        return self.opening.status_code, body

    def close(self) -> None:
        self.sock.sendall(self.ws.send(CloseConnection(code=1000, reason="bye")))

    def drop(self) -> None:
        self.sock.close()


def _open(ksql: Ksql, request: Any, **params: str) -> WsClient:
    client = WsClient(ksql, _path(request, **params))
    assert isinstance(client.opening, AcceptConnection), client.opening
    return client


def _insert(ksql: Ksql, *values: int) -> None:
    for v in values:
        assert ksql.post(f"INSERT INTO s (v) VALUES ({v});").status_code == 200


def _refused(ksql: Ksql, request: Any, **params: str) -> tuple[int, str]:
    """The close of a request the server refuses, and why: the `{"error"}` message before
    it, whose text the close reason holds (cut to 123 bytes)."""
    messages, close = _open(ksql, request, **params).until_close()
    assert len(messages) == 1, messages
    why = json.loads(messages[0])["error"]
    assert close.reason == (why if len(why.encode()) <= 123 else why[:120] + "...")
    return close.code, why


def test_push_query_rows_arrive_as_they_are_inserted(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    client = _open(ksql, {"ksql": "SELECT * FROM s EMIT CHANGES;",
                          "streamsProperties": {}})
    assert client.message() == f"[{V_SCHEMA}]"
    _until(lambda: len(ksql.server.queries.running()) == 1, "the push query to run")
    _insert(ksql, 1)
    assert client.message() == '{"row":{"columns":[1]}}'
    _insert(ksql, 2)
    assert client.message() == '{"row":{"columns":[2]}}'
    client.drop()


def test_push_query_limit_ends_with_done(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    _insert(ksql, 1, 2, 3)
    client = _open(ksql, {"ksql": "SELECT v * 10 AS x FROM s EMIT CHANGES LIMIT 2;",
                          "streamsProperties": {"auto.offset.reset": "earliest"}})
    messages, close = client.until_close()
    assert messages == [
        '[{"name":"X","schema":{"type":"INTEGER","fields":null,"memberSchema":null}}]',
        '{"row":{"columns":[10]}}', '{"row":{"columns":[20]}}', DONE]
    assert (close.code, close.reason) == (1000, "done")
    _until(lambda: ksql.server.queries.running() == [], "the query to end")


def test_pull_queries(ksql: Ksql) -> None:
    """A pull query's rows, then done; on a table its key columns are marked KEY."""
    assert ksql.post(STREAM).status_code == 200
    assert ksql.post("CREATE TABLE counts AS SELECT v, COUNT(*) AS n FROM s GROUP BY v;"
                     ).status_code == 200
    _insert(ksql, 1, 2, 1)
    ksql.wait_idle()
    messages, close = _open(ksql, {"ksql": "SELECT * FROM s;"}).until_close()
    assert messages == [f"[{V_SCHEMA}]", '{"row":{"columns":[1]}}',
                        '{"row":{"columns":[2]}}', '{"row":{"columns":[1]}}', DONE]
    assert (close.code, close.reason) == (1000, "done")
    messages, close = _open(ksql, {"ksql": "SELECT * FROM counts WHERE v = 1;"}).until_close()
    assert messages == [
        '[{"name":"V","schema":{"type":"INTEGER","fields":null,"memberSchema":null},'
        '"type":"KEY"},{"name":"N","schema":{"type":"BIGINT","fields":null,'
        '"memberSchema":null}}]',
        '{"row":{"columns":[1,2]}}', DONE]
    assert (close.code, close.reason) == (1000, "done")


def test_print_over_websocket(ksql: Ksql) -> None:
    """PRINT's records, each line one JSON string message, no format lines."""
    assert ksql.post(STREAM).status_code == 200
    _insert(ksql, 7, 8, 9)
    messages, close = _open(ksql, {"ksql": "PRINT 's' FROM BEGINNING LIMIT 2;"}).until_close()
    assert len(messages) == 3 and messages[2] == DONE, messages
    lines = [json.loads(m) for m in messages[:2]]
    assert all(isinstance(line, str) for line in lines), lines
    assert lines[0].startswith("rowtime: ") and lines[0].endswith(
        ', key: <null>, value: {"V":7}, partition: 0'), lines[0]
    assert lines[1].endswith('value: {"V":8}, partition: 0'), lines[1]
    assert (close.code, close.reason) == (1000, "done")
    code, reason = _refused(ksql, {"ksql": "PRINT 'nope';"})
    assert (code, reason) == (1003, "Topic does not exist, or KSQL does not have "
                              "permission to list the topic: nope")


def test_bad_requests_close_with_ksqldbs_code_and_reason(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    assert _refused(ksql, "{not json")[0] == 1003
    assert _refused(ksql, "{not json")[1].startswith("Error parsing request: ")
    client = WsClient(ksql, "/ws/query")
    messages, close = client.until_close()
    assert (close.code, close.reason) == (1003, "Error parsing request: missing request "
                                          "parameter")
    assert messages == ['{"error":"Error parsing request: missing request parameter"}']
    assert _refused(ksql, {"ksql": ""}) == (
        1003, 'Error parsing request: "ksql" field of "request" must be populated')
    assert _refused(ksql, {"ksql": "SELECT * FROM s EMIT CHANGES;"}, version="2") == (
        1003, "Received invalid api version: 2")
    assert _refused(ksql, {"ksql": "SELECT * FROM missing EMIT CHANGES;"}) == (
        1003, "Line: 1, Col: 15: Source `MISSING` does not exist.")
    assert _refused(ksql, {"ksql": "SELECT * FROM s; SELECT * FROM s;"}) == (
        1003, "Error parsing query: Expected exactly one KSQL statement; found 2 instead")
    code, reason = _refused(ksql, {"ksql": "SELECT FROM s;"})
    assert code == 1003 and reason.startswith("Error parsing query: line 1:8: Syntax Error")
    code, reason = _refused(ksql, {"ksql": "SHOW STREAMS;"})
    assert code == 1003 and reason.startswith("Unexpected statement type "), reason
    code, reason = _refused(ksql, {"ksql": "SELECT * FROM s EMIT CHANGES;",
                                   "streamsProperties": {"nope": 1}})
    assert code == 1003 and reason.startswith("Error parsing request: "), reason
    # A reason is at most 123 UTF-8 bytes: longer ones are cut, with "..."; the message
    # before the close holds all of it.
    long_name = "X" * 200
    messages, close = _open(ksql, {"ksql": f"SELECT * FROM {long_name} EMIT CHANGES;"}
                            ).until_close()
    full = f"Line: 1, Col: 15: Source `{long_name}` does not exist."
    assert messages == [json.dumps({"error": full}, separators=(",", ":"))]
    assert close.code == 1003 and close.reason == full[:120] + "..."
    # Nothing of the refused requests lingers.
    assert ksql.server.queries.running() == []
    # Version 1 is ksqlDB's (and the default).
    ok = _open(ksql, {"ksql": "SELECT * FROM s;"}, version="1")
    assert ok.until_close()[1].code == 1000


def test_not_acceptable_is_refused_before_the_upgrade(ksql: Ksql) -> None:
    client = WsClient(ksql, _path({"ksql": "SELECT * FROM s;"}),
                      headers={"Accept": "text/plain"})
    status, body = client.rejection()
    assert status == 406
    assert json.loads(body) == {"@type": "generic_error", "error_code": 40600,
                                "message": "Not Acceptable", "stackTrace": []}


@pytest.fixture
def long_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Push queries poll LONG_WAIT at a time: only a woken wait ends in time."""
    monkeypatch.setattr(ksql_streams, "POLL_SECONDS", LONG_WAIT)


@pytest.mark.usefixtures("long_polls")
@pytest.mark.parametrize("how", ["close", "drop"])
def test_closing_the_client_ends_the_query_at_once(ksql: Ksql, how: str) -> None:
    """An idle push query waits in the push-query poll pool (not a request thread), counts
    as a running push query, and ends as soon as its client closes or vanishes."""
    assert ksql.post(STREAM).status_code == 200
    client = _open(ksql, {"ksql": "SELECT * FROM s EMIT CHANGES;"})
    assert client.message() == f"[{V_SCHEMA}]"
    _until(lambda: bool(_polling()), "the push query to wait for rows")
    assert all(name.startswith(POLL_THREAD) for name in _polling()), _polling()
    assert len(ksql.server.queries.running()) == 1
    assert ksql.post("SHOW STREAMS;").status_code == 200
    started = time.monotonic()
    if how == "close":
        client.close()
    else:
        client.drop()
    _until(lambda: ksql.server.queries.running() == [], "the query to close")
    _until(lambda: not _polling(), "the abandoned poll's thread to be free")
    assert time.monotonic() - started < LONG_WAIT / 2
    shown = ksql.post("SHOW QUERIES;").json()[0]["queries"]
    assert [q for q in shown if q["queryType"] == "PUSH"] == []
    if how == "close":
        client.sock.close()


def test_close_query_ends_the_websocket_with_done(ksql: Ksql) -> None:
    """/close-query (or TERMINATE) of the WebSocket's push query ends it like a LIMIT."""
    assert ksql.post(STREAM).status_code == 200
    client = _open(ksql, {"ksql": "SELECT * FROM s EMIT CHANGES;"})
    assert client.message() == f"[{V_SCHEMA}]"
    _until(lambda: len(ksql.server.queries.running()) == 1, "the push query to run")
    query_id = ksql.server.queries.running()[0].query_id
    assert ksql.client.post("/close-query", json={"queryId": query_id}).status_code == 200
    messages, close = client.until_close()
    assert messages == [DONE] and (close.code, close.reason) == (1000, "done")


def test_push_queries_count_under_max_push_queries() -> None:
    """A WebSocket push query takes a place under `ksql.max.push.queries` as /query's
    do: one more is refused (1003, ksqlDB's message); its close frees the place."""
    log = MemoryLog()
    registry = Registry(log)
    registry.start()
    server = KsqlServer(log, registry, properties={"ksql.max.push.queries": 1})
    with HyperServerThread(create_ksql_app(server)) as thread, \
            httpx.Client(base_url=thread.url, timeout=WAIT) as http:
        wait_ready(http)
        ksql = Ksql(thread.url, log, registry, server, http)
        assert ksql.post(STREAM).status_code == 200
        push = {"ksql": "SELECT * FROM s EMIT CHANGES;"}
        first = _open(ksql, push)
        assert first.message() == f"[{V_SCHEMA}]"
        code, why = _refused(ksql, push)
        assert code == 1003 and why.startswith(
            "Not executing statement(s) as it would cause the number of active, push "
            "queries to exceed the configured limit."), why
        assert why.endswith("Current push query count: 1. Configured limit: 1."), why
        first.close()
        _until(lambda: server.queries.running() == [], "the first query to end")
        again = _open(ksql, push)
        assert again.message() == f"[{V_SCHEMA}]"
        again.drop()
    registry.close()
    log.close()


def test_initializing_server_answers_503_before_the_upgrade() -> None:
    log = MemoryLog()
    server = KsqlServer(log, None)
    with HyperServerThread(create_ksql_app(server, start=False)) as thread, \
            httpx.Client(base_url=thread.url, timeout=WAIT) as http:
        ksql = Ksql(thread.url, log, Registry(log), server, http)
        client = WsClient(ksql, _path({"ksql": "SELECT * FROM s;"}))
        status, body = client.rejection()
        client.drop()
    assert status == 503
    assert json.loads(body) == {"@type": "generic_error", "error_code": 50302,
                                "message": "Server initializing", "stackTrace": []}
    log.close()
