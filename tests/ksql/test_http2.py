"""The ksqlDB API over cleartext HTTP/2 (h2c with prior knowledge), as ksqlDB's clients
speak it: httpx with `http2=True, http1=False`, and a bare `h2` connection for what httpx
cannot do (stream a request body while reading the answer, reset one stream of a live
connection). `ksql-python-ng` over HTTP/2 is in test_ksql_python.py."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import h2.config
import h2.connection
import h2.events
import httpx

WAIT = 30.0
BETS = ("CREATE STREAM bets (runner INT KEY, amount DOUBLE) WITH (kafka_topic='bets', "
        "value_format='JSON', partitions=1);")


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class H2:
    """A bare HTTP/2 client connection, driven by hand."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None and parts.port is not None
        self.authority = f"{parts.hostname}:{parts.port}"
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=WAIT)
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        self.status: dict[int, int] = {}
        self.data: dict[int, bytearray] = {}
        self.ended: set[int] = set()
        self.reset: set[int] = set()
        self._flush()

    def _flush(self) -> None:
        self.sock.sendall(self.conn.data_to_send())

    def open(self, path: str, body: bytes = b"", end: bool = True) -> int:
        stream = self.conn.get_next_available_stream_id()
        self.conn.send_headers(stream, [
            (":method", "POST"), (":path", path), (":scheme", "http"),
            (":authority", self.authority), ("content-type", "application/json")])
        self.data[stream] = bytearray()
        self.send(stream, body, end)
        return stream

    def send(self, stream: int, body: bytes, end: bool = False) -> None:
        if body:
            self.conn.send_data(stream, body)
        if end:
            self.conn.end_stream(stream)
        self._flush()

    def pump_until(self, condition: Callable[[], bool], what: str) -> None:
        """Read frames until `condition` holds."""
        deadline = time.monotonic() + WAIT
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}")
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed while waiting for {what}")
            for event in self.conn.receive_data(chunk):
                if isinstance(event, h2.events.ResponseReceived):
                    self.status[event.stream_id] = int(dict(event.headers)[":status"])
                elif isinstance(event, h2.events.DataReceived):
                    self.data[event.stream_id] += event.data
                    self.conn.acknowledge_received_data(event.flow_controlled_length,
                                                        event.stream_id)
                elif isinstance(event, h2.events.StreamEnded):
                    self.ended.add(event.stream_id)
                elif isinstance(event, h2.events.StreamReset):
                    self.reset.add(event.stream_id)
            self._flush()

    def lines(self, stream: int) -> list[Any]:
        return [json.loads(line) for line in bytes(self.data[stream]).splitlines() if line]

    def close(self) -> None:
        self.conn.close_connection()
        self._flush()
        self.sock.close()


def test_every_endpoint_answers_over_h2c(ksql) -> None:
    with httpx.Client(base_url=ksql.url, http2=True, http1=False, timeout=WAIT) as h2c:
        info = h2c.get("/info")
        assert info.http_version == "HTTP/2"
        assert info.json()["KsqlServerInfo"]["serverStatus"] == "RUNNING"
        assert h2c.get("/healthcheck").json()["isHealthy"] is True
        created = h2c.post("/ksql", json={"ksql": BETS + "CREATE TABLE pool AS SELECT runner, "
                                          "SUM(amount) AS total FROM bets GROUP BY runner;"})
        assert created.status_code == 200, created.text
        inserted = h2c.post("/inserts-stream", content=b'{"target":"BETS"}\n'
                            b'{"RUNNER":1,"AMOUNT":2.0}\n{"RUNNER":1,"AMOUNT":3.0}\n')
        assert inserted.http_version == "HTTP/2"
        assert [json.loads(a)["status"] for a in inserted.text.splitlines()] == ["ok", "ok"]
        ksql.wait_idle()

        push = {"sql": "SELECT * FROM bets EMIT CHANGES LIMIT 2;",
                "properties": {"auto.offset.reset": "earliest"}}
        array = h2c.post("/query-stream", json=push, headers={"Accept": "application/json"})
        assert array.http_version == "HTTP/2"
        assert array.json()[1:] == [[1, 2.0], [1, 3.0]]
        delimited = h2c.post("/query-stream", json=push).text.splitlines()
        assert [json.loads(line) for line in delimited[1:]] == [[1, 2.0], [1, 3.0]]

        pull = h2c.post("/query-stream", json={"sql": "SELECT * FROM pool WHERE runner = 1;"})
        assert [json.loads(line) for line in pull.text.splitlines()[1:]] == [[1, 5.0]]
        legacy = h2c.post("/query", json={"ksql": "SELECT * FROM pool WHERE runner = 1;"})
        assert json.loads(legacy.text)[1] == {"row": {"columns": [1, 5.0]}}

        unknown = h2c.post("/query-stream", json={"sql": "SELECT * FROM nope EMIT CHANGES;"})
        assert unknown.status_code == 400
        assert unknown.json()["@type"] == "statement_error"
        assert unknown.json()["error_code"] == 40001
        closed = h2c.post("/close-query", json={"queryId": "transient_NOPE_1"})
        assert closed.status_code == 400
        assert h2c.get("/status").status_code == 200


def test_inserts_stream_acknowledges_rows_while_the_body_streams(ksql) -> None:
    """One request kept open: each row is written and acknowledged before the next is sent."""
    assert ksql.post(BETS).status_code == 200
    client = H2(ksql.url)
    try:
        stream = client.open("/inserts-stream", b'{"target":"BETS"}\n{"RUNNER":1,"AMOUNT":1.5}\n',
                             end=False)
        client.pump_until(lambda: len(client.lines(stream)) == 1, "the first ack")
        assert client.status[stream] == 200
        assert stream not in client.ended
        client.send(stream, b'{"RUNNER":"x"}\n{"RUNNER":2,')
        client.pump_until(lambda: len(client.lines(stream)) == 2, "the second ack")
        client.send(stream, b'"AMOUNT":2.5}\nnot json\n', end=True)
        client.pump_until(lambda: stream in client.ended, "the end of the answer")
        acks = client.lines(stream)
    finally:
        client.close()
    assert acks[0] == {"status": "ok", "seq": 0}
    assert acks[1]["status"] == "error" and acks[1]["seq"] == 1
    assert acks[2] == {"status": "ok", "seq": 2}
    assert acks[3]["status"] == "error" and acks[3]["seq"] == 3
    assert acks[3]["message"].startswith("Invalid JSON in request")
    rows = ksql.client.post("/query-stream", json={"sql": "SELECT * FROM bets;"})
    assert [json.loads(line) for line in rows.text.splitlines()[1:]] == [[1, 1.5], [2, 2.5]]


def test_push_query_closes_when_its_stream_or_connection_goes_away(ksql) -> None:
    assert ksql.post(BETS).status_code == 200
    client = H2(ksql.url)
    query = json.dumps({"sql": "SELECT * FROM bets EMIT CHANGES;"}).encode()
    try:
        first = client.open("/query-stream", query)
        client.pump_until(lambda: len(client.lines(first)) == 1, "the first query's metadata")
        assert len(ksql.server.queries.running()) == 1
        client.conn.reset_stream(first)
        client.send(first, b"")
        _until(lambda: ksql.server.queries.running() == [], "the reset query to close")

        second = client.open("/query-stream", query)  # the connection still serves
        client.pump_until(lambda: len(client.lines(second)) == 1, "the second query's metadata")
        assert len(ksql.server.queries.running()) == 1
    finally:
        client.close()
    _until(lambda: ksql.server.queries.running() == [], "the query of the closed connection")
