"""The REST Proxy over HTTP: Confluent kafka-rest's v2 API and the v3 basics (spec §3).

Thin on purpose: each route checks the media type, parses the body with
`tote.proxy.bodies`, calls the `RestProxy` library in a worker thread (log and registry
calls block) and renders the answer. Errors are `ToteError`s rendered by the shared
handler of `tote.http.common`; this module never catches them.

v2 produce is the hot path: a small request is encoded on the event loop when nothing
needs fetching, and every request's records are appended by the proxy's
`GroupCommitter`, one commit for all requests waiting.

This module holds the app factory, produce and v2 metadata; consumers are in
`proxy_consumers`, v3 in `proxy_v3`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from itertools import repeat
from operator import itemgetter
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from tote.core.errors import PartitionNotFound, TopicNotFound
from tote.http.common import JSON, install_error_handlers
from tote.http.proxy_consumers import consumer_routes
from tote.http.proxy_support import call, json_body, proxy_of, v2
from tote.http.proxy_v2_errors import install_v2_not_found
from tote.http.proxy_v3 import v3_routes
from tote.http.proxy_v3_brokers import broker_routes
from tote.http.proxy_v3_configs import config_routes
from tote.http.proxy_v3_groups import group_routes
from tote.proxy import bodies
from tote.proxy.formats import V2_JSON, produce_format
from tote.proxy.metadata import PartitionView, TopicView
from tote.proxy.produce import ProduceResult
from tote.proxy.resolver import NeedsIO
from tote.proxy.service import RestProxy
from tote.proxy.topic_configs import TopicConfig, TopicConfigs

# Requests with at most this many records are encoded on the event loop (tens of µs each).
INLINE_RECORDS = 20

_PARTITION = itemgetter(0)  # of a `Position`
_OFFSET = itemgetter(1)


class _ErrorMediaType:
    """Errors carry kafka-rest's media type: the v2 vendor type, plain JSON under /v3."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            state = scope.setdefault("state", {})
            state["media_type"] = JSON if scope["path"].startswith("/v3") else V2_JSON
        await self.app(scope, receive, send)


# -- produce --------------------------------------------------------------------------------


def _schema_id_json(schema_id: int | None) -> str:
    return "null" if schema_id is None else str(int(schema_id))


def produce_response_body(result: ProduceResult) -> bytes:
    """`{"key_schema_id":…,"value_schema_id":…,"offsets":[{"partition":…,"offset":…,
    "error_code":null,"error":null},…]}`, compact as Jackson writes it.

    Written by f-strings: for a batch of 1,000 records, building 1,000 dicts and
    `json.dumps`-ing them cost more than encoding the records. The bytes are those of
    `dumps()` of the same structure (tests compare them). A batch that landed in one
    partition (the usual case) fills its offsets into one %-format string."""
    positions = result.positions
    partitions = list(map(_PARTITION, positions))
    if partitions and partitions.count(partitions[0]) == len(partitions):
        entry = f'{{"partition":{partitions[0]},"offset":%d,"error_code":null,"error":null}}'
        offsets = ",".join(repeat(entry, len(partitions))) % tuple(map(_OFFSET, positions))
    else:
        offsets = ",".join(
            [
                f'{{"partition":{part},"offset":{off},"error_code":null,"error":null}}'
                for part, off, _ in positions
            ]
        )
    return (
        f'{{"key_schema_id":{_schema_id_json(result.key_schema_id)},'
        f'"value_schema_id":{_schema_id_json(result.value_schema_id)},'
        f'"offsets":[{offsets}]}}'
    ).encode("ascii")


