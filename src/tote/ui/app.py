"""The web UI app: `create_ui_app(settings, log)` builds it; its lifespan starts the feeds.

Importing this module starts nothing. The lifespan opens one HTTP client for the other
services, the database browser (which connects lazily: a database that is down shows a
message on the database page, not a failed start) and the live feeds of the seed's odds
board and of the pools board (each reading the log on its own thread), and closes
them all on shutdown. The caller owns the log.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager

import httpx
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from tote.connect.jdbc.browse import DatabaseBrowser
from tote.core.errors import ToteError
from tote.log.base import Log
from tote.ui import routes_board, routes_db, routes_ksql, routes_pools, routes_stack
from tote.ui.board import Board
from tote.ui.context import UiServices
from tote.ui.decode import RecordDecoder
from tote.ui.feed import BoardFeed, KsqlOddsSource, LogOddsSource, OddsSource
from tote.ui.pages import http_error_page, internal_error_page, make_templates, tote_error_page
from tote.ui.pools_feed import PoolsFeed
from tote.ui.services import ConnectClient, KsqlClient, RegistryClient, ServiceClient
from tote.ui.settings import UiSettings
from tote.ui.topics import TopicBrowser


class _SourceChooser:
    """`auto`: the ksqlDB push query when ksqlDB answers, else the odds topic in the log."""

    def __init__(self, ui: UiServices, log: Log, executor: Executor) -> None:
        self.ui = ui
        self.log = log
        self.executor = executor

    async def __call__(self) -> OddsSource:
        settings = self.ui.settings
        ksql = KsqlOddsSource(self.ui.ksql, settings.odds_stream)
        from_log = LogOddsSource(self.log, settings.odds_topic, self.ui.decoder, self.executor)
        if settings.board_source == "ksqldb":
            return ksql
        if settings.board_source == "log":
            return from_log
        return ksql if await self.ui.ksql.alive("/info") else from_log


def create_ui_app(settings: UiSettings, log: Log, *, live_board: bool = True) -> Starlette:
    """The UI over `log`, talking to the services `settings` names.

    `live_board=False` leaves the boards without feeds (for tests that drive them directly).
    """

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.http_timeout_s)
        async with httpx.AsyncClient(timeout=timeout) as client:
            registry = RegistryClient("Schema Registry", settings.registry_url, client)
            ui = UiServices(
                settings=settings, topics=TopicBrowser(log),
                database=DatabaseBrowser(settings.db_url, aliases=settings.aliases),
                registry=registry, ksql=KsqlClient("ksqlDB", settings.ksqldb_url, client),
                connect=ConnectClient("Connect", settings.connect_url, client),
                proxy=ServiceClient("REST Proxy", settings.proxy_url, client),
                decoder=RecordDecoder(registry), board=Board())
            app.state.ui = ui
            feeds: list[asyncio.Task[None]] = []
            reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ui-board-log")
            pools_reader = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ui-pools-log")
            if live_board:
                chooser = _SourceChooser(ui, log, reader)
                feeds.append(asyncio.create_task(BoardFeed(ui.board, chooser).run(),
                                                 name="board-feed"))
                pools = PoolsFeed(ui.pools, log, ui.decoder, pools_reader)
                feeds.append(asyncio.create_task(pools.run(), name="pools-feed"))
            try:
                yield
            finally:
                for feed in feeds:
                    feed.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await feed
                for executor in (reader, pools_reader):
                    executor.shutdown(wait=True)  # log reads in flight end before it closes
                ui.database.close()

    routes = [*routes_board.routes(), *routes_pools.routes(), *routes_db.routes(),
              *routes_stack.routes(), *routes_ksql.routes(),
              Mount("/static", StaticFiles(packages=[("tote.ui", "static")]), name="static")]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.templates = make_templates()
    app.add_exception_handler(ToteError, tote_error_page)
    app.add_exception_handler(HTTPException, http_error_page)
    app.add_exception_handler(Exception, internal_error_page)
    return app
