"""`POST /inserts-stream`: newline-delimited JSON in, one acknowledgement per row out.

The first object names the target stream (`{"target": "S1"}`), each following object is
a row. The answer is a stream of `{"status":"ok","seq":N}` lines, or for a row that
cannot be written `{"status":"error","seq":N,"error_code":40000,"message":...}`; the
other rows are still written. (Over HTTP/1.1 the whole request body is read first.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from tote.core.errors import BadRequest, ToteError
from tote.http.common import dumps
from tote.sql.server import KsqlServer
from tote.sql.server.inserts import RowInserter, find_target

DELIMITED = "application/vnd.ksqlapi.delimited.v1"


def _objects(raw: bytes) -> Iterator[Any]:
    """The JSON values of a body of whitespace-separated JSON objects."""
    text = raw.decode("utf-8", errors="replace")
    decoder = json.JSONDecoder()
    position = 0
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            return
        try:
            value, position = decoder.raw_decode(text, position)
        except ValueError as exc:
            raise BadRequest(f"Invalid JSON in request: {exc}") from None
        yield value


async def inserts_stream(request: Request, server: KsqlServer) -> Response:
    raw = await request.body()
    values = list(_objects(raw))
    if not values or not isinstance(values[0], dict) or not isinstance(
            values[0].get("target"), str):
        raise BadRequest("Invalid JSON in request: the first object must name the target: "
                         '{"target": "<stream>"}')
    target = values[0]["target"]
    engine = server.engine
    source = find_target(engine.metastore, target)
    inserter = await run_in_threadpool(RowInserter, engine.log, engine.registry, source,
                                       engine.clock)

    def acks() -> Iterator[bytes]:
        for seq, row in enumerate(values[1:]):
            try:
                if not isinstance(row, dict):
                    raise BadRequest("Invalid JSON in request: a row must be a JSON object")
                inserter.insert(row)
                ack: dict[str, Any] = {"status": "ok", "seq": seq}
            except ToteError as exc:
                ack = {"status": "error", "seq": seq, "error_code": exc.error_code,
                       "message": exc.message}
            yield dumps(ack) + b"\n"

    return StreamingResponse(iterate_in_threadpool(acks()), media_type=DELIMITED)
