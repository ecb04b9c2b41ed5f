"""The life of a push query as clients stress it: clients that vanish mid-stream,
`/close-query` at odd moments, its source dropped under it, more push queries than
`ksql.max.push.queries` allows, idle push queries beside requests, and SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.ksql.conftest import Ksql, wait_ready
from tests.ksql.test_http2 import H2, _until
from tests.ksql.test_push_wake import _threads_in
from tests.service_process import start_service

from tote.http.hyper import HyperServerThread
from tote.http.ksql_api import create_ksql_app
from tote.http.ksql_streams import Pollers
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.server import KsqlServer
from tote.sql.transient.push import StreamingQuery

STREAM = ("CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON', "
          "partitions=1);")
PUSH = "SELECT * FROM s EMIT CHANGES;"
CYCLES = 200


def _request(path: str, body: dict[str, Any]) -> bytes:
    data = json.dumps(body).encode()
    return (f"POST {path} HTTP/1.1\r\nHost: ksql\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n\r\n").encode() + data


def _connect_and_drop(port: int, path: str, body: dict[str, Any], reset: bool) -> None:
    """An HTTP/1.1 client that reads the start of the answer, then hangs up (FIN, or RST
    with `reset`) while the server waits for new rows."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_request(path, body))
        received = b""
        while b"queryId" not in received:
            chunk = sock.recv(65536)
            assert chunk, received
            received += chunk
        if reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="counts /proc/self/fd")
