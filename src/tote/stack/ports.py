"""Is a TCP port free, and which one is: checked before anything starts, so errors are clear."""

from __future__ import annotations

import errno
import socket

from tote.core.errors import ToteError
from tote.core.listen import BIND_ERRORS, listen_on
from tote.stack.errors import PortInUse, StackConfigError
from tote.stack.services import ServiceSpec


def port_is_free(host: str, port: int) -> bool:
    """True if we could listen on host:port now, as `claim_port` would."""
    try:
        listen_on(host, port).close()
    except BIND_ERRORS:
        return False
    return True


def claim_port(host: str, port: int, service: ServiceSpec, flag: str) -> socket.socket:
    """A socket listening on host:port for `service` (SO_REUSEADDR, as uvicorn's), else
    the one-line error saying why not: `tote up` checks its ports with this and `tote
    serve` serves on the socket, so a port taken in between fails the same way. `flag`
    is the option that sets the port."""
    try:
        return listen_on(host, port)
    except BIND_ERRORS as exc:
        raise _listen_error(host, port, service, flag, exc) from None


def _listen_error(host: str, port: int, service: ServiceSpec, flag: str,
                  exc: Exception) -> ToteError:
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return PortInUse(f"Port {port} on {host} for {service.name} is already in use; "
                         f"pick another with {flag} (or {service.port_env}).")
    reason = exc.strerror if isinstance(exc, OSError) else None
    return StackConfigError(f"Cannot listen on {host}:{port} for {service.name}: "
                            f"{reason or 'not a valid host name'}.")

