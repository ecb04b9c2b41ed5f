"""Idle waits of push queries and PRINTs: a PRINT waits outside the request thread pool
(as push queries do), and closing either ends its pending wait at once, so the thread is
free again instead of sleeping out the wait. Waits are stretched to a minute here, so an
end that came only from the timeout would outlast every deadline of these tests."""

from __future__ import annotations

import functools
import json
import socket
import sys
import threading
from pathlib import Path
from types import CodeType
from typing import Any

import httpx
import pytest
from tests.ksql.conftest import Ksql
from tests.ksql.test_http2 import WAIT, _until
from tests.service_process import start_service
from typer.testing import CliRunner

from tote.cli.main import cli
from tote.http import ksql_print, ksql_streams
from tote.sql import printing
from tote.sql.transient.push import StreamingQuery

STREAM = ("CREATE STREAM s (v INT) WITH (kafka_topic='s', value_format='JSON', "
          "partitions=1);")
PUSH = "SELECT * FROM s EMIT CHANGES;"
LONG_WAIT = 120.0  # far beyond WAIT: only a woken wait ends in time
PRINT_THREAD = "ksql-print-poll"


@pytest.fixture
def long_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Push queries poll, and PRINTs wait for records, LONG_WAIT at a time."""
    monkeypatch.setattr(ksql_streams, "POLL_SECONDS", LONG_WAIT)
    monkeypatch.setattr(ksql_print, "print_lines",
                        functools.partial(printing.print_lines, idle_seconds=LONG_WAIT))


def _threads_in(code: CodeType) -> list[str]:
    """The names of the threads now running `code` (anywhere on their stacks)."""
    names = {t.ident: t.name for t in threading.enumerate()}
    found = []
    for ident, frame in sys._current_frames().items():
        walk: Any = frame
        while walk is not None and walk.f_code is not code:
            walk = walk.f_back
        if walk is not None:
            found.append(names.get(ident, ""))
    return found


def _polling() -> list[str]:
    return _threads_in(StreamingQuery.poll.__code__)


def _printing() -> list[str]:
    return _threads_in(printing.print_lines.__code__)


def _open(port: int, path: str, body: dict[str, Any], until: bytes) -> socket.socket:
    """An HTTP/1.1 request whose answer has begun (holds `until`)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    data = json.dumps(body).encode()
    sock.sendall((f"POST {path} HTTP/1.1\r\nHost: ksql\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(data)}\r\n\r\n").encode() + data)
    received = b""
    while until not in received:
        chunk = sock.recv(65536)
        assert chunk, received
        received += chunk
    return sock


def _port(ksql: Ksql) -> int:
    return int(ksql.url.rsplit(":", 1)[1])


@pytest.mark.usefixtures("long_waits")
def test_close_query_ends_the_pending_wait_at_once(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    ended = threading.Event()
    with ksql.client.stream("POST", "/query-stream", json={"sql": PUSH}) as response:
        lines = response.iter_lines()
        query_id = json.loads(next(lines))["queryId"]
        _until(lambda: bool(_polling()), "the push query to wait for rows")

        def drain() -> None:
            for _ in lines:
                pass
            ended.set()

        reader = threading.Thread(target=drain, daemon=True)
        reader.start()
        closed = ksql.client.post("/close-query", json={"queryId": query_id})
        assert closed.status_code == 200
        assert ended.wait(WAIT), "the answer did not end: its wait was not woken"
    _until(lambda: not _polling(), "the poll thread to be free")


@pytest.mark.usefixtures("long_waits")
def test_a_vanished_client_frees_the_poll_thread_at_once(ksql: Ksql) -> None:
    assert ksql.post(STREAM).status_code == 200
    sock = _open(_port(ksql), "/query-stream", {"sql": PUSH}, b"queryId")
    try:
        _until(lambda: bool(_polling()), "the push query to wait for rows")
    finally:
        sock.close()
    _until(lambda: not _polling(), "the abandoned poll's thread to be free")
    _until(lambda: ksql.server.queries.running() == [], "the query to close")


# PRINT on both endpoints that serve it: the legacy one and /query-stream.
PRINT_ENDPOINTS = pytest.mark.parametrize("path,field", [("/query", "ksql"),
                                                         ("/query-stream", "sql")])


@PRINT_ENDPOINTS
def test_idle_print_waits_outside_the_request_thread_pool(ksql: Ksql, path: str,
                                                          field: str) -> None:
    """An idle PRINT waits in a thread of its own pool (as push queries do): in the pool
    that serves statements and pull queries, 40 idle PRINTs held every thread."""
    ksql.log.ensure_topic("idle", 1, 1)
    with ksql.client.stream("POST", path, json={field: "PRINT idle;"}) as response:
        assert response.status_code == 200
        _until(lambda: bool(_printing()), "the PRINT to wait for records")
        assert all(name.startswith(PRINT_THREAD) for name in _printing()), _printing()
        assert ksql.post("SHOW STREAMS;").status_code == 200


@PRINT_ENDPOINTS
@pytest.mark.usefixtures("long_waits")
def test_a_vanished_print_client_frees_its_thread_at_once(ksql: Ksql, path: str,
                                                          field: str) -> None:
    ksql.log.ensure_topic("idle", 1, 1)
    sock = _open(_port(ksql), path, {field: "PRINT idle;"}, b"\r\n\r\n")
    try:
        _until(lambda: bool(_printing()), "the PRINT to wait for records")
    finally:
        sock.close()
    _until(lambda: not _printing(), "the PRINT's thread to be free")


def test_close_query_without_query_id_answers_like_ksqldb(ksql: Ksql) -> None:
    """ksqlDB's JSON mapper refuses a body without the required `queryId` property."""
    missing = ksql.client.post("/close-query", json={"foo": "bar"})
    assert missing.status_code == 400
    assert missing.json() == {
        "@type": "generic_error", "error_code": 40000, "message":
        "Invalid JSON in request: Missing required creator property 'queryId' (index 0)",
        "stackTrace": []}


def test_serve_ksqldb_max_push_queries(tmp_path: Path) -> None:
    service = start_service("ksqldb", tmp_path / "home", "/healthcheck", "--max-push-queries", "1")
    try:
        with httpx.Client(base_url=service.url, timeout=WAIT) as client:
            assert client.post("/ksql", json={"ksql": STREAM}).status_code == 200
            with client.stream("POST", "/query-stream", json={"sql": PUSH}) as first:
                assert first.status_code == 200
                lines = first.iter_lines()  # kept: a dropped iterator closes the response
                next(lines)
                refused = client.post("/query-stream", json={"sql": PUSH})
                assert refused.status_code == 400
                assert refused.json()["error_code"] == 40001
                assert refused.json()["message"].endswith(
                    "Current push query count: 1. Configured limit: 1.")
    finally:
        service.stop()


@pytest.mark.parametrize("value", ["-1", "2147483648", "many"])
def test_serve_ksqldb_max_push_queries_out_of_range_is_a_usage_error(value: str) -> None:
    result = CliRunner().invoke(cli, ["serve", "ksqldb", "--max-push-queries", value],
                                env={"COLUMNS": "400", "TERMINAL_WIDTH": "400"})
    assert result.exit_code == 2
    assert "Invalid value for '--max-push-queries'" in " ".join(result.output.split())