async def produce(request: Request) -> Response:
    """Check and encode the records (on the event loop when the request is small and needs
    nothing from the log or registry, else in a worker thread), then let the group
    committer append them: one commit for all requests waiting at that moment."""
    fmt = produce_format(request.headers.get("content-type"))
    topic = request.path_params["topic"]
    partition: int | None = request.path_params.get("partition")
    produce_request = bodies.produce_request(await json_body(request))
    producer = proxy_of(request).producer
    prepared = None
    if len(produce_request.records) <= INLINE_RECORDS:
        with suppress(NeedsIO):
            prepared = producer.prepare(topic, fmt, produce_request, partition, cached_only=True)
    if prepared is None:
        prepared = await call(producer.prepare, topic, fmt, produce_request, partition)
    try:
        positions = await proxy_of(request).committer.append(topic, prepared.records)
    except (TopicNotFound, PartitionNotFound):
        producer.forget(topic)
        raise
    return Response(produce_response_body(prepared.result(positions)), media_type=V2_JSON)


# -- v2 metadata ----------------------------------------------------------------------------


def _partition_json(view: PartitionView) -> dict[str, Any]:
    return {
        "partition": view.partition,
        "leader": view.leader,
        "replicas": [
            {"broker": broker, "leader": broker == view.leader, "in_sync": True}
            for broker in view.replicas
        ],
    }


def _topic_json(view: TopicView, configs: list[TopicConfig]) -> dict[str, Any]:
    """kafka-rest's v2 `GetTopicResponse`: every config v3 lists, as name -> value."""
    return {
        "name": view.name,
        "configs": {config.name: config.entry.value for config in configs},
        "partitions": [_partition_json(p) for p in view.partitions],
    }


async def root(request: Request) -> Response:
    return v2({})


async def list_topics(request: Request) -> Response:
    return v2(await call(proxy_of(request).metadata.topic_names))


async def get_topic(request: Request) -> Response:
    """The topic first (an unknown one is 404, see `proxy_v2_errors`), then its configs, as
    kafka-rest's v2 TopicsResource does."""
    proxy, name = proxy_of(request), request.path_params["topic"]
    view = await call(proxy.metadata.topic, name)
    configs = await call(TopicConfigs(proxy.log, proxy.cluster_id).of_topic, name)
    return v2(_topic_json(view, configs))


async def list_partitions(request: Request) -> Response:
    view = await call(proxy_of(request).metadata.topic, request.path_params["topic"])
    return v2([_partition_json(p) for p in view.partitions])


async def get_partition(request: Request) -> Response:
    params = request.path_params
    view = await call(proxy_of(request).metadata.partition, params["topic"], params["partition"])
    return v2(_partition_json(view))


async def partition_offsets(request: Request) -> Response:
    params = request.path_params
    view = await call(proxy_of(request).metadata.partition, params["topic"], params["partition"])
    return v2({"beginning_offset": view.start_offset, "end_offset": view.end_offset})


async def brokers(request: Request) -> Response:
    return v2({"brokers": proxy_of(request).metadata.brokers()})


# -- the app --------------------------------------------------------------------------------


def v2_routes() -> list[Route]:
    return [
        Route("/", root, methods=["GET"]),
        Route("/topics", list_topics, methods=["GET"]),
        Route("/topics/{topic}", get_topic, methods=["GET"]),
        Route("/topics/{topic}", produce, methods=["POST"]),
        Route("/topics/{topic}/partitions", list_partitions, methods=["GET"]),
        Route("/topics/{topic}/partitions/{partition:int}", get_partition, methods=["GET"]),
        Route("/topics/{topic}/partitions/{partition:int}", produce, methods=["POST"]),
        Route(
            "/topics/{topic}/partitions/{partition:int}/offsets",
            partition_offsets,
            methods=["GET"],
        ),
        Route("/brokers", brokers, methods=["GET"]),
    ]


def create_app(proxy: RestProxy) -> Starlette:
    """The proxy's ASGI app; its lifespan starts and closes `proxy` (not the log)."""
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        proxy.start()
        try:
            yield
        finally:
            await run_in_threadpool(proxy.close)

    routes = (v2_routes() + consumer_routes() + config_routes() + v3_routes() + group_routes()
              + broker_routes())
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.proxy = proxy
    install_error_handlers(app)
    install_v2_not_found(app)
    app.add_middleware(_ErrorMediaType)
    return app
