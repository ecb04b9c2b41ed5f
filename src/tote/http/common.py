"""Shared HTTP plumbing for every tote app: Confluent error bodies, media types, uvicorn.

Confluent services answer every failure with `{"error_code": int, "message": str}` and an
HTTP status equal to the code's first three digits (40401 -> 404). The one handler here
renders any `ToteError` that way, so routes never catch errors themselves; framework
errors (unknown route, wrong method) get the same shape, as Jersey gives them
(`{"error_code":404,"message":"HTTP 404 Not Found"}`).

An app that negotiates a response media type stores it on `request.state.media_type`
(`set_media_type`); error responses then use it too. Works for Starlette and FastAPI apps.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import sys
import threading
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp
from uvicorn._compat import asyncio_run

from tote.core.errors import ToteError
from tote.core.listen import listen_on, url_host
from tote.http.listening import SocketServer

JSON = "application/json"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# ...and in bytes, also a surrogate written as UTF-8 (ED A0-BF), which `json.loads` of bytes
# lets through ("surrogatepass")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]|\xed[\xa0-\xbf]")
log = logging.getLogger(__name__)


def status_for_code(error_code: int) -> int:
    """The HTTP status of a Confluent error code: its first three digits (500 if none fit)."""
    code = error_code
    while code >= 1000:
        code //= 10
    return code if 400 <= code <= 599 else 500


def error_body(error_code: int, message: str) -> dict[str, Any]:
    """The Confluent error body."""
    return {"error_code": error_code, "message": message}


def dumps(content: Any) -> bytes:
    """Compact JSON, as Jackson writes it (`{"id":1}`), UTF-8 without escaping."""
    return utf8_json(json.dumps(content, separators=(",", ":"), ensure_ascii=False))


def utf8_json(text: str) -> bytes:
    """JSON text as UTF-8 for a client. A lone UTF-16 surrogate (from a `\\ud800` escape in
    input, or CHR(55296)) has no UTF-8 form, so it is written as that escape: in JSON it
    can only sit in a string, where the escape means the same. Text without one encodes
    as fast as with `"strict"` (the handler is only looked up on an error)."""
    return text.encode("utf-8", "backslashreplace")


def check_unicode(raw: str | bytes, value: Any) -> None:
    """ValueError if `value`, parsed from `raw`, holds a lone UTF-16 surrogate (a `\\ud800`
    escape without its pair): text with no UTF-8 form, which could be neither stored nor
    answered. Only bodies with such an escape are looked at."""
    if isinstance(raw, str):
        suspect = _SURROGATE_ESCAPE.search(raw) is not None
    else:  # a NUL among the first bytes: UTF-16/32, which the pattern cannot see into
        suspect = _SURROGATE_ESCAPE_BYTES.search(raw) is not None or b"\x00" in raw[:4]
    if not suspect:
        return
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("lone surrogate escape in a string (not valid Unicode)") from None


def parse_json(raw: str | bytes) -> Any:
    """A request body's JSON; ValueError saying why it cannot be taken: not JSON, not
    UTF-8, nested deeper than the parser's stack, or a lone surrogate (`check_unicode`)."""
    try:
        value = json.loads(raw)
    except RecursionError:  # Jackson limits the nesting depth too
        raise ValueError("document nested too deeply") from None
    check_unicode(raw, value)
    return value


def json_response(
    content: Any,
    *,
    status_code: int = 200,
    media_type: str = JSON,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A JSON response with the media type the client negotiated."""
    return Response(dumps(content), status_code=status_code, media_type=media_type,
                    headers=dict(headers) if headers else None)


def set_media_type(request: Request, media_type: str) -> None:
    """Remember the negotiated response type so error bodies use it as well."""
    request.state.media_type = media_type


def response_media_type(request: Request) -> str:
    media_type = getattr(request.state, "media_type", None)
    return media_type if isinstance(media_type, str) else JSON


def error_response(request: Request, error_code: int, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    return json_response(error_body(error_code, message), status_code=status_for_code(error_code),
                         media_type=response_media_type(request), headers=headers)


def _media_range(part: str) -> tuple[str, float]:
    pieces = [p.strip() for p in part.split(";")]
    quality = 1.0
    for param in pieces[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value)
            except ValueError:
                quality = 0.0
    return pieces[0].lower(), quality


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The first of `offered` (in preference order) the `Accept` header allows, or None.

    No header, `*/*` or `type/*` picks by our preference; q=0 excludes a type.
    """
    if accept is None or not accept.strip():
        return offered[0]
    ranges = sorted((_media_range(p) for p in accept.split(",") if p.strip()),
                    key=lambda item: -item[1])
    for media_range, quality in ranges:
        if quality <= 0:
            continue
        for media_type in offered:
            major = media_type.split("/", 1)[0]
            if media_range in (media_type, "*/*", f"{major}/*", "*"):
                return media_type
    return None


async def tote_error_handler(request: Request, exc: Exception) -> Response:
    """Render a ToteError as the Confluent error body with status code // 100."""
    assert isinstance(exc, ToteError)
    return error_response(request, exc.error_code, exc.message)


async def http_exception_handler(request: Request, exc: Exception) -> Response:
    """Unknown routes, wrong methods and the like, in Jersey's words."""
    assert isinstance(exc, StarletteHTTPException)
    status = exc.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    headers = exc.headers if status == 405 else None
    return error_response(request, status, f"HTTP {status} {phrase}", headers)


async def internal_error_handler(request: Request, exc: Exception) -> Response:
    """A bug, not bad input: log it and still answer in the ecosystem's shape."""
    log.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, "Internal Server Error")


