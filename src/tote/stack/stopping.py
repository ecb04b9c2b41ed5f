"""Stopping the stack's services: all at once, so `tote down` waits for the slowest, not the sum.

Each service's graceful shutdown takes a second or more (uvicorn drains its connections,
the Connect worker commits), and none needs another to finish its own: every service keeps
its own registry over the log, and the UI calls the others only while serving a request.
Only the database must outlive them (Connect writes to it, the UI browses it), so the
supervisor stops it after `stop_together` returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from tote.stack.supervised import Supervised


def stop_together(members: Sequence[Supervised], timeout_s: float) -> None:
    """Stop every member at once (each SIGKILLed after its own `timeout_s`); return when all
    are stopped. A member's error is raised only after every member was stopped."""
    if not members:
        return
    with ThreadPoolExecutor(max_workers=len(members), thread_name_prefix="tote-stop") as pool:
        stops = [pool.submit(member.stop, timeout_s) for member in members]
    for stop in stops:
        stop.result()
