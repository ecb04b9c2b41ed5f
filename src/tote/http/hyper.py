"""Serving an ASGI app over HTTP/1.1 and cleartext HTTP/2 on one port, with hypercorn.

ksqlDB's clients speak HTTP/2 to `/query-stream` and `/inserts-stream` without TLS and
without an upgrade (h2c with prior knowledge: `httpx.Client(http2=True, http1=False)`);
uvicorn has no HTTP/2, hypercorn answers both on the same socket (a connection that
opens with the HTTP/2 preface is served as HTTP/2).

    run_hyper_app(app, "0.0.0.0", 8088)           # foreground, until SIGINT / SIGTERM
    with HyperServerThread(app) as server:        # a thread, a free port: tests, benches
        httpx.get(server.url + "/info")
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

from hypercorn.asyncio.run import worker_serve
from hypercorn.config import Config, Sockets
from hypercorn.utils import wrap_app
from starlette.types import ASGIApp

GRACEFUL_SECONDS = 5.0
DRAIN_SECONDS = 1.0
_LOG = logging.getLogger("tote.http")


def _config(host: str, port: int, log_level: str) -> Config:
    config = Config()
    config.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    config.graceful_timeout = GRACEFUL_SECONDS
    config.accesslog = None
    # Through the logging module like every other tote logger, at the level asked.
    errors = logging.getLogger("hypercorn.error")
    errors.setLevel(log_level.upper())
    config.errorlog = errors
    return config


def run_hyper_app(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    log_level: str = "info",
    before_shutdown: Callable[[], None] | None = None,
) -> None:
    """Serve `app` until SIGINT / SIGTERM (the lifespan starts and stops the service).

    The port is bound first: if it is taken, one error line and exit status 1, before the
    service starts (as uvicorn does). On a signal `before_shutdown` runs first (in a
    thread), so that endless responses such as push queries can end before hypercorn
    waits for open requests to finish.
    """
    config = _config(host, port, log_level)
    try:
        sockets = config.create_sockets()
    except OSError as exc:
        _LOG.error("Cannot listen on %s:%s: %s", host, port, exc.strerror or exc)
        raise SystemExit(1) from None
    wrapped = wrap_app(app, config.wsgi_max_body_size, "asgi")  # type: ignore[arg-type]

    async def signalled() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for name in ("SIGINT", "SIGTERM"):
            loop.add_signal_handler(getattr(signal, name), stop.set)
        await stop.wait()
        if before_shutdown is not None:
            await loop.run_in_executor(None, before_shutdown)
            await asyncio.sleep(DRAIN_SECONDS)  # for the responses it ended to finish

    asyncio.run(worker_serve(wrapped, config, sockets=sockets, shutdown_trigger=signalled))


class HyperServerThread:
    """hypercorn serving an app on a background thread (the `ServerThread` of
    `tote.http.common`, with HTTP/2).

    The socket is bound before the thread starts, so `port` is known at once (port 0
    picks a free one); `start()` returns once the lifespan has started.
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self._app = app
        self._config = _config(host, port, "warning")
        self._sockets: Sockets | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._failed = False
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"hypercorn-{port}", daemon=True)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except (OSError, RuntimeError, SystemExit) as exc:  # lifespan failures
            self._error = exc

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        stop = self._stop

        async def shutdown() -> None:
            await stop.wait()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "lifespan":
                await self._lifespan(scope, receive, send)
            else:
                await self._app(scope, receive, send)

        await worker_serve(
            wrap_app(app, self._config.wsgi_max_body_size, "asgi"),
            self._config,
            sockets=self._sockets,
            shutdown_trigger=shutdown,
        )

    async def _lifespan(self, scope: Any, receive: Any, send: Any) -> None:
        """The app's lifespan, noting when its startup has completed."""

        async def watched_send(message: Any) -> None:
            await send(message)
            if message["type"].startswith("lifespan.startup."):
                self._failed = message["type"] == "lifespan.startup.failed"
                self._started.set()

        try:
            await self._app(scope, receive, watched_send)
        finally:  # an app without a lifespan: hypercorn serves it all the same
            self._started.set()

    def start(self, timeout: float = 60.0) -> Self:
        self._sockets = self._config.create_sockets()
        for sock in self._sockets.insecure_sockets:  # accept connections at once
            sock.listen(self._config.backlog)
        self._thread.start()
        waited = 0.0
        while not self._started.wait(0.02):
            if not self._thread.is_alive():
                raise RuntimeError(f"server failed to start: {self._error!r}")
            waited += 0.02
            if waited >= timeout:
                raise TimeoutError(f"server did not start within {timeout} s")
        if self._failed:
            self._thread.join(timeout)
            raise RuntimeError(f"server failed to start: {self._error!r}")
        return self

    @property
    def port(self) -> int:
        assert self._sockets is not None, "start() first"
        port: int = self._sockets.insecure_sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def stop(self, timeout: float = 30.0) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        self._thread.join(timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
