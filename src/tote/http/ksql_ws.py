"""ksqlDB's WebSocket endpoint, `GET /ws/query?request=<KsqlRequest JSON>[&version=1]`:
the legacy transport of ksqlDB's UI, which runs one push query, pull query or PRINT.

Messages are JSON text frames, as ksqlDB's WSQueryEndpoint writes them:

* a query: its schema first, as a list of ksqlDB's FieldInfo (`[{"name","schema"}]`;
  a pull query marks its key columns `"type":"KEY"`, a push query lists them as values),
  then one `{"row":{"columns":[...]}}` per row;
* a PRINT: one JSON string per record line (no format lines);
* the end, whatever the reason: `{"error": why}` and a close frame with a code and `why`
  as its reason (cut to 123 bytes with `...`): 1000 "done" once the query ended (LIMIT,
  a pull query's last row, /close-query); 1003 for a request refused before it started
  (bad request JSON or version, a statement that failed to parse or start, one that is
  no query); 1011 when it failed while running; 1013 when a `commandSequenceNumber`
  was not reached in time.

Before the upgrade, the route's checks answer HTTP as its other routes do: 503 while the
server initializes, 406 when `Accept` allows neither JSON nor ksqlDB's own type.

Rows are waited for in a thread of `Pollers`, as on /query (an idle push query holds no
request thread and counts under `ksql.max.push.queries`); a client that closes or goes
away ends its query at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from tote.core.errors import SqlError, ToteError
from tote.http.common import parse_json, utf8_json
from tote.http.ksql_entities import schema
from tote.http.ksql_streams import JSON, Pollers, QueryFailed, batches, ksql_media
from tote.log.wake import Wake
from tote.serde.json_format import dumps
from tote.sql.ast.commands import PrintTopic
from tote.sql.ast.statements import QueryStatement, Statement
from tote.sql.parser import parse
from tote.sql.printing import print_lines
from tote.sql.server import CommandTimeout, KsqlServer, ServerNotReady
from tote.sql.transient import Row, TransientQuery

NORMAL = 1000  # the query ended: "done"
INVALID_MESSAGE_TYPE = 1003  # refused before it started
INTERNAL_ERROR = 1011  # failed while running
TRY_AGAIN_LATER = 1013  # commandSequenceNumber not reached in time
DONE = "done"
MAX_REASON_BYTES = 123  # a close frame's reason
SEQUENCE_TIMEOUT = 5.0  # as /ksql waits for a commandSequenceNumber
_VERSION = re.compile(r"[+-]?\d+")

CheckProperties = Callable[[Any, str], dict[str, object]]


class _Refused(Exception):
    def __init__(self, message: str, code: int = INVALID_MESSAGE_TYPE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class WsQuery:
    """The ASGI app of the route. `check_properties` validates `streamsProperties` as
    /ksql does (a BadRequest names the property)."""

    def __init__(self, server: KsqlServer, pollers: Pollers,
                 check_properties: CheckProperties) -> None:
        self._server = server
        self._pollers = pollers
        self._check_properties = check_properties

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        denial = self._denial(websocket)
        if denial is not None:
            if "websocket.http.response" in scope.get("extensions", {}):
                await websocket.send_denial_response(denial)
            else:  # the server cannot answer HTTP here: a plain refusal (403)
                await websocket.close()
            return
        await websocket.accept()
        try:
            started = await self._start(websocket)
        except _Refused as refused:
            await _close(websocket, refused.code, refused.message)
            return
        await self._serve(websocket, started)

    def _denial(self, websocket: WebSocket) -> Response | None:
        """The HTTP answer of the route's checks before the upgrade, if one fails."""
        media = ksql_media(websocket.headers.get("accept"))
        try:
            self._server.check_ready()
        except ServerNotReady as exc:
            return _error_response(503, exc.error_code, exc.message, media or JSON,
                                   {"Retry-After": "10"})
        if media is None:
            return _error_response(406, 40600, "Not Acceptable", JSON)
        return None

    # -- the request -------------------------------------------------------------------------

    async def _start(self, websocket: WebSocket) -> TransientQuery | PrintTopic:
        params = websocket.query_params
        version = params.get("version")
        if version is not None and not (_VERSION.fullmatch(version) and int(version) == 1):
            raise _Refused(f"Received invalid api version: {version}")
        requests = params.getlist("request")
        sql, properties, sequence = self._request(requests[0] if requests else None)
        if sequence is not None and sequence >= 0:
            try:
                await run_in_threadpool(self._server.follower.wait_for, sequence,
                                        SEQUENCE_TIMEOUT)
            except CommandTimeout as exc:
                raise _Refused(exc.message, TRY_AGAIN_LATER) from None
        return await run_in_threadpool(self._begin, sql, properties)

    def _request(self, raw: str | None) -> tuple[str, dict[str, object], int | None]:
        """ksqlDB's KsqlRequest from the `request` parameter: its statement, properties
        and command sequence number."""
        try:
            if not raw:
                raise ValueError("missing request parameter")
            body = parse_json(raw)
            if not isinstance(body, dict):
                raise ValueError("Cannot deserialize value of type `KsqlRequest`: expected "
                                 "a JSON object")
            sql = body.get("ksql")
            if not isinstance(sql, str) or not sql:
                raise ValueError('"ksql" field of "request" must be populated')
            properties = self._check_properties(body.get("streamsProperties"),
                                                "streamsProperties")
            sequence = body.get("commandSequenceNumber")
            if sequence is not None and (not isinstance(sequence, int)
                                         or isinstance(sequence, bool)):
                raise ValueError("commandSequenceNumber must be a number")
        except (ValueError, ToteError) as exc:
            message = exc.message if isinstance(exc, ToteError) else str(exc)
            raise _Refused(f"Error parsing request: {message}") from None
        return sql, properties, sequence

    def _begin(self, sql: str, properties: dict[str, object]) -> TransientQuery | PrintTopic:
        """In a worker thread: the statement parsed, and its query started (a PRINT starts
        when it is served)."""
        statement = _statement(sql)
        if isinstance(statement, PrintTopic):
            if not self._server.log.topic_exists(statement.topic):
                raise _Refused("Topic does not exist, or KSQL does not have permission to "
                               f"list the topic: {statement.topic}")
            return statement
        if not isinstance(statement, QueryStatement):
            raise _Refused(f"Unexpected statement type {type(statement).__name__}")
        try:
            return self._server.queries.start(statement, properties)
        except ToteError as exc:
            raise _Refused(exc.message) from None

    # -- the answer --------------------------------------------------------------------------

    async def _serve(self, websocket: WebSocket, started: TransientQuery | PrintTopic) -> None:
        """Sends the answer while watching for the client's close: either ends the other."""
        query = None if isinstance(started, PrintTopic) else started
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(_watch, websocket, group.cancel_scope)
                try:
                    if query is None:
                        assert isinstance(started, PrintTopic)
                        await self._print(websocket, started)
                    else:
                        await self._rows(websocket, query)
                except WebSocketDisconnect:
                    pass  # the client went away mid-send
                finally:
                    group.cancel_scope.cancel()
        finally:
            if query is not None:
                self._server.queries.forget(query)

    async def _rows(self, websocket: WebSocket, query: TransientQuery) -> None:
        await websocket.send_text(_text(dumps(_fields(query))))
        try:
            async for batch in batches(self._server.queries, query, self._pollers):
                for row in batch.rows if batch is not None else ():
                    await websocket.send_text(_text(dumps(_row(row))))
        except QueryFailed as exc:
            await _close(websocket, INTERNAL_ERROR, exc.message)
            return
        await _close(websocket, NORMAL, DONE)

    async def _print(self, websocket: WebSocket, statement: PrintTopic) -> None:
        """ksqlDB's PRINT over the WebSocket: the records' lines, from the end of the topic
        unless FROM BEGINNING. An INTERVAL below 1 fails once a record arrives."""
        bad_interval = statement.interval is not None and statement.interval < 1
        if bad_interval:
            statement = replace(statement, interval=1)
        server = self._server
        wake = Wake()  # set when the answer ends: ends an idle wait at once
        lines = print_lines(server.log, server.registry, statement, wake.is_set, wake=wake,
                            formats=False)
        try:
            while True:
                try:
                    line = await self._pollers.next_line(lines)
                except ToteError as exc:
                    await _close(websocket, INTERNAL_ERROR, exc.message)
                    return
                if line is None:
                    break
                if not line:  # an idle period: ksqlDB's consumer just polls again
                    continue
                if bad_interval:
                    await _close(websocket, INTERNAL_ERROR, "interval must be greater than 0")
                    return
                await websocket.send_text(_text(dumps(line)))
        finally:
            wake.set()
        await _close(websocket, NORMAL, DONE)


