"""A listening TCP socket, bound the one way every tote server binds its port.

`tote up` checks its ports with it, `tote serve` and the test servers serve on it, and
the database port is chosen with it: one family rule and one set of socket options, so
a port one of them calls free is a port the others can listen on. It is in `core` so
that the HTTP layer and the stack, which sits above it, share it.
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
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except BaseException:
        sock.close()
        raise
    return sock
