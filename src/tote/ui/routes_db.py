"""The database browser: tables, paged rows with sort and filters, a read-only SQL box, CSV.

Everything goes through `tote.connect.jdbc.browse` (the only code that talks to sink
databases). Handlers are plain functions, so Starlette runs them in a worker thread and
a slow query never blocks the board's live stream. Anything the user typed that the
browser refuses (bad filter, unknown column, write statement, SQL error) is shown on the
same page above an empty result, with the inputs kept so they can be corrected.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tote.connect.jdbc.browse import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, RowPage
from tote.connect.jdbc.browse_filters import RowQuery
from tote.core.errors import BadRequest, ToteError
from tote.ui.context import ui_of
from tote.ui.pages import render

FILTER_PREFIX = "f."


def _int(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= high:
        raise BadRequest(f"'{name}' must be a whole number from 1 to {high}, not '{raw}'.")
    return int(raw)


def _row_query(request: Request) -> RowQuery:
    params = request.query_params
    filters = {k[len(FILTER_PREFIX):]: v for k, v in params.multi_items()
               if k.startswith(FILTER_PREFIX) and v.strip()}
    return RowQuery(sort=params.get("sort") or None, descending=params.get("desc") == "1",
                    filters=filters)


def page_numbers(page: RowPage) -> list[int]:
    """Page links around the current page: first, neighbours, and last when known."""
    if page.total is None:
        return sorted({p for p in (1, page.page - 1, page.page, page.page + 1)
                       if p >= 1 and (p <= page.page or page.has_next)})
    last = max(1, -(-page.total // page.page_size))
    return sorted({1, last, *range(max(1, page.page - 2), min(last, page.page + 2) + 1)})


def _attachment(name: str) -> dict[str, str]:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "export"
    return {"Content-Disposition": f'attachment; filename="{safe}.csv"'}


def db_index(request: Request) -> Response:
    ui = ui_of(request)
    try:
        tables, error = ui.database.tables(), ""
    except ToteError as exc:
        tables, error = [], exc.message
    return render(request, "db_index.html", tables=tables, error=error,
                  database=ui.database.describe())


def db_table(request: Request) -> Response:
    ui = ui_of(request)
    name = request.path_params["name"]
    info = ui.database.table(name)  # an unknown table is the error page (404)
    query = _row_query(request)
    page, error = None, ""
    try:
        page = ui.database.rows(name, query, page=_int(request, "page", 1, 10**9),
                                page_size=_int(request, "size", DEFAULT_PAGE_SIZE,
                                               MAX_PAGE_SIZE))
    except ToteError as exc:
        error = exc.message
    kept = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"])
    csv_url = f"/db/tables/{quote(name, safe='')}/csv" + (f"?{kept}" if kept else "")
    return render(request, "db_table.html", table=info, page=page, query=query, error=error,
                  pages=page_numbers(page) if page else [], filters=query.filters or {},
                  csv_url=csv_url)


def db_table_csv(request: Request) -> Response:
    name = request.path_params["name"]
    chunks = ui_of(request).database.table_csv(name, _row_query(request))
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8",
                             headers=_attachment(name))


def db_sql(request: Request) -> Response:
    ui = ui_of(request)
    sql = request.query_params.get("sql", "")
    page, error = None, ""
    if sql.strip():
        try:
            page = ui.database.query(sql, page=_int(request, "page", 1, 10**9),
                                     page_size=_int(request, "size", DEFAULT_PAGE_SIZE,
                                                    MAX_PAGE_SIZE))
        except ToteError as exc:
            error = exc.message
    status = 200 if not error else 400
    return render(request, "db_sql.html", status_code=status, sql=sql, page=page,
                  error=error, pages=page_numbers(page) if page else [])


def db_sql_csv(request: Request) -> Response:
    sql = request.query_params.get("sql", "")
    chunks = ui_of(request).database.query_csv(sql)
    return StreamingResponse(chunks, media_type="text/csv; charset=utf-8",
                             headers=_attachment("query"))


def routes() -> list[BaseRoute]:
    return [Route("/db", db_index, methods=["GET"]),
            Route("/db/sql", db_sql, methods=["GET"]),
            Route("/db/sql/csv", db_sql_csv, methods=["GET"]),
            Route("/db/tables/{name}", db_table, methods=["GET"]),
            Route("/db/tables/{name}/csv", db_table_csv, methods=["GET"])]
