"""uvicorn's server on a socket the caller bound: `tote serve` takes its port before
anything starts, so a taken port fails with one line (see `tote.stack.ports`).

A service that cannot start because of a ToteError in its app's lifespan startup (a log
it cannot read, a topic it cannot use) says why in one line rather than with uvicorn's
traceback: `SocketServer.run` raises that error for the caller to report. Any other
exception there is a bug, and keeps its traceback and uvicorn's exit status 3. The catch
is in uvicorn's lifespan, which alone runs the app's lifespan: requests go straight to
the app.
"""

from __future__ import annotations

import copy
import logging
import socket
from typing import cast

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.lifespan.on import LifespanOn

from tote.core.errors import ToteError


class _StartupGuard:
    """The app as its lifespan sees it, keeping the ToteError its lifespan startup raises
    out of uvicorn's log.

    Starlette reports a failed startup with the traceback as the message, which uvicorn
    logs; that message is held until the exception says whether it is a bug."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.error: ToteError | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        started = False

        async def hold_failure(message: Message) -> None:
            nonlocal started
            if message["type"] == "lifespan.startup.failed":
                held.append(message)
                return
            started = started or message["type"] == "lifespan.startup.complete"
            await send(message)

        try:
            await self.app(scope, receive, hold_failure)
        except ToteError as exc:
            if started:
                raise
            self.error = exc
            await send({"type": "lifespan.startup.failed", "message": ""})
            return
        except BaseException:
            for message in held:
                await send(message)
            raise
        for message in held:  # failed without raising
            await send(message)


class _GuardedLifespan(LifespanOn):
    """uvicorn's lifespan, running the app's lifespan through `_StartupGuard`.

    uvicorn's `LifespanOn` calls `config.loaded_app`, which requests use too; this one
    has a copy of the config whose app is the guard."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.guard = _StartupGuard(cast(ASGIApp, config.loaded_app))  # tote's are ASGI 3
        self.config = copy.copy(config)
        self.config.loaded_app = self.guard


class SocketServer(uvicorn.Server):
    """Says where it listens once started, as uvicorn does only when it binds the port
    itself: `tote logs SERVICE` shows the line."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._guard: _StartupGuard | None = None

    @property
    def startup_error(self) -> ToteError | None:
        """The ToteError the app's lifespan startup raised, if it did."""
        return None if self._guard is None else self._guard.error

    def run(self, sockets: list[socket.socket] | None = None) -> None:
        """Serve until told to stop; the app's startup ToteError, if any, is raised
        here (where uvicorn would exit 3)."""
        try:
            super().run(sockets)
        except SystemExit:
            if self.startup_error is not None:
                raise self.startup_error from None
            raise

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        if type(self.lifespan) is LifespanOn:  # lifespan "on" or "auto" (not yet started)
            self.lifespan = _GuardedLifespan(self.config)
            self._guard = self.lifespan.guard
        await super().startup(sockets)
        if self.started and sockets:
            host, port = sockets[0].getsockname()[:2]
            where = "http://[%s]:%d" if ":" in host else "http://%s:%d"
            logging.getLogger("uvicorn.error").info(
                f"Uvicorn running on {where} (Press CTRL+C to quit)", host, port)
