"""Helpers shared by the REST Proxy's route modules (v2 produce and metadata, consumers, v3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tote.http.common import json_response
from tote.proxy import bodies
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
    return bodies.parse_json(await request.body())


def v2(content: Any, status_code: int = 200) -> Response:
    return json_response(content, status_code=status_code, media_type=V2_JSON)


def no_content() -> Response:
    return Response(status_code=204)
