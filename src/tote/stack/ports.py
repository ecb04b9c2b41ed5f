"""Is a TCP port free, and which one is: checked before anything starts, so errors are clear."""

from __future__ import annotations

import errno
import socket

from tote.core.errors import ToteError
from tote.stack.errors import PortInUse, StackConfigError
from tote.stack.services import ServiceSpec


def port_is_free(host: str, port: int) -> bool:
    """True if we could listen on host:port now (as uvicorn would: SO_REUSEADDR set)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def claim_port(host: str, port: int, service: ServiceSpec, flag: str) -> socket.socket:
    """A socket listening on host:port for `service` (SO_REUSEADDR, as uvicorn's), else
    the one-line error saying why not: `tote up` checks its ports with this and `tote
    serve` serves on the socket, so a port taken in between fails the same way. `flag`
    is the option that sets the port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)  # uvicorn's backlog
    except (OSError, UnicodeError, TypeError) as exc:  # not OSError: a host IDNA cannot encode
        sock.close()
        raise _listen_error(host, port, service, flag, exc) from None
    return sock


def _listen_error(host: str, port: int, service: ServiceSpec, flag: str,
                  exc: Exception) -> ToteError:
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return PortInUse(f"Port {port} on {host} for {service.name} is already in use; "
                         f"pick another with {flag} (or {service.port_env}).")
    reason = exc.strerror if isinstance(exc, OSError) else None
    return StackConfigError(f"Cannot listen on {host}:{port} for {service.name}: "
                            f"{reason or 'not a valid host name'}.")


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def connect_host(host: str) -> str:
    """The address clients use for a listen address (`0.0.0.0` is not dialable)."""
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
