"""A listening TCP socket, bound the one way every tote server binds its port.

`tote up` checks its ports with it, `tote serve` and the test servers serve on it, and
free ports (the database's, test servers') are picked with it: one family rule and one
set of socket options, so a port one of them calls free is a port the others can listen
on. It is in `core` so that every layer above (the HTTP layer, the stack) shares it.
"""

from __future__ import annotations

import socket

BACKLOG = 2048  # uvicorn's
BIND_ERRORS = (OSError, UnicodeError, TypeError)  # not OSError: a host IDNA cannot encode


def listen_on(host: str, port: int) -> socket.socket:
    """A socket listening on host:port (port 0: one the kernel picks), with SO_REUSEADDR
    as uvicorn's, IPv6 when the host is an IPv6 address. Raises one of `BIND_ERRORS`,
    having closed the socket."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, as getaddrinfo names it for the sockets asyncio binds itself:
    # asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections accepted from
    # a socket whose `proto` says TCP. With proto 0, a response written in two parts
    # (headers, then body) held its second part until the client's delayed ACK, ~40 ms
    # on every keep-alive request.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on at host right now (the kernel's choice), picked by
    binding as `listen_on` does, so an IPv6 host gets an IPv6 port. Raises one of
    `BIND_ERRORS`. Another process may take the port before the caller binds it."""
    with listen_on(host, 0) as sock:
        port: int = sock.getsockname()[1]
        return port


def url_host(host: str) -> str:
    """`host` as a URL writes it: an IPv6 address in brackets (`http://[::1]:8081`)."""
    return f"[{host}]" if ":" in host else host


def host_port(host: str, port: int) -> str:
    """`host:port` as URLs and bootstrap lists write it (`[::1]:5432` for IPv6)."""
    return f"{url_host(host)}:{port}"


def dial_host(host: str) -> str:
    """The address clients dial for a listen address: a wildcard is not dialable, so its
    family's loopback (`0.0.0.0` and "" → 127.0.0.1, `::` → ::1, which also answers where
    the machine has no IPv4)."""
    if host == "::":
        return "::1"
    return "127.0.0.1" if host in ("0.0.0.0", "") else host
