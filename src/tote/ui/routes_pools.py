"""The pools board: `/pools` lists the races and shows one (`?race=`), with its runners,
each pool's gross, approximates and, after the result, dividends; `/pools/stream` pushes
it live.

As on the seed board (`routes_board.py`), the page renders `_pools.html` once on the
server and its script then replaces it with the same fragment, rendered by the same
template, from the server-sent event stream whenever the board changes; so the page
works without JavaScript, and the live view cannot disagree with the first one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from tote.ui.context import SSE_HEADERS, sse_event, ui_of
from tote.ui.live import LiveState
from tote.ui.pages import render
from tote.ui.pools_board import TOP_COMBINATIONS, PoolsBoard

KEEP_ALIVE_S = 15.0
COALESCE_S = 0.1  # let a burst of bets land before rendering once


def _context(live: LiveState[PoolsBoard], race: str | None) -> dict[str, Any]:
    board = live.current
    if race is None:
        race = board.default_race()
    return {
        "races": board.races(),
        "race": race,
        "view": board.view(race) if race else None,
        "skipped": board.skipped,
        "status": live.status,
        "live": live.live,
        "top": TOP_COMBINATIONS,
    }


def _chosen(request: Request) -> str | None:
    race = request.query_params.get("race", "").strip()
    return race or None


async def pools_page(request: Request) -> Response:
    return render(request, "pools.html", **_context(ui_of(request).pools, _chosen(request)))


async def pools_fragment(request: Request) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    context = _context(ui_of(request).pools, _chosen(request))
    return HTMLResponse(templates.get_template("_pools.html").render(context))


async def pools_stream(request: Request) -> Response:
    """`event: pools` with the fragment after every change that alters it; a comment
    every 15 s."""
    templates: Jinja2Templates = request.app.state.templates
    live = ui_of(request).pools
    race = _chosen(request)
    template = templates.get_template("_pools.html")

    async def events() -> AsyncIterator[str]:
        seen, sent = -1, ""
        while True:
            version = await live.wait_change(seen, KEEP_ALIVE_S)
            if version == seen:
                yield ": keep-alive\n\n"
                continue
            await asyncio.sleep(COALESCE_S)
            seen = live.version
            html = template.render(_context(live, race))
            if html != sent:  # another race's bets leave this one's fragment as it was
                sent = html
                yield sse_event("pools", html)

    return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)


def routes() -> list[BaseRoute]:
    return [
        Route("/pools", pools_page, methods=["GET"]),
        Route("/pools/fragment", pools_fragment, methods=["GET"]),
        Route("/pools/stream", pools_stream, methods=["GET"]),
    ]
