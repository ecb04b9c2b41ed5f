"""The cheap path of a pull-query key lookup, as ASGI middleware of the ksqlDB app.

A dashboard polling `SELECT * FROM t WHERE k = 1;` asks the same compiled query again
and again: once its plan is cached and the table's view is caught up, the answer is a
dict lookup, and routing, request and response objects would cost more than the query.
So `POST /query-stream` and `POST /query` bodies are looked at here first: a plain
request (no properties) for a query `TransientQueries.pull_now` can answer at once is
answered at once, in one body with a Content-Length; anything else, including every
error, goes on to the app with the body replayed, and the app answers it as before.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tote.http.common import negotiate, parse_json
from tote.http.ksql_print import is_print
from tote.http.ksql_streams import DELIMITED, JSON, KSQL_V1, ksql_media, pull_body
from tote.sql.server import KsqlServer
from tote.sql.transient import PullResult

# path -> (the body's SQL field, its properties field)
_FIELDS = {"/query-stream": ("sql", "properties"), "/query": ("ksql", "streamsProperties")}


class PullFastPath:
    def __init__(self, app: ASGIApp, server: KsqlServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        fields = _FIELDS.get(scope["path"]) if scope["type"] == "http" else None
        if fields is None or scope["method"] != "POST" or not self.server.ready:
            await self.app(scope, receive, send)
            return
        body, more = await _body(receive)
        answer = None if more is not None else self._answer(scope, body, *fields)
        if answer is None:
            await self.app(scope, _replay(body, more, receive), send)
            return
        media_type, content = answer
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-length", str(len(content)).encode("latin-1")),
            (b"content-type", media_type.encode("latin-1"))]})
        await send({"type": "http.response.body", "body": content})

    def _answer(self, scope: Scope, body: bytes, sql_field: str, properties_field: str
                ) -> tuple[str, bytes] | None:
        """(media type, body) of the answer, or None to leave the request to the app."""
        try:
            request = parse_json(body)
        except ValueError:
            return None
        if not isinstance(request, dict) or request.get(properties_field) or \
                request.get("sessionVariables"):
            return None
        sql = request.get(sql_field)
        if not isinstance(sql, str):
            return None
        accept = _header(scope, b"accept")
        if scope["path"] == "/query":
            if is_print(sql):
                return None
            shape = KSQL_V1
            found = ksql_media(accept)
            if found is None or "protobuf" in (accept or "").lower():
                return None  # the app answers 406, or in protobuf
            media_type = found
        else:
            negotiated = negotiate(accept, (DELIMITED, JSON, KSQL_V1))
            if negotiated is None:
                return None
            shape = media_type = negotiated
        queries = self.server.queries
        statement = queries.parsed(sql)
        if statement is None:
            return None
        try:
            answered = queries.pull_now(statement)
        except Exception:  # noqa: BLE001 - the app asks again and renders the error
            return None
        if not isinstance(answered, PullResult):
            return None
        return media_type, pull_body(answered, shape)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _body(receive: Receive) -> tuple[bytes, Message | None]:
    """The request body; and the message that stopped the read early (a disconnect), if
    one did."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), message
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), None


def _replay(body: bytes, stopped: Message | None, receive: Receive) -> Receive:
    """`receive` as the app would have seen it had nobody read the body first."""
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]
    if stopped is not None:
        pending.append(stopped)

    async def replayed() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
