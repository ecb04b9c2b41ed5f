"""The ksqlDB SQL box: statements go to `/ksql`, queries stream live from `/query-stream`.

`POST /ksql` runs the box's text. A SELECT (pull or push) or PRINT cannot go to `/ksql`
(ksqlDB refuses them there), so the page instead opens `/ksql/stream`, a server-sent
event stream relaying the query's header and rows from ksqlDB's `/query-stream`. The
relay stops after MAX_ROWS rows; closing the page closes it too, which ends a push query.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tote.core.errors import ToteError
from tote.ui.context import SSE_HEADERS, sse_event, ui_of
from tote.ui.pages import render
from tote.ui.services import StreamHeader

MAX_ROWS = 1000
MAX_FORM_BYTES = 1_000_000
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)


def is_query(sql: str) -> bool:
    """True for statements ksqlDB only runs as a stream (SELECT, PRINT)."""
    words = _COMMENT.sub(" ", sql).split()
    return bool(words) and words[0].upper() in ("SELECT", "PRINT")


def entity_rows(entity: dict[str, Any]) -> tuple[str, list[dict[str, Any]]] | None:
    """The list an entity is about (streams, tables, queries...) for a table, if any."""
    for key, value in entity.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return key, value
    return None


def columns_of(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


async def _form_sql(request: Request) -> str:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise ToteError(f"The statement is larger than {MAX_FORM_BYTES} bytes.", 41300)
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return fields.get("sql", [""])[0]


async def ksql_page(request: Request) -> Response:
    sql = request.query_params.get("sql", "") if request.method == "GET" else \
        await _form_sql(request)
    entities: list[dict[str, Any]] = []
    error = ""
    stream = request.method == "POST" and is_query(sql)
    if request.method == "POST" and sql.strip() and not stream:
        try:
            entities = await ui_of(request).ksql.statements(sql)
        except ToteError as exc:
            error = exc.message
    return render(request, "ksql.html", sql=sql, entities=entities, error=error,
                  stream=stream, entity_rows=entity_rows, columns_of=columns_of, shown=shown)


async def ksql_stream(request: Request) -> Response:
    """Events: `header` ({columns, types, queryId}), `row` (a JSON array), `failure`
    (ksqlDB's message) and `done` (why the stream stopped). Not `error`: EventSource
    uses that name for its own connection errors."""
    ksql = ui_of(request).ksql
    sql = request.query_params.get("sql", "")

    async def events() -> AsyncIterator[str]:
        rows = 0
        try:
            async for item in ksql.stream(sql, {"auto.offset.reset": "earliest"}):
                if isinstance(item, StreamHeader):
                    yield sse_event("header", json.dumps(
                        {"columns": item.columns, "types": item.types,
                         "queryId": item.query_id}))
                    continue
                rows += 1
                yield sse_event("row", json.dumps(item, ensure_ascii=False))
                if rows >= MAX_ROWS:
                    yield sse_event("done", f"Stopped after {MAX_ROWS} rows.")
                    return
            yield sse_event("done", f"Query completed ({rows} rows).")
        except ToteError as exc:
            yield sse_event("failure", exc.message)

    return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)


def routes() -> list[BaseRoute]:
    return [Route("/ksql", ksql_page, methods=["GET", "POST"]),
            Route("/ksql/stream", ksql_stream, methods=["GET"])]
