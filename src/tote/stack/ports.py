"""Is a TCP port free, and which one is: checked before anything starts, so errors are clear."""

from __future__ import annotations

import socket


def port_is_free(host: str, port: int) -> bool:
    """True if we could listen on host:port now (as uvicorn would: SO_REUSEADDR set)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def connect_host(host: str) -> str:
    """The address clients use for a listen address (`0.0.0.0` is not dialable)."""
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host
