"""ksqlDB's REST API (port 8088) over a `KsqlServer`.

    app = create_ksql_app(KsqlServer(log, registry))   # lifespan replays, then serves

Endpoints: `POST /ksql` (statements → entities), `POST /query` (legacy streaming
array), `POST /query-stream` (delimited or JSON), `POST /inserts-stream`,
`POST /close-query`, `GET /info`, `/healthcheck`, `/status[/{type}/{entity}/{action}]`,
`POST /ksql/terminate`, the WebSocket `GET /ws/query` (`tote.http.ksql_ws`). Errors are
ksqlDB's bodies: `statement_error` (with the statement and the entities of the
statements that ran before it) or `generic_error`,
with HTTP status `error_code // 100`. Until the command topic has been replayed every
request is answered 503 / 50302 "Server initializing". Once the command topic is lost
(`tote.sql.commands`), /info says DEGRADED, /healthcheck's command runner is unhealthy and
answered entities carry ksqlDB's corruption warning.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import Receive, Scope, Send

from tote.core.errors import BadRequest, NotFound, SqlError, ToteError
from tote.http.common import dumps, negotiate, parse_json, status_for_code
from tote.http.ksql_cluster import (
    cluster_status,
    is_valid_property,
    kafka_cluster_id,
    metadata,
    metadata_id,
)
from tote.http.ksql_entities import entity
from tote.http.ksql_fast import PullFastPath
from tote.http.ksql_inserts import InsertsStream
from tote.http.ksql_overrides import checked_properties, stream_properties
from tote.http.ksql_print import is_print, parse_print, print_response, print_stream_response
from tote.http.ksql_protobuf import KSQL_V1_PROTOBUF, protobuf_pull_body, protobuf_stream
from tote.http.ksql_streams import (
    DELIMITED,
    JSON,
    KSQL_V1,
    Pollers,
    delimited,
    json_array,
    ksql_media,
    legacy,
    pull_body,
)
from tote.http.ksql_terminate import delete_topic_list
from tote.http.ksql_ws import WsQuery
from tote.sql.properties import PropertyNotFound, PropertyRejected
from tote.sql.results import QuerySummary
from tote.sql.server import (
    VERSION,
    KsqlServer,
    QueryEndpointError,
    ServerNotReady,
    StatementFailed,
)
from tote.sql.transient import PullResult

_LOG = logging.getLogger("tote.http.ksql")


def _media(request: Request) -> str:
    """The answer's media type (`ksql_media`); JSON for one no format suits (errors)."""
    return ksql_media(request.headers.get("accept")) or JSON


def _check_acceptable(request: Request) -> None:
    """ksqlDB's router produces its own media type and JSON on /ksql and /query: 406
    (before the statement runs) when the `Accept` header allows neither."""
    if ksql_media(request.headers.get("accept")) is None:
        raise HTTPException(406, "Not Acceptable")


def _respond(request: Request, content: Any, status: int = 200,
             headers: Mapping[str, str] | None = None) -> Response:
    return Response(dumps(content), status_code=status, media_type=_media(request),
                    headers=dict(headers) if headers else None)


def error_body(exc: ToteError, server: KsqlServer | None = None) -> dict[str, Any]:
    """ksqlDB's error entity for `exc`."""
    statement = getattr(exc, "statement_text", None)
    if isinstance(exc, StatementFailed):
        entities = []
        if server is not None:
            lookup = _query_lookup(server)
            entities = [e for r in exc.results if (e := entity(r, lookup)) is not None]
        return {"@type": "statement_error", "error_code": exc.error_code,
                "message": exc.message, "statementText": exc.statement_text,
                "entities": entities, "stackTrace": []}
    if isinstance(exc, (SqlError, QueryEndpointError)) and statement is not None:
        return {"@type": "statement_error", "error_code": exc.error_code,
                "message": exc.message, "statementText": statement, "entities": [],
                "stackTrace": []}
    return {"@type": "generic_error", "error_code": exc.error_code, "message": exc.message,
            "stackTrace": []}


def _query_lookup(server: KsqlServer) -> Any:
    def lookup(query_id: str) -> QuerySummary | None:
        record = server.engine.metastore.queries.get(query_id)
        if record is None:
            return None
        return QuerySummary(record.id, record.sql, (record.sink,) if record.sink else (),
                            (record.sink_topic,) if record.sink_topic else (), record.state)

    return lookup


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = parse_json(raw)
    except ValueError as exc:
        raise BadRequest(f"Invalid JSON in request: {exc}") from None
    if not isinstance(body, dict):
        raise BadRequest("Invalid JSON in request: expected a JSON object")
    return body


def _legacy_properties(server: KsqlServer, raw: Any, sql: str, *, statement: bool
                       ) -> dict[str, object]:
    """/ksql and /query: an unknown name is ksqlDB's uncaught 500 (a statement error
    naming the request on /ksql), a refused value its 400 with the cause."""
    try:
        return checked_properties(server, raw, "streamsProperties")
    except PropertyNotFound as exc:
        error = ToteError(exc.message, 50000)
        raise (StatementFailed(error, sql, []) if statement else error) from None
    except PropertyRejected as exc:
        raise BadRequest(exc.detail) from None


