"""`free_port` picks a port the way `listen_on` binds it: one family rule, so an IPv6
host gets a port that is free on IPv6. Real sockets."""

from __future__ import annotations

import asyncio
import socket

import pytest
from tests.listening import needs_ipv6

from tote.core.listen import BIND_ERRORS, dial_host, free_port, host_port, listen_on


@pytest.mark.parametrize("host", ["127.0.0.1", pytest.param("::1", marks=needs_ipv6)])
def test_a_free_port_can_be_listened_on(host: str) -> None:
    """Before, `free_port("::1")` bound an IPv4 socket and failed (gaierror)."""
    port = free_port(host)
    assert 0 < port < 65536
    with listen_on(host, port) as sock:
        assert sock.family == (socket.AF_INET6 if ":" in host else socket.AF_INET)
        assert sock.getsockname()[1] == port


def test_a_host_it_cannot_bind_fails_as_listen_on_does() -> None:
    with pytest.raises(BIND_ERRORS):
        free_port("not a host name.invalid")


@pytest.mark.parametrize(("listen", "dial"), [
    ("0.0.0.0", "127.0.0.1"), ("", "127.0.0.1"), ("::", "::1"), ("::1", "::1"),
    ("127.0.0.1", "127.0.0.1"), ("localhost", "localhost"),
])
def test_a_wildcard_is_dialled_on_its_familys_loopback(listen: str, dial: str) -> None:
    """Before, `::` was dialled on 127.0.0.1, which an IPv6-only machine does not have."""
    assert dial_host(listen) == dial


@pytest.mark.parametrize("host", [pytest.param("::", marks=needs_ipv6), "0.0.0.0"])
def test_a_server_on_a_wildcard_answers_on_the_dialled_address(host: str) -> None:
    with listen_on(host, 0) as server:
        port = server.getsockname()[1]
        with socket.create_connection((dial_host(host), port), timeout=5):
            pass


def test_host_port_brackets_an_ipv6_host() -> None:
    assert host_port("::1", 5432) == "[::1]:5432"
    assert host_port("127.0.0.1", 5432) == "127.0.0.1:5432"
    assert host_port("db", 5432) == "db:5432"


@pytest.mark.parametrize("host", ["127.0.0.1", pytest.param("::1", marks=needs_ipv6)])
def test_connections_accepted_by_an_asyncio_server_do_not_wait_for_acks(host: str) -> None:
    """Every tote server hands its `listen_on` socket to asyncio (uvicorn's
    `create_server(sock=...)`), which switches Nagle's algorithm off on the connections
    it accepts only when the socket says it is TCP. Before, it did not: a response
    written as headers then body held the body until the client's delayed ACK, ~40 ms
    on each keep-alive request."""
    async def accepted_nodelay() -> int:
        loop = asyncio.get_running_loop()
        seen: asyncio.Future[int] = loop.create_future()

        class Recorder(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await loop.create_server(Recorder, sock=listen_on(host, 0))
        async with server:
            port = server.sockets[0].getsockname()[1]
            _, writer = await asyncio.open_connection(host, port)
            try:
                return await asyncio.wait_for(seen, 10)
            finally:
                writer.close()

    assert asyncio.run(accepted_nodelay()) != 0
