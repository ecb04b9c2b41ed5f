"""The test servers (`ServerThread`, `HyperServerThread`) bind their port as `tote serve`
does, with `listen_on`: a taken port fails before the thread starts, in the same way for
both, and an IPv6 host works. Real servers on real sockets."""

from __future__ import annotations

import errno
import threading

import httpx
import pytest
from tests.listening import needs_ipv6, ok_app

from tote.core.listen import listen_on
from tote.http.common import ServerThread
from tote.http.hyper import HyperServerThread

THREADS = pytest.mark.parametrize("server_thread", [ServerThread, HyperServerThread],
                                  ids=["uvicorn", "hyper"])


@THREADS
def test_a_taken_port_fails_before_the_thread_starts(
        server_thread: type[ServerThread | HyperServerThread]) -> None:
    """Before, `ServerThread` let uvicorn bind in its thread: the error came back as a
    RuntimeError wrapping uvicorn's SystemExit(3), after uvicorn logged it."""
    with listen_on("127.0.0.1", 0) as taken:
        port = taken.getsockname()[1]
        before = set(threading.enumerate())
        with pytest.raises(OSError) as caught:
            server_thread(ok_app, "127.0.0.1", port).start()
        assert caught.value.errno == errno.EADDRINUSE
        assert set(threading.enumerate()) <= before  # no server thread was started


@THREADS
@needs_ipv6
def test_an_ipv6_host_is_served_and_bracketed_in_the_url(
        server_thread: type[ServerThread | HyperServerThread]) -> None:
    with server_thread(ok_app, "::1") as server:
        assert server.url == f"http://[::1]:{server.port}"
        assert httpx.get(server.url + "/", timeout=10).text == "ok"