def _variables(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BadRequest("Invalid JSON in request: 'sessionVariables' must be an object")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}


def _sql(body: dict[str, Any], field: str) -> str:
    text = body.get(field)
    if not isinstance(text, str) or not text.strip():
        raise BadRequest(f"\"{field}\" field must be populated", 40000)
    return text


class _NotFound:
    """ksqlDB's last route, taking whatever no other route took (an unknown path, or a
    method the path does not serve): 404, the text `Not Found`, no content type; its
    server-state check comes first (503 while initializing). An ASGI app, not a
    function, so that its route serves every method."""

    def __init__(self, server: KsqlServer) -> None:
        self._server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._server.check_ready()
        await Response(b"Not Found", status_code=404)(scope, receive, send)


def create_ksql_app(server: KsqlServer, *, start: bool = True) -> Starlette:
    """The ASGI app; its lifespan starts `server` in the background (requests get 50302
    until it is ready) and closes it on shutdown."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.get_running_loop().run_in_executor(None, _start) if start else None
        try:
            yield
        finally:
            if task is not None:
                await asyncio.wait_for(asyncio.shield(task), timeout=60)
            await run_in_threadpool(server.close)

    pollers = Pollers(server.queries)

    def _start() -> None:
        try:
            server.start()
        except ToteError as exc:
            _LOG.error("ksqlDB server failed to start: %s", exc.message)

    async def ksql(request: Request) -> Response:
        server.check_ready()
        _check_acceptable(request)
        body = await _json(request)
        sql = _sql(body, "ksql")
        properties = _legacy_properties(server, body.get("streamsProperties"), sql,
                                        statement=True)
        variables = _variables(body.get("sessionVariables"))
        sequence = body.get("commandSequenceNumber")
        if sequence is not None and (not isinstance(sequence, int) or isinstance(sequence, bool)):
            raise BadRequest("Invalid JSON in request: commandSequenceNumber must be a number")
        results = await run_in_threadpool(server.execute, sql, properties, variables, sequence)
        lookup = _query_lookup(server)
        return _respond(request, [e for r in results if (e := entity(r, lookup)) is not None])

    def _start_in_worker(sql: str, properties: dict[str, object]) -> Any:
        statement = server.queries.parse(sql)
        try:
            return server.queries.start(statement, properties)
        except SqlError as exc:
            if not exc.statement_text:
                exc.statement_text = statement.text
            raise

    async def _start_query(sql: str, properties: dict[str, object]) -> Any:
        """The started query: a key lookup whose plan is compiled and whose table view
        is caught up is answered right here on the event loop; anything else (parsing,
        planning, reading the log) goes to a worker thread, in one hop."""
        statement = server.queries.parsed(sql)
        if statement is not None:
            answered = server.queries.pull_now(statement, properties)
            if answered is not None:
                return answered
        return await run_in_threadpool(_start_in_worker, sql, properties)

    async def query(request: Request) -> Response:
        server.check_ready()
        _check_acceptable(request)
        body = await _json(request)
        sql = _sql(body, "ksql")
        properties = _legacy_properties(server, body.get("streamsProperties"), sql,
                                        statement=False)
        printed = await run_in_threadpool(parse_print, sql) if is_print(sql) else None
        if printed is not None:
            return await print_response(server, printed, _media(request), pollers)
        started = await _start_query(sql, properties)
        if negotiate(request.headers.get("accept"), (KSQL_V1, KSQL_V1_PROTOBUF)) == \
                KSQL_V1_PROTOBUF:  # asked for by name: */* keeps JSON
            return _answer(started, KSQL_V1_PROTOBUF, KSQL_V1_PROTOBUF)
        return _answer(started, KSQL_V1, _media(request))

    async def query_stream(request: Request) -> Response:
        server.check_ready()
        accept = negotiate(request.headers.get("accept"),
                           (DELIMITED, JSON, KSQL_V1, KSQL_V1_PROTOBUF))
        if accept is None:  # ksqlDB's router: 406 when no format it produces is acceptable
            raise HTTPException(406, "Not Acceptable")
        body = await _json(request)
        sql = _sql(body, "sql")
        properties = stream_properties(server, body.get("properties"), "properties")
        printed = await run_in_threadpool(parse_print, sql) if is_print(sql) else None
        if printed is not None:
            return await print_stream_response(server, printed, properties, accept, pollers)
        started = await _start_query(sql, properties)
        return _answer(started, accept, accept)

    def _answer(started: Any, shape: str, media_type: str | None) -> Response:
        """A pull query's rows in one body; anything else streamed as it comes."""
        if shape == KSQL_V1_PROTOBUF:
            if isinstance(started, PullResult):
                return Response(protobuf_pull_body(started), media_type=media_type)
            return StreamingResponse(protobuf_stream(server.queries, started, pollers),
                                     media_type=media_type)
        if isinstance(started, PullResult):
            return Response(pull_body(started, shape), media_type=media_type)
        if shape == KSQL_V1:
            stream = legacy(server.queries, started, pollers)
        elif shape == JSON:
            stream = json_array(server.queries, started, pollers)
        else:
            stream = delimited(server.queries, started, pollers)
        return StreamingResponse(stream, media_type=media_type)

    async def close_query(request: Request) -> Response:
        server.check_ready()
        body = await _json(request)
        if "queryId" not in body:  # ksqlDB's JSON mapper: a required property is missing
            raise BadRequest("Invalid JSON in request: Missing required creator property "
                             "'queryId' (index 0)")
        query_id = body.get("queryId")
        if not isinstance(query_id, str) or not query_id:
            raise BadRequest("No queryId in request")
        if not server.queries.close(query_id):
            raise BadRequest(f"No query with id {query_id}")
        return Response(status_code=200)

    async def info(request: Request) -> Response:
        return _respond(request, {"KsqlServerInfo": {
            "version": VERSION, "kafkaClusterId": await kafka_cluster_id(server), "ksqlServiceId":
            server.engine.service_id,
            "serverStatus": "INITIALIZING" if not server.ready
            else "DEGRADED" if server.degraded else "RUNNING"}})

    async def healthcheck(request: Request) -> Response:
        ready = server.ready
        # Degraded (command topic lost): ksqlDB's command-runner check fails, the
        # statements of the metastore check still answer, and the status stays 200.
        runner = ready and not server.degraded
        return _respond(request, {"isHealthy": runner, "details": {
            "metastore": {"isHealthy": ready}, "kafka": {"isHealthy": True},
            "commandRunner": {"isHealthy": runner}},
            "serverState": "READY" if ready else "INITIALIZING"},
            status=200 if ready else 503)

    async def statuses(request: Request) -> Response:
        server.check_ready()
        return _respond(request, {"commandStatuses": {
            k: v.status for k, v in server.statuses.items()}})

    async def status(request: Request) -> Response:
        server.check_ready()
        p = request.path_params
        command_id = f"{p['type']}/{p['entity']}/{p['action']}"
        found = server.status(command_id)
        if found is None:
            raise NotFound(f"Command not found with id: {command_id}")
        return _respond(request, {"status": found.status, "message": found.message,
                                  "queryId": found.query_id})

    async def terminate(request: Request) -> Response:
        server.check_ready()
        try:
            body = parse_json(await request.body())
        except ValueError as exc:
            raise BadRequest(f"Invalid JSON in request: {exc}") from None
        delete_topic_list(body)
        return _respond(request, {})

    async def health_probe(request: Request) -> Response:
        """ksqlDB's /chc/ready and /chc/live: `{}`, answered before the server is ready."""
        return Response(b"{}", media_type=JSON)

    async def ksql_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ToteError)
        headers = {"Retry-After": "10"} if isinstance(exc, ServerNotReady) else None
        return _respond(request, error_body(exc, server), status_for_code(exc.error_code),
                        headers)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _respond(request, {"@type": "generic_error", "error_code": exc.status_code * 100,
                                  "message": exc.detail, "stackTrace": []}, exc.status_code)

    async def internal_error(request: Request, exc: Exception) -> Response:
        _LOG.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        return _respond(request, {"@type": "generic_error", "error_code": 50000,
                                  "message": f"{type(exc).__name__}: {exc}", "stackTrace": []},
                        500)

    routes = [
        Route("/ksql", ksql, methods=["POST"]),
        Route("/ksql/terminate", terminate, methods=["POST"]),
        Route("/query", query, methods=["POST"]),
        Route("/query-stream", query_stream, methods=["POST"]),
        Route("/inserts-stream", InsertsStream(server), methods=["POST"]),
        Route("/close-query", close_query, methods=["POST"]),
        Route("/info", info, methods=["GET"]),
        Route("/", info, methods=["GET"]),
        Route("/healthcheck", healthcheck, methods=["GET"]),
        Route("/status", statuses, methods=["GET"]),
        Route("/status/{type}/{entity}/{action}", status, methods=["GET"]),
        Route("/chc/ready", health_probe, methods=["GET"]),
        Route("/chc/live", health_probe, methods=["GET"]),
        WebSocketRoute("/ws/query", WsQuery(server, pollers,
                                              partial(stream_properties, server))),
        Route("/is_valid_property/{property}",
              is_valid_property(server), methods=["GET"]),
        Route("/v1/metadata", metadata(server), methods=["GET"]),
        Route("/v1/metadata/id", metadata_id(server), methods=["GET"]),
        Route("/clusterStatus", cluster_status(server), methods=["GET"]),
        Route("/{path:path}", _NotFound(server)),  # last: every path, every method
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[Middleware(PullFastPath, server=server)])
    app.add_exception_handler(ToteError, ksql_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
    return app
