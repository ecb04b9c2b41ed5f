"""Ctrl-C during a streamed answer (a push query, PRINT) in `tote sql`.

Python raises KeyboardInterrupt at whatever line the main thread is on: inside httpx,
httpcore or h11 (mid-cleanup, or in a section that takes a pool lock), and a second
Ctrl-C during the cleanup of the first escaped the shell altogether. While a
stream is open this handler raises nothing: it records the request and shuts the
response's socket down, so the blocking read returns at a clean point and the shell ends
the stream there. Before the response's socket is known (connecting, sending), Ctrl-C
raises KeyboardInterrupt as usual.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from types import FrameType
from typing import Any

import httpx

Handler = Callable[[int, FrameType | None], Any]


@contextmanager
def sigint_handler(handler: Handler) -> Iterator[None]:
    """`handler` for SIGINT while the block runs, the previous one restored after (only
    the main thread may set handlers; elsewhere nothing changes)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def ignore(signum: int, frame: FrameType | None) -> None:
    """A SIGINT handler for the shell between statements: prompt_toolkit installs its
    own while it prompts; a Ctrl-C as the prompt starts or ends is dropped, not raised
    inside prompt_toolkit's or asyncio's setup."""


class StreamInterrupt:
    """Ctrl-C for one streamed statement: `requested` once pressed."""

    def __init__(self) -> None:
        self.requested = False
        self._socket: socket.socket | None = None

    def attach(self, response: httpx.Response) -> None:
        """The response whose socket a Ctrl-C shuts (HTTP/1.1 exposes it, see httpx's
        `network_stream` extension); without one, Ctrl-C keeps raising."""
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        self._socket = sock if isinstance(sock, socket.socket) else None

    def _on_sigint(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if self._socket is None:
            raise KeyboardInterrupt
        with suppress(OSError):  # already shut or closed: the stream is ending anyway
            self._socket.shutdown(socket.SHUT_RDWR)

    @contextmanager
    def installed(self) -> Iterator[StreamInterrupt]:
        """This handler for SIGINT while the block runs."""
        with sigint_handler(self._on_sigint):
            yield self
