"""`POST /inserts-stream`: newline-delimited JSON in, one acknowledgement per row out.

The first line names the target stream or table (`{"target": "S1"}`: upper-cased unless
quoted, as an identifier in SQL), each following line is a row. The answer is a stream
of `{"status":"ok","seq":N}` lines, or for a row that cannot be written
`{"status":"error","seq":N,"error_code":40000,"message":...}`; the other rows are still
written.

As in ksqlDB, rows are written while the request body is still arriving: the rows of
each chunk that comes in are appended together and acknowledged at once, so a client
on HTTP/2 can keep one request open and stream rows into it. An unknown, windowed or
read-only target (or a first line that is not a target) is a 400 before any
acknowledgement, and so are its `properties` that ksqlDB refuses (an unknown name, a
value of the wrong type, one the server's policy denies): checked first, as ksqlDB's
`createInsertsSubscriber` does before it looks at the target. A target whose value
format cannot carry its columns (only ALTER STREAM ... ADD makes one) fails when ksqlDB
builds its serde, before any row: a 500 whose message ksqlDB keeps to its log. The
request is a raw ASGI app because Starlette's `StreamingResponse` reads the request's
messages itself (to notice a disconnect), which would swallow the body being streamed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.types import Message, Receive, Scope, Send

from tote.core.errors import BadRequest, ToteError
from tote.http.common import check_unicode, dumps
from tote.http.ksql_overrides import stream_properties
from tote.sql.config import Config
from tote.sql.errors import StatementError
from tote.sql.execution.inserts import INSERT_VALUES_DISABLED, insert_values_enabled
from tote.sql.server import KsqlServer
from tote.sql.server.inserts import RowInserter, find_target

DELIMITED = "application/vnd.ksqlapi.delimited.v1"
# ksqlDB's answer to an endpoint failure it does not expose (ServerUtils).
INTERNAL_ERROR = ("The server encountered an internal error when processing the query. "
                  "Please consult the server logs for more information.")


class _BadLine:
    """A line of the body that is not JSON: acknowledged as an error."""

    def __init__(self, message: str) -> None:
        self.error = BadRequest(f"Invalid JSON in request: {message}")


def _values(line: str) -> Iterator[Any]:
    """The JSON values of one line (usually one object; whitespace may separate more)."""
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(line) and line[position] in " \t\r":
            position += 1
        if position >= len(line):
            return
        start = position
        try:
            value, position = decoder.raw_decode(line, position)
            check_unicode(line[start:position], value)
        except ValueError as exc:
            yield _BadLine(str(exc))
            return
        except RecursionError:
            yield _BadLine("document nested too deeply")
            return
        yield value


class _Body:
    """The request body as it arrives, cut into JSON values at newlines."""

    def __init__(self, receive: Receive) -> None:
        self._receive = receive
        self._pending = b""
        self.done = False
        self.disconnected = False

    async def next_values(self) -> list[Any]:
        """The values of the next complete lines ([] once the body has ended)."""
        while not self.done:
            message: Message = await self._receive()
            if message["type"] == "http.disconnect":
                self.done = self.disconnected = True
                return []
            self._pending += message.get("body", b"")
            if not message.get("more_body", False):
                self.done = True
                text, self._pending = self._pending, b""
            else:
                cut = self._pending.rfind(b"\n")
                if cut < 0:
                    continue
                text, self._pending = self._pending[: cut + 1], self._pending[cut + 1 :]
            values = [v for line in text.decode("utf-8", errors="replace").split("\n")
                      for v in _values(line)]
            if values:
                return values
        return []


class InsertsStream:
    """The endpoint, as an ASGI app for a Starlette `Route`."""

    def __init__(self, server: KsqlServer) -> None:
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.server.check_ready()
        body = _Body(receive)
        values = await body.next_values()
        head = values[0] if values else None
        if not isinstance(head, dict) or not isinstance(head.get("target"), str):
            if isinstance(head, _BadLine):
                raise head.error
            raise BadRequest("Invalid JSON in request: the first object must name the "
                             'target: {"target": "<stream>"}')
        stream_properties(self.server, head.get("properties"), "properties")
        engine = self.server.engine
        if not insert_values_enabled(engine.config.server):  # before the target, as ksqlDB
            raise BadRequest(INSERT_VALUES_DISABLED)
        server = Config(dict(engine.config.server))  # ksqlDB checks the server's config
        source = find_target(engine.metastore, head["target"], server)
        try:
            inserter = await run_in_threadpool(RowInserter, engine.log, engine.registry,
                                               source, engine.clock)
        except StatementError:  # the serde cannot be built
            raise ToteError(INTERNAL_ERROR, 50000) from None
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", DELIMITED.encode())]})
        seq = 0
        rows = values[1:]
        while not body.disconnected:
            if rows:
                acks = await run_in_threadpool(_insert, inserter, rows, seq)
                seq += len(rows)
                await send({"type": "http.response.body", "body": acks, "more_body": True})
            if body.done:
                break
            rows = await body.next_values()
        if not body.disconnected:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


def _insert(inserter: RowInserter, rows: list[Any], first_seq: int) -> bytes:
    """Write `rows`; their acknowledgement lines."""
    outcomes: list[ToteError | None] = [None] * len(rows)
    good = [i for i, row in enumerate(rows) if not isinstance(row, _BadLine)]
    for i, row in enumerate(rows):
        if isinstance(row, _BadLine):
            outcomes[i] = row.error
    for i, outcome in zip(good, inserter.insert_many([rows[i] for i in good]), strict=True):
        outcomes[i] = outcome
    lines = []
    for offset, error in enumerate(outcomes):
        ack: dict[str, Any] = {"status": "ok", "seq": first_seq + offset}
        if error is not None:
            ack = {"status": "error", "seq": first_seq + offset,
                   "error_code": error.error_code, "message": error.message}
        lines.append(dumps(ack) + b"\n")
    return b"".join(lines)
