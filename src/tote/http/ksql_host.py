"""One HTTP server whose ksqlDB app can be swapped: a fresh server per REST QTT case
without a new listening socket each time.

    with KsqlHost() as host:
        host.mount(KsqlServer(log, registry))   # started by the caller
        httpx.post(host.url + "/ksql", ...)
"""

from __future__ import annotations

from types import TracebackType
from typing import Self

from starlette.types import ASGIApp, Receive, Scope, Send

from tote.http.hyper import HyperServerThread
from tote.http.ksql_api import create_ksql_app
from tote.sql.server import KsqlServer


class KsqlHost:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app: ASGIApp | None = None

        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            await self._asgi(scope, receive, send)

        self._thread = HyperServerThread(asgi, host, port)

    async def _asgi(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        app = self._app
        if app is None:
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await app(scope, receive, send)

    def mount(self, server: KsqlServer) -> None:
        """Serve `server` from now on (it must already be started)."""
        self._app = create_ksql_app(server, start=False)

    @property
    def url(self) -> str:
        return self._thread.url

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._thread.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
