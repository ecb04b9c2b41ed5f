"""`port_is_free` answers as `claim_port` (what `tote serve` listens with) would: one
bind, with the same family and socket options. Real sockets."""

from __future__ import annotations

import socket

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from tote.http.hyper import HyperServerThread
from tote.stack.ports import claim_port, port_is_free
from tote.stack.services import SERVICES


def _has_ipv6() -> bool:
    try:
        socket.socket(socket.AF_INET6).close()
        socket.getaddrinfo("::1", 0, socket.AF_INET6)
    except OSError:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _has_ipv6(), reason="no IPv6 loopback")


def test_a_listened_port_is_taken_and_free_once_closed() -> None:
    sock = claim_port("127.0.0.1", 0, SERVICES[0], "--port")
    port = sock.getsockname()[1]
    assert not port_is_free("127.0.0.1", port)
    sock.close()
    assert port_is_free("127.0.0.1", port)


@needs_ipv6
def test_an_ipv6_host_is_checked_on_ipv6() -> None:
    """Before, the check bound an IPv4 socket, so no IPv6 port was ever free."""
    sock = claim_port("::1", 0, SERVICES[0], "--port")
    port = sock.getsockname()[1]
    assert not port_is_free("::1", port)
    sock.close()
    assert port_is_free("::1", port)


@needs_ipv6
def test_the_http2_server_thread_listens_on_an_ipv6_host() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    with HyperServerThread(app, "::1") as server:
        assert server.url.startswith("http://[::1]:")
        assert httpx.get(server.url + "/", timeout=10).text == "ok"