def test_clients_that_vanish_mid_stream_release_their_push_queries(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    assert ksql.post("INSERT INTO s (v) VALUES (1);").status_code == 200
    earliest = {"auto.offset.reset": "earliest"}
    fds = _open_fds()
    port = int(ksql.url.rsplit(":", 1)[1])
    for number in range(CYCLES):
        reset = number % 2 == 1
        _connect_and_drop(port, "/query-stream", {"sql": PUSH, "properties": earliest}, reset)
        _connect_and_drop(port, "/query", {"ksql": PUSH, "streamsProperties": earliest}, reset)
    h2 = H2(ksql.url)
    try:
        for _ in range(CYCLES):
            stream = h2.open("/query-stream", json.dumps({"sql": PUSH}).encode())
            h2.pump_until(lambda: len(h2.lines(stream)) == 1, "the metadata")  # noqa: B023
            h2.conn.reset_stream(stream)
            h2.send(stream, b"")
    finally:
        h2.close()
    _until(lambda: ksql.server.queries.running() == [], "the dropped queries to close")
    listed = ksql.post("SHOW QUERIES;").json()[0]["queries"]
    assert listed == []
    _until(lambda: _open_fds() <= fds, "the dropped connections' sockets to close")


def test_close_query_unknown_twice_and_while_rows_flow(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    unknown = ksql.client.post("/close-query", json={"queryId": "transient_S_99"})
    assert unknown.status_code == 400
    assert unknown.json() == {"@type": "generic_error", "error_code": 40000,
                              "message": "No query with id transient_S_99", "stackTrace": []}
    stop = threading.Event()

    def insert() -> None:
        with httpx.Client(base_url=ksql.url, timeout=30) as client:
            while not stop.is_set():
                client.post("/ksql", json={"ksql": "INSERT INTO s (v) VALUES (7);"})

    writer = threading.Thread(target=insert)
    writer.start()
    try:
        with ksql.client.stream("POST", "/query-stream", json={"sql": PUSH}) as response:
            lines = response.iter_lines()
            query_id = json.loads(next(lines))["queryId"]
            assert next(line for line in lines if line) == "[7]"  # rows are flowing
            closed = ksql.client.post("/close-query", json={"queryId": query_id})
            assert closed.status_code == 200
            rest = list(lines)  # the answer ends
    finally:
        stop.set()
        writer.join()
    assert all(line in ("", "[7]") for line in rest)
    assert ksql.server.queries.running() == []
    again = ksql.client.post("/close-query", json={"queryId": query_id})
    assert again.status_code == 400
    assert again.json()["message"] == f"No query with id {query_id}"


def test_push_query_outlives_terminate_and_drop_but_ends_when_its_topic_goes(
        ksql: Ksql) -> None:
    """As in ksqlDB, neither TERMINATE of the query feeding a stream nor DROP STREAM
    touches a push query reading it (it idles with keep-alives until closed); once the
    topic itself is deleted the query ends with an error instead of waiting forever."""
    assert ksql.post(STREAM).status_code == 200
    assert ksql.post("CREATE STREAM t AS SELECT v FROM s;").status_code == 200
    for statement in ("TERMINATE ALL;", "DROP STREAM t;"):
        with ksql.client.stream("POST", "/query-stream",
                                json={"sql": "SELECT * FROM t EMIT CHANGES;"}) as response:
            lines = response.iter_lines()
            query_id = json.loads(next(lines))["queryId"]
            assert ksql.post(statement).status_code == 200
            assert next(lines) == ""  # a keep-alive: the query still runs
            assert [q.query_id for q in ksql.server.queries.running()] == [query_id]
            assert ksql.client.post("/close-query", json={"queryId": query_id}
                                    ).status_code == 200
            assert all(line == "" for line in lines)
    with ksql.client.stream("POST", "/query", json={"ksql": PUSH}) as response:
        chunks = response.iter_text()
        body = [next(chunks)]
        assert ksql.post("DROP STREAM s DELETE TOPIC;").status_code == 200
        body.extend(chunks)
    answer = json.loads("".join(body))  # the whole array, closed
    assert answer[-1] == {"errorMessage": {"@type": "generic_error", "error_code": 50000,
                                           "message": "Topic 's' not found."}}
    assert ksql.server.queries.running() == []


@pytest.fixture
def limited() -> Iterator[Ksql]:
    """A server with `ksql.max.push.queries` = 2."""
    log = MemoryLog()
    registry = Registry(log)
    registry.start()
    server = KsqlServer(log, registry, properties={"ksql.max.push.queries": 2})
    with HyperServerThread(create_ksql_app(server)) as thread, \
            httpx.Client(base_url=thread.url, timeout=30) as client:
        wait_ready(client)
        yield Ksql(thread.url, log, registry, server, client)
    registry.close()
    log.close()


def test_max_push_queries_refuses_one_more(limited: Ksql) -> None:
    assert limited.post(STREAM).status_code == 200
    with limited.client.stream("POST", "/query-stream", json={"sql": PUSH}) as first, \
            limited.client.stream("POST", "/query", json={"ksql": PUSH}) as second:
        assert first.status_code == second.status_code == 200
        lines = first.iter_lines()  # kept: a dropped iterator closes the response
        first_id = json.loads(next(lines))["queryId"]
        for path, body in (("/query-stream", {"sql": PUSH}), ("/query", {"ksql": PUSH})):
            with limited.client.stream("POST", path, json=body) as over:
                assert over.status_code == 400  # not an endless answer
                over.read()
            assert over.json() == {
                "@type": "statement_error", "error_code": 40001, "message":
                "Not executing statement(s) as it would cause the number of active, push "
                "queries to exceed the configured limit. Terminate existing PUSH queries, "
                "or increase the 'ksql.max.push.queries' setting via the "
                "'ksql-server.properties' file. Current push query count: 2. Configured "
                "limit: 2.", "statementText": PUSH, "entities": [], "stackTrace": []}
        # Pull queries are not push queries; a closed push query frees its place.
        assert limited.client.post("/query-stream",
                                   json={"sql": "SELECT * FROM s;"}).status_code == 200
        assert limited.client.post("/close-query", json={"queryId": first_id}
                                   ).status_code == 200
        with limited.client.stream("POST", "/query-stream", json={"sql": PUSH}) as third:
            assert third.status_code == 200


def test_a_vanished_client_frees_its_place_under_the_limit_at_once(limited: Ksql) -> None:
    """A client gone mid-wait releases its push query when the server sees it go, not
    when the query's pending wait for rows ends: clients that reconnect at once are not
    refused (the limit is 2, so one release may lag without a refusal)."""
    assert limited.post(STREAM).status_code == 200
    port = int(limited.url.rsplit(":", 1)[1])
    for number in range(10):
        _connect_and_drop(port, "/query-stream", {"sql": PUSH}, reset=number % 2 == 1)


def _poll_threads() -> list[str]:
    """The names of the threads now waiting in a push query's poll."""
    return _threads_in(StreamingQuery.poll.__code__)


def test_idle_push_queries_wait_outside_the_request_thread_pool(ksql: Ksql) -> None:
    """Idle push queries each wait in a thread; in the pool that runs statements and
    pull queries, 40 of them (of ksqlDB's default 100) held all its threads and every
    request queued behind their waits."""
    assert ksql.post(STREAM).status_code == 200
    with ksql.client.stream("POST", "/query-stream", json={"sql": PUSH}) as response:
        lines = response.iter_lines()
        next(lines)
        _until(lambda: bool(_poll_threads()), "the push query to wait for rows")
        assert all(name.startswith(Pollers.THREAD_NAME) for name in _poll_threads())


def test_sigterm_ends_twenty_open_push_queries_and_exits_0(tmp_path: Path) -> None:
    service = start_service("ksqldb", tmp_path / "home", "/healthcheck")
    try:
        with httpx.Client(base_url=service.url, timeout=30) as client:
            assert client.post("/ksql", json={"ksql": STREAM}).status_code == 200
        ended: list[str] = []
        streaming = [threading.Event() for _ in range(16)]

        def follow(number: int) -> None:
            path, body = (("/query-stream", {"sql": PUSH}) if number % 2
                          else ("/query", {"ksql": PUSH}))
            with httpx.Client(base_url=service.url, timeout=30) as client, \
                    client.stream("POST", path, json=body) as response:
                for _ in response.iter_raw():
                    streaming[number].set()
            ended.append(path)

        followers = [threading.Thread(target=follow, args=(n,)) for n in range(16)]
        for follower in followers:
            follower.start()
        for started in streaming:
            assert started.wait(30)
        h2 = [H2(service.url) for _ in range(4)]
        streams = [c.open("/query-stream", json.dumps({"sql": PUSH}).encode()) for c in h2]
        for client, stream in zip(h2, streams, strict=True):
            client.pump_until(lambda: len(client.lines(stream)) == 1,  # noqa: B023
                              "the metadata")
        service.process.send_signal(signal.SIGTERM)
        assert service.process.wait(30) == 0
        for follower in followers:
            follower.join(30)
        assert sorted(ended) == sorted(["/query", "/query-stream"] * 8)
        for client, stream in zip(h2, streams, strict=True):
            client.pump_until(lambda: stream in client.ended,  # noqa: B023
                              "the HTTP/2 answer to end")
            client.sock.close()
    finally:
        service.stop()
