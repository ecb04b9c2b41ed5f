"""uvicorn's server on a socket the caller bound: `tote serve` takes its port before
anything starts, so a taken port fails with one line (see `tote.stack.ports`)."""

from __future__ import annotations

import logging
import socket

import uvicorn


class SocketServer(uvicorn.Server):
    """Says where it listens once started, as uvicorn does only when it binds the port
    itself: `tote logs SERVICE` shows the line."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and sockets:
            host, port = sockets[0].getsockname()[:2]
            where = "http://[%s]:%d" if ":" in host else "http://%s:%d"
            logging.getLogger("uvicorn.error").info(
                f"Uvicorn running on {where} (Press CTRL+C to quit)", host, port)
