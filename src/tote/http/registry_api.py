"""The Schema Registry REST API (Confluent's, on port 8081) over a `Registry`.

Routing works on the raw request path, split on `/` and percent-decoded per segment, so a
subject containing an encoded slash (`a%2Fb`) stays one path parameter, as on Jersey.
Every request negotiates its response media type first, so even errors come back as
`application/vnd.schemaregistry.v1+json` when the client asked for it. Handlers are
synchronous (the registry blocks on the log) and run in the thread pool.

    app = create_registry_app(Registry(log))   # lifespan starts and closes the registry
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tote.http.common import (
    JSON,
    error_response,
    install_error_handlers,
    negotiate,
    set_media_type,
)
from tote.http.registry_bodies import Call
from tote.http.registry_handlers import ROUTES
from tote.registry import Registry

V1 = "application/vnd.schemaregistry.v1+json"
GENERIC = "application/vnd.schemaregistry+json"
RESPONSE_TYPES = (V1, GENERIC, JSON)
REQUEST_TYPES = (V1, GENERIC, JSON, "application/octet-stream")
METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")
Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class _Match:
    handler: Handler
    params: dict[str, str]


def _segments(raw_path: bytes) -> list[str] | None:
    """Path segments, each percent-decoded; None if one is not UTF-8."""
    parts = raw_path.split(b"/")
    if parts and parts[0] == b"":
        parts = parts[1:]
    if parts and parts[-1] == b"":
        parts = parts[:-1]
    try:
        return [unquote_to_bytes(p).decode("utf-8") for p in parts]
    except UnicodeDecodeError:
        return None


def _match(segments: list[str], pattern: tuple[str, ...]) -> dict[str, str] | None:
    if len(segments) != len(pattern):
        return None
    params = {}
    for segment, part in zip(segments, pattern, strict=True):
        if part.startswith("{"):
            params[part[1:-1]] = segment
        elif segment != part:
            return None
    return params


def route(method: str, segments: list[str]) -> _Match:
    """The handler for a method and path; 404 if no path matches, 405 if no method does."""
    allowed: list[str] = []
    lookup = "GET" if method == "HEAD" else method
    for route_method, pattern, handler in ROUTES:
        params = _match(segments, pattern)
        if params is None:
            continue
        if route_method == lookup:
            return _Match(handler, params)
        allowed.append(route_method)
    if allowed:
        raise HTTPException(405, headers={"Allow": ", ".join(sorted(set(allowed)))})
    raise HTTPException(404)


def _content_type_ok(content_type: str | None) -> bool:
    if content_type is None or not content_type.strip():
        return True
    return content_type.split(";", 1)[0].strip().lower() in REQUEST_TYPES


def create_registry_app(registry: Registry) -> Starlette:
    """An ASGI app serving `registry`; its lifespan starts (replays) and closes it."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(registry.start)
        try:
            yield
        finally:
            await run_in_threadpool(registry.close)

    async def dispatch(request: Request) -> Response:
        media_type = negotiate(request.headers.get("accept"), RESPONSE_TYPES)
        set_media_type(request, media_type or V1)
        if media_type is None:
            return error_response(request, 406, "HTTP 406 Not Acceptable")
        segments = _segments(request.scope.get("raw_path") or request.url.path.encode())
        if segments is None:
            raise HTTPException(404)
        found = route(request.method, segments)
        body = b""
        if request.method in ("POST", "PUT"):
            if not _content_type_ok(request.headers.get("content-type")):
                return error_response(request, 415, "HTTP 415 Unsupported Media Type")
            body = await request.body()
        call = Call(registry, found.params, request.query_params, body, media_type)
        response: Response = await run_in_threadpool(found.handler, call)
        return response

    app = Starlette(routes=[Route("/{path:path}", dispatch, methods=list(METHODS))],
                    lifespan=lifespan)
    install_error_handlers(app)
    return app


def openapi_paths() -> list[tuple[str, str]]:
    """(method, path template) of every endpoint, for documentation and request generators."""
    return [(method, "/" + "/".join(pattern)) for method, pattern, _ in ROUTES]

