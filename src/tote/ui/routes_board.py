"""The tote board: `/` (and `/board`) show a race; `/board/stream` pushes it live.

The page renders the board once on the server; its script then opens the server-sent
event stream, which sends the same fragment, rendered by the same template, every time
the board changes. So the board works (statically) without JavaScript, and the live
version is never a second rendering path that could disagree with the first.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route
from starlette.templating import Jinja2Templates

from tote.ui.board import Board, sparkline
from tote.ui.context import SSE_HEADERS, sse_event, ui_of
from tote.ui.pages import render

KEEP_ALIVE_S = 15.0
COALESCE_S = 0.05  # let a burst of updates land before rendering once


def _context(board: Board, race: str | None) -> dict[str, Any]:
    races = board.races()
    if race is None and races:
        race = races[0]
    return {"races": races, "race": race, "view": board.view(race) if race else None,
            "status": board.status, "live": board.live, "sparkline": sparkline}


def _chosen(request: Request) -> str | None:
    race = request.query_params.get("race", "").strip()
    return race or None


async def board_page(request: Request) -> Response:
    board = ui_of(request).board
    return render(request, "board.html", **_context(board, _chosen(request)))


async def board_fragment(request: Request) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    board = ui_of(request).board
    html = templates.get_template("_board.html").render(_context(board, _chosen(request)))
    return HTMLResponse(html)


async def board_stream(request: Request) -> Response:
    """`event: board` with the fragment after every change; a comment every 15 s."""
    templates: Jinja2Templates = request.app.state.templates
    board = ui_of(request).board
    race = _chosen(request)
    template = templates.get_template("_board.html")

    async def events() -> AsyncIterator[str]:
        sent = -1
        while True:
            version = await board.wait_change(sent, KEEP_ALIVE_S)
            if version == sent:
                yield ": keep-alive\n\n"
                continue
            await asyncio.sleep(COALESCE_S)
            sent = board.version
            yield sse_event("board", template.render(_context(board, race)))

    return StreamingResponse(events(), media_type="text/event-stream", headers=SSE_HEADERS)


def routes() -> list[BaseRoute]:
    return [Route("/", board_page, methods=["GET"]),
            Route("/board", board_page, methods=["GET"]),
            Route("/board/fragment", board_fragment, methods=["GET"]),
            Route("/board/stream", board_stream, methods=["GET"])]
