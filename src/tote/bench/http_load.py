"""A light HTTP/1.1 load generator: keep-alive connections on one asyncio loop, each
sending its next request as soon as the previous one is answered.

A bench that measures a server's requests per second must not be limited by its own
client: httpx costs about a millisecond of CPU per request and the load generator shares
the machine with the server, so the benches speak HTTP/1.1 on raw streams instead.

    count = run_closed_loop(url, connections=4, seconds=10, request=make, check=ok)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from tote.core.listen import host_port

Request = Callable[[int], tuple[str, str, bytes]]  # n -> (method, path, body)
Check = Callable[[int, int, bytes], str | None]  # (n, status, body) -> problem or None


class LoadError(Exception):
    pass


class KeepAlive:
    """One keep-alive HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    @classmethod
    def to(cls, url: str) -> KeepAlive:
        """A connection (opened on first use) to the server of `url`."""
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self._reader, self._writer

    def head(self, method: str, path: str, length: int,
             content_type: str = "application/json") -> bytes:
        return (
            f"{method} {path} HTTP/1.1\r\nHost: {host_port(self.host, self.port)}\r\n"
            f"Content-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
        ).encode("ascii")

    async def send(self, request: bytes) -> tuple[int, bytes]:
        """`request` (head and body) sent; the response's status and whole body."""
        for attempt in (1, 2):
            reader, writer = await self._open()
            writer.write(request)
            try:
                return await _response(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                await self.close()  # closed by the server between requests: once more
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def close(self) -> None:
        writer, self._reader, self._writer = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(head[0].split(" ", 2)[1])
    length: int | None = None
    chunked = False
    for line in head[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value.lower()
    if not chunked:
        return status, await reader.readexactly(length or 0)
    body = bytearray()
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return status, bytes(body)
        body += (await reader.readexactly(size + 2))[:-2]


async def _closed_loop(
    url: str, connections: int, seconds: float, request: Request, check: Check
) -> int:
    counts = [0] * connections
    problems: list[str] = []
    deadline = 0.0

    async def worker(slot: int) -> None:
        connection = KeepAlive.to(url)
        n = slot * 1_000_003
        try:
            while time.perf_counter() < deadline and not problems:
                method, path, body = request(n)
                status, answer = await connection.send(
                    connection.head(method, path, len(body)) + body
                )
                problem = check(n, status, answer)
                if problem is not None:
                    problems.append(problem)
                    return
                counts[slot] += 1
                n += 1
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            problems.append(f"{type(exc).__name__}: {exc}")
        finally:
            await connection.close()

    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(worker(slot) for slot in range(connections)))
    if problems:
        raise LoadError(problems[0])
    return sum(counts)


def run_closed_loop(
    url: str, *, connections: int, seconds: float, request: Request, check: Check
) -> int:
    """How many requests `connections` keep-alive connections completed in `seconds`,
    each checked by `check` (the first problem raises LoadError)."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(_closed_loop(url, connections, seconds, request, check))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed: the client's own CPU per request matters."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
