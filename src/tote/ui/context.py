"""What every route reaches through the request: the UI's clients, browsers and boards."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request

from tote.connect.jdbc.browse import DatabaseBrowser
from tote.ui.board import Board
from tote.ui.decode import RecordDecoder
from tote.ui.live import LiveState
from tote.ui.pools_board import PoolsBoard
from tote.ui.services import ConnectClient, KsqlClient, RegistryClient, ServiceClient
from tote.ui.settings import UiSettings
from tote.ui.topics import TopicBrowser


@dataclass
class UiServices:
    """Stored on `app.state.ui` by the app's lifespan while the app runs."""

    settings: UiSettings
    topics: TopicBrowser
    database: DatabaseBrowser
    registry: RegistryClient
    ksql: KsqlClient
    connect: ConnectClient
    proxy: ServiceClient
    decoder: RecordDecoder
    board: Board
    pools: LiveState[PoolsBoard] = field(default_factory=lambda: LiveState(PoolsBoard()))


def ui_of(request: Request) -> UiServices:
    services: UiServices = request.app.state.ui
    return services


def sse_event(event: str, data: str) -> str:
    """One server-sent event; multi-line data becomes several `data:` lines."""
    lines = data.split("\n")
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in lines) + "\n"


SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
