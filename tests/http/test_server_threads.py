"""The test servers (`ServerThread`, `HyperServerThread`) bind their port as `tote serve`
does, with `listen_on`: a taken port fails before the thread starts, in the same way for
both, and an IPv6 host works. Real servers on real sockets."""

from __future__ import annotations

import errno
import threading

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from tote.core.listen import BIND_ERRORS, listen_on
from tote.http.common import ServerThread
from tote.http.hyper import HyperServerThread


def _has_ipv6_loopback() -> bool:
    try:
        listen_on("::1", 0).close()
    except BIND_ERRORS:
        return False
    return True


needs_ipv6 = pytest.mark.skipif(not _has_ipv6_loopback(),
                                reason="this machine cannot listen on the IPv6 loopback ::1")
THREADS = pytest.mark.parametrize("server_thread", [ServerThread, HyperServerThread],
                                  ids=["uvicorn", "hyper"])


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@THREADS
def test_a_taken_port_fails_before_the_thread_starts(
        server_thread: type[ServerThread | HyperServerThread]) -> None:
    """Before, `ServerThread` let uvicorn bind in its thread: the error came back as a
    RuntimeError wrapping uvicorn's SystemExit(3), after uvicorn logged it."""
    with listen_on("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        before = set(threading.enumerate())
        with pytest.raises(OSError) as caught:
            server_thread(_app, "127.0.0.1", port).start()
        assert caught.value.errno == errno.EADDRINUSE
        assert set(threading.enumerate()) <= before  # no server thread was started


@THREADS
@needs_ipv6
def test_an_ipv6_host_is_served_and_bracketed_in_the_url(
        server_thread: type[ServerThread | HyperServerThread]) -> None:
    with server_thread(_app, "::1") as server:
        assert server.url == f"http://[::1]:{server.port}"
        assert httpx.get(server.url + "/", timeout=10).text == "ok"
