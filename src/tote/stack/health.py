"""Health checks: a service is up when its ready endpoint answers 200, a database when it
accepts TCP.

tote's services answer HTTP only after replaying their internal topics, so a 200 here
means "ready to serve", which is what `tote up` waits for.
"""

from __future__ import annotations

import socket

import httpx


def http_ok(url: str, timeout_s: float = 2.0) -> bool:
    """True if GET `url` answers 200 within the timeout."""
    try:
        return httpx.get(url, timeout=timeout_s).status_code == 200
    except httpx.HTTPError:
        return False


def tcp_ok(host: str, port: int, timeout_s: float = 2.0) -> bool:
    """True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False
