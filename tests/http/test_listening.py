"""`SocketServer` (every `tote serve` app): the ToteError a lifespan startup raises is
caught in uvicorn's lifespan, so HTTP requests reach the app without passing through
that catch. Real servers on real sockets."""

from __future__ import annotations

import inspect
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import httpx
import pytest
from starlette.types import Receive, Scope, Send

import tote.http.listening
from tote.core.listen import listen_on
from tote.http.common import run_app
from tote.http.hyper import HyperServerThread


class _App:
    """Answers every request, noting whether tote's listening code was on its call path."""

    def __init__(self) -> None:
        self.via_listening: list[bool] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.via_listening.append(_called_from(tote.http.listening.__file__))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def _called_from(path: str) -> bool:
    """Whether a coroutine in `path` awaits this request (the awaiting coroutines are
    the caller frames, up to the event loop, which is no coroutine)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_flags & inspect.CO_COROUTINE:
        if frame.f_code.co_filename == path:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


@contextmanager
def _run_app(app: _App) -> Iterator[str]:
    sock = listen_on("127.0.0.1", 0)
    port = sock.getsockname()[1]
    stop = threading.Event()
    thread = threading.Thread(target=run_app, args=(app, sock),
                              kwargs={"log_level": "warning", "stop": stop}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(30)
        sock.close()


@contextmanager
def _run_hyper(app: _App) -> Iterator[str]:
    with HyperServerThread(app) as server:
        yield server.url


@pytest.mark.parametrize("serve", [_run_app, _run_hyper], ids=["run_app", "hyper"])
def test_requests_reach_the_app_without_the_startup_catch(
        serve: Callable[[_App], AbstractContextManager[str]]) -> None:
    app = _App()
    with serve(app) as url:  # listening already: a request waits for the start
        assert httpx.get(url + "/", timeout=30).text == "ok"
    assert app.via_listening == [False]
