"""Shared by the tests of listening sockets and server threads: a marker for tests that
need the IPv6 loopback, and the smallest app a server can serve."""

from __future__ import annotations

import pytest
from starlette.types import Receive, Scope, Send

from tote.core.listen import BIND_ERRORS, listen_on


def _has_ipv6_loopback() -> bool:
    try:
        listen_on("::1", 0).close()
    except BIND_ERRORS:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _has_ipv6_loopback(),
                                reason="this machine cannot listen on the IPv6 loopback ::1")


async def ok_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Starts and stops its lifespan; answers every request 200 `ok`."""
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
