"""Rendering pages: the Jinja environment, its display filters, and the error pages.

Autoescaping is on for every template, so whatever a user, a record or a database puts
in a name or a value reaches the browser as text, never as markup. Every error becomes
the same page with a plain message and the HTTP status of its code (ToteError's first
three digits); a bug is logged and shown as "internal error", never as a traceback.
"""

from __future__ import annotations

import datetime
import decimal
import json
import logging
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode

import jinja2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from tote.core.errors import ToteError

_logger = logging.getLogger(__name__)
MAX_CELL_CHARS = 500


def money(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}"


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def odds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def dollars(cents: float | None) -> str:
    """Cents as dollars ("$1,000.00"); a fraction of a cent (a flexi stake) is rounded."""
    return "—" if cents is None else f"${cents / 100:,.2f}"


def basis_points(value: int | None) -> str:
    return "—" if value is None else f"{value / 100:.2f}%"


def cell(value: Any) -> str:
    """A database value as table text (NULL is styled by the template, not here)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        return "0x" + data[:MAX_CELL_CHARS // 2].hex() + ("…" if len(data) > 250 else "")
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (decimal.Decimal, datetime.date, datetime.time)):
        return str(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False, default=str)
    text = str(value)
    return text if len(text) <= MAX_CELL_CHARS else text[:MAX_CELL_CHARS] + "…"


def timestamp(millis: int | None) -> str:
    if millis is None:
        return "—"
    moment = datetime.datetime.fromtimestamp(millis / 1000, tz=datetime.UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"


def pretty_json(text: str) -> str:
    """Schema text indented for reading (unchanged if it is not JSON, e.g. protobuf)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def with_query(request: Request, **changes: Any) -> str:
    """The current URL's path with some query parameters changed (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(params)
    return request.url.path + ("?" + query if query else "")


def make_templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.PackageLoader("tote.ui", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(money=money, percent=percent, odds=odds, cell=cell,
                       timestamp=timestamp, pretty_json=pretty_json, dollars=dollars,
                       basis_points=basis_points)
    env.globals.update(with_query=with_query)
    return Jinja2Templates(env=env)


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _status(code: int) -> int:
    while code >= 1000:
        code //= 10
    return code if 400 <= code <= 599 else 500


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    return render(request, "error.html", status_code=status, title=title, message=message)


async def tote_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ToteError)
    status = _status(exc.error_code)
    return error_page(request, status, HTTPStatus(status).phrase, exc.message)


async def http_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = "Error"
    message = "There is no such page." if exc.status_code == 404 else str(exc.detail)
    return error_page(request, exc.status_code, phrase, message)


async def internal_error_page(request: Request, exc: Exception) -> Response:
    _logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_page(request, 500, "Internal Server Error",
                      "Something went wrong in the UI itself; the details are in its log.")
