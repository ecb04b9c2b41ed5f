"""Helpers shared by the REST Proxy's route modules (v2 produce and metadata, consumers, v3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tote.http.common import check_unicode, json_response
from tote.proxy import bodies
from tote.proxy.errors import MalformedJson
from tote.proxy.formats import V2_JSON
from tote.proxy.service import RestProxy

T = TypeVar("T")


# -- shared route helpers -------------------------------------------------------------------


def proxy_of(request: Request) -> RestProxy:
    proxy: RestProxy = request.app.state.proxy
    return proxy


async def call(fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking library call off the event loop."""
    return await run_in_threadpool(fn, *args)


async def json_body(request: Request) -> Any:
    return checked(await request.body(), bodies.parse_json)


def checked(raw: bytes, parse: Callable[[bytes], T]) -> T:
    """`parse(raw)`, refusing a lone surrogate (`"\\ud800"`): Python's parser takes one,
    but it has no UTF-8 form, so the record could be neither encoded nor echoed."""
    value = parse(raw)
    try:
        check_unicode(raw, value)
    except ValueError as exc:
        raise MalformedJson(f"Invalid JSON in request body: {exc}") from None
    return value


def v2(content: Any, status_code: int = 200) -> Response:
    return json_response(content, status_code=status_code, media_type=V2_JSON)


def no_content() -> Response:
    return Response(status_code=204)
