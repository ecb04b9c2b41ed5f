"""The stack view: topics (with a record peek), schemas, ksqlDB's streams, tables and
queries, Connect's connectors, and consumer-group lag, on one page and a few detail pages.

Each section is fetched on its own and concurrently; a service that does not answer
turns its section into a "not running" note while the others still show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from tote.core.errors import BadRequest, ToteError
from tote.ui.context import UiServices, ui_of
from tote.ui.decode import Shown
from tote.ui.pages import render
from tote.ui.topics import GroupLag


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the page: its data, or why there is none."""

    data: Any = None
    error: str = ""


async def _section(call: Awaitable[Any]) -> Section:
    try:
        return Section(await call)
    except ToteError as exc:
        return Section(error=exc.message)


async def _entities(ui: UiServices, statement: str, key: str) -> list[dict[str, Any]]:
    entities = await ui.ksql.statements(statement)
    found = entities[0].get(key, []) if entities else []
    return list(found) if isinstance(found, list) else []


def query_lags(queries: list[dict[str, Any]], lags: list[GroupLag]) -> dict[str, int]:
    """Total lag of each persistent query's consumer group(s), which embed its id."""
    out: dict[str, int] = {}
    for query in queries:
        query_id = str(query.get("id", ""))
        if query_id:
            out[query_id] = sum(g.lag for g in lags if g.group.endswith(query_id)
                                or f"query_{query_id}" in g.group)
    return out


@dataclass(frozen=True, slots=True)
class ServiceCheck:
    name: str
    url: str
    up: bool


async def stack_page(request: Request) -> Response:
    ui = ui_of(request)
    clients = [ui.registry, ui.proxy, ui.connect, ui.ksql]
    alive = await asyncio.gather(*(c.alive() for c in clients))
    services = [ServiceCheck(c.name, c.base_url, up)
                for c, up in zip(clients, alive, strict=True)]
    topics, lags, subjects, streams, tables, queries, connectors = await asyncio.gather(
        _section(run_in_threadpool(ui.topics.topics)),
        _section(run_in_threadpool(ui.topics.lags)),
        _section(ui.registry.subjects()),
        _section(_entities(ui, "SHOW STREAMS;", "streams")),
        _section(_entities(ui, "SHOW TABLES;", "tables")),
        _section(_entities(ui, "SHOW QUERIES;", "queries")),
        _section(ui.connect.connectors()))
    lag_by_query = query_lags(queries.data or [], lags.data or [])
    return render(request, "stack.html", services=services, topics=topics, lags=lags,
                  subjects=subjects, streams=streams, tables=tables, queries=queries,
                  connectors=connectors, lag_by_query=lag_by_query)


def _optional_int(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be a whole number, not '{raw}'.") from None


@dataclass(frozen=True, slots=True)
class PeekedRecord:
    partition: int
    offset: int
    timestamp: int
    key: Shown
    value: Shown
    headers: tuple[tuple[str, str], ...]


async def topic_page(request: Request) -> Response:
    ui = ui_of(request)
    name = request.path_params["name"]
    topic = await run_in_threadpool(ui.topics.topic, name)  # unknown: the 404 page
    records: list[PeekedRecord] = []
    error = ""
    try:
        partition = _optional_int(request, "partition")
        offset = _optional_int(request, "offset")
        limit = _optional_int(request, "limit", 20) or 20
        found = await run_in_threadpool(ui.topics.peek, name, partition, offset, limit)
        for record in found:
            headers = tuple((k, (v or b"").decode("utf-8", "replace")) for k, v in record.headers)
            records.append(PeekedRecord(
                record.partition, record.offset, record.timestamp,
                await ui.decoder.show(record.key, is_key=True),
                await ui.decoder.show(record.value), headers))
    except ToteError as exc:
        error = exc.message
    return render(request, "topic.html", topic=topic, records=records, error=error,
                  params=dict(request.query_params))


async def schema_page(request: Request) -> Response:
    ui = ui_of(request)
    subject = request.path_params["subject"]
    versions = await ui.registry.versions(subject)
    chosen = request.query_params.get("version", "").strip() or "latest"
    schema = await ui.registry.version(subject, chosen)
    return render(request, "schema.html", subject=subject, versions=versions, schema=schema)


def routes() -> list[BaseRoute]:
    return [Route("/stack", stack_page, methods=["GET"]),
            Route("/stack/topics/{name}", topic_page, methods=["GET"]),
            Route("/stack/schemas/{subject}", schema_page, methods=["GET"])]