def _statement(sql: str) -> Statement:
    try:
        statements = parse(sql)
    except SqlError as exc:
        raise _Refused(f"Error parsing query: {exc.message}") from None
    if len(statements) != 1:
        raise _Refused("Error parsing query: Expected exactly one KSQL statement; found "
                       f"{len(statements)} instead")
    return statements[0]


async def _watch(websocket: WebSocket, scope: anyio.CancelScope) -> None:
    """Until the client closes or goes away (anything it sends is ignored), then ends
    the answer."""
    while (await websocket.receive())["type"] != "websocket.disconnect":
        pass
    scope.cancel()


def _fields(query: TransientQuery) -> list[dict[str, Any]]:
    """ksqlDB's FieldInfo list of the query's columns: a push query's are all values."""
    fields = []
    for column in query.columns:
        field: dict[str, Any] = {"name": column.name, "schema": schema(str(column.type))}
        if query.is_pull and column.is_key:
            field["type"] = "KEY"
        fields.append(field)
    return fields


def _row(row: Row) -> dict[str, Any]:
    body: dict[str, Any] = {"columns": list(row.columns)}
    if row.tombstone:
        body["tombstone"] = True
    return {"row": body}


def _text(json_text: str) -> str:
    """JSON text a text frame can carry: a lone surrogate written as its escape."""
    return utf8_json(json_text).decode("utf-8")


def _reason(message: str) -> str:
    """A close frame's reason: at most 123 UTF-8 bytes, a longer one cut to 120 and `...`
    (two characters dropped at a time, as ksqlDB does)."""
    text = _text(message)
    if len(text.encode()) <= MAX_REASON_BYTES:
        return text
    cut = text[:MAX_REASON_BYTES - 3]
    while len(cut.encode()) > MAX_REASON_BYTES - 3:
        cut = cut[:-2]
    return cut + "..."


async def _close(websocket: WebSocket, code: int, message: str) -> None:
    """ksqlDB's ending: the message as `{"error": ...}`, then the close frame."""
    try:
        await websocket.send_text(_text(dumps({"error": message})))
        await websocket.close(code, _reason(message))
    except (WebSocketDisconnect, RuntimeError):
        pass  # the client is gone already


def _error_response(status: int, code: int, message: str, media_type: str,
                    headers: dict[str, str] | None = None) -> Response:
    body = {"@type": "generic_error", "error_code": code, "message": message,
            "stackTrace": []}
    return Response(utf8_json(dumps(body)), status_code=status, media_type=media_type,
                    headers=headers)
