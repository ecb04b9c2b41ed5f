"""`free_port` picks a port the way `listen_on` binds it: one family rule, so an IPv6
host gets a port that is free on IPv6. Real sockets."""

from __future__ import annotations

import socket

import pytest
from tests.listening import needs_ipv6

from tote.core.listen import BIND_ERRORS, free_port, listen_on


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
