"""Serving an ASGI app over HTTP/1.1 and cleartext HTTP/2 on one port.

ksqlDB's clients speak HTTP/2 to `/query-stream` and `/inserts-stream` without TLS and
without an upgrade (h2c with prior knowledge: `httpx.Client(http2=True, http1=False)`),
others speak HTTP/1.1 to the same port. The first bytes of each connection decide: the
HTTP/2 preface hands it to hypercorn's HTTP/2 server, anything else to uvicorn's
httptools HTTP/1.1 protocol, which costs about a third of hypercorn's h11 per request (a
pull-query key lookup is mostly HTTP). uvicorn runs the whole server: the lifespan,
signals, graceful shutdown, and uvloop when it is installed.

    run_hyper_app(app, listening_socket)          # foreground, until SIGINT / SIGTERM
    with HyperServerThread(app) as server:        # a thread, a free port: tests, benches
        httpx.get(server.url + "/info")
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from typing import Any, ClassVar

import uvicorn
from hypercorn.asyncio.tcp_server import TCPServer
from hypercorn.asyncio.worker_context import WorkerContext
from hypercorn.config import Config as HyperConfig
from hypercorn.utils import wrap_app
from starlette.types import ASGIApp
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from tote.http.common import ServerThread
from tote.http.listening import SocketServer

GRACEFUL_SECONDS = 5
DRAIN_SECONDS = 1.0
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
_READ_LIMIT = 2**16


class _Http2:
    """hypercorn serving the HTTP/2 connections handed to it (one worker context for all,
    so a shutdown can tell them at once to finish)."""

    def __init__(self, app: ASGIApp, log_level: str) -> None:
        config = HyperConfig()
        config.graceful_timeout = GRACEFUL_SECONDS
        config.accesslog = None
        errors = logging.getLogger("hypercorn.error")
        errors.setLevel(log_level.upper())
        config.errorlog = errors
        self.config = config
        self.app = wrap_app(app, config.wsgi_max_body_size, "asgi")  # type: ignore[arg-type]
        self.context = WorkerContext(None)

    def serve(
        self,
        transport: asyncio.Transport,
        first: bytes,
        state: dict[str, Any],
        server_state: ServerState,
    ) -> None:
        """Take over `transport`, whose connection has sent `first` so far."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=_READ_LIMIT, loop=loop)
        protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
        transport.set_protocol(protocol)
        protocol.connection_made(transport)
        reader.feed_data(first)
        writer = asyncio.StreamWriter(transport, protocol, reader, loop)
        server = TCPServer(self.app, loop, self.config, self.context, state, reader, writer)
        task = loop.create_task(server.run())
        server_state.tasks.add(task)
        task.add_done_callback(server_state.tasks.discard)

    async def terminate(self) -> None:
        await self.context.terminated.set()


class _Sniffer(asyncio.Protocol):
    """A new connection until its first bytes say which protocol serves it."""

    http2: ClassVar[_Http2]

    def __init__(
        self,
        config: uvicorn.Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.config = config
        self.server_state = server_state
        self.app_state = app_state
        self.loop = _loop or asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self.timeout: asyncio.TimerHandle | None = None
        self.buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        self.server_state.connections.add(self)  # type: ignore[arg-type]
        self.timeout = self.loop.call_later(self.config.timeout_keep_alive, self.shutdown)

    def connection_lost(self, exc: Exception | None) -> None:
        self._forget()

    def shutdown(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def _forget(self) -> None:
        self.server_state.connections.discard(self)
        if self.timeout is not None:
            self.timeout.cancel()
            self.timeout = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) < len(H2_PREFACE) and H2_PREFACE.startswith(self.buffer):
            return
        self._forget()
        transport = self.transport
        assert transport is not None
        if self.buffer.startswith(H2_PREFACE):
            self.http2.serve(transport, self.buffer, self.app_state, self.server_state)
            return
        protocol = HttpToolsProtocol(
            config=self.config,
            server_state=self.server_state,
            app_state=self.app_state,
            _loop=self.loop,
        )
        transport.set_protocol(protocol)
        protocol.connection_made(_Coalescing(transport, self.loop))  # type: ignore[arg-type]
        protocol.data_received(self.buffer)


class _Coalescing:
    """A transport whose writes in one turn of the event loop leave in one send: uvicorn
    writes a response's head and body separately, and on a small answer each send costs
    more than everything else the server does for it."""

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not self._pending:
            self._loop.call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            if not self._transport.is_closing():
                self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def abort(self) -> None:
        self._pending.clear()
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _Server(SocketServer):
    """uvicorn's server, which on shutdown first runs `before_shutdown` (so that endless
    responses such as push queries end) and tells the HTTP/2 connections to finish."""

    def __init__(
        self, config: uvicorn.Config, http2: _Http2, before_shutdown: Callable[[], None] | None
    ) -> None:
        super().__init__(config)
        self.http2 = http2
        self.before_shutdown = before_shutdown

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.before_shutdown is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.before_shutdown)
            await asyncio.sleep(DRAIN_SECONDS)  # for the responses it ended to finish
        await self.http2.terminate()
        await super().shutdown(sockets)
        # A signal asked for this shutdown, which is done: exit 0 rather than have uvicorn
        # raise the signal again (status 143, or KeyboardInterrupt for SIGINT).
        self._captured_signals.clear()


def _server(
    app: ASGIApp, log_level: str, before_shutdown: Callable[[], None] | None = None
) -> _Server:
    http2 = _Http2(app, log_level)
    sniffer = type("Sniffer", (_Sniffer,), {"http2": http2})
    config = uvicorn.Config(
        app,
        lifespan="on",
        log_config=None,
        log_level=log_level,
        access_log=False,
        http=sniffer,
        ws="wsproto",  # ksqlDB's /ws/query over HTTP/1.1 (hypercorn's HTTP/2 has its own)
        loop="auto",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    return _Server(config, http2, before_shutdown)


def run_hyper_app(
    app: ASGIApp,
    sock: socket.socket,
    *,
    log_level: str = "info",
    before_shutdown: Callable[[], None] | None = None,
) -> None:
    """Serve `app` on the listening `sock` until SIGINT / SIGTERM (the lifespan starts and
    stops the service; the ToteError its startup raises is raised here). The caller binds
    `sock`, so that a taken port fails before anything starts.

    On a signal `before_shutdown` runs first (in a thread), so that endless responses such
    as push queries can end before the server waits for open requests to finish.
    """
    _server(app, log_level, before_shutdown).run(sockets=[sock])


class HyperServerThread(ServerThread):
    """The server on a background thread: `ServerThread` with HTTP/2 beside HTTP/1.1."""

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(app, host, port, server=_server(app, "warning"))