def install_error_handlers(app: Starlette) -> None:
    """The one place an app learns how to render errors."""
    app.add_exception_handler(ToteError, tote_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_exception_handler)
    app.add_exception_handler(Exception, internal_error_handler)


# -- running ---------------------------------------------------------------------------------


def run_app(
    app: ASGIApp,
    sock: socket.socket,
    *,
    log_level: str = "info",
    access_log: bool = True,
    fast_io: bool = False,
    stop: threading.Event | None = None,
) -> None:
    """Serve `app` on the listening `sock` until interrupted, or until `stop` is set (the
    lifespan starts and stops the service). Raises the ToteError the lifespan's startup
    raised, else exits 3, as uvicorn does, if the server could not start. The caller binds
    `sock`, so that a taken port fails before anything starts.

    `fast_io`: uvloop and httptools when installed (roughly halving the CPU a small
    request costs), else asyncio's loop and h11, which every app has been tested on.
    """
    config = uvicorn.Config(app, log_level=log_level, lifespan="on",
                            timeout_graceful_shutdown=5, access_log=access_log,
                            loop="auto" if fast_io else "asyncio",
                            http="auto" if fast_io else "h11")
    server = SocketServer(config)
    if stop is not None:
        def stop_when_told() -> None:
            stop.wait()
            server.should_exit = True  # a graceful shutdown, as on SIGTERM

        threading.Thread(target=stop_when_told, name="stop-watch", daemon=True).start()
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C ends the service, as uvicorn's run does
        server.run(sockets=[sock])
    if not server.started:
        sys.exit(3)  # uvicorn's STARTUP_FAILURE


class ServerThread:
    """uvicorn serving an app on a background thread: for tests, benches and embedding.

    `start()` binds the socket with `listen_on`, as `tote serve` and `HyperServerThread`
    do (so a taken port raises its OSError before the thread starts; port 0 picks a free
    port, see `port`), then returns once the lifespan has started, or raises if it failed.
    `server` replaces the default uvicorn h11 server (`HyperServerThread` passes its own).
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, *,
                 server: SocketServer | None = None) -> None:
        if server is None:
            server = SocketServer(uvicorn.Config(
                app, lifespan="on", log_config=None, log_level="warning", access_log=False,
                http="h11", loop="asyncio", timeout_graceful_shutdown=5))
        self.host = host
        self._port = port
        self._server = server
        self._sockets: list[socket.socket] = []
        self._thread = threading.Thread(target=self._run, name=f"http-{port}", daemon=True)
        self._error: BaseException | None = None

    def _run(self) -> None:
        try:
            asyncio_run(self._server.serve(sockets=self._sockets),
                        loop_factory=self._server.config.get_loop_factory())
        except (OSError, RuntimeError, SystemExit) as exc:  # lifespan failures
            self._error = exc

    def start(self, timeout: float = 60.0) -> Self:
        self._sockets = [listen_on(self.host, self._port)]
        self._thread.start()
        deadline = threading.Event()
        waited = 0.0
        while not self._server.started:
            if not self._thread.is_alive():
                self._sockets[0].close()
                error = self._server.startup_error or self._error
                raise RuntimeError(f"server failed to start: {error!r}")
            if waited >= timeout:
                raise TimeoutError(f"server did not start within {timeout} s")
            deadline.wait(0.02)
            waited += 0.02
        return self

    @property
    def port(self) -> int:
        assert self._sockets, "start() first"
        port: int = self._sockets[0].getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"http://{url_host(self.host)}:{self.port}"

    def stop(self, timeout: float = 30.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
