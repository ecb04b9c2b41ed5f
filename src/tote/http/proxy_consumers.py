"""REST Proxy v2 consumer routes (spec §3.4): instances, subscriptions, records, offsets.

Every route names an instance by `{group}` and `{instance}`; an unknown (or expired)
instance is 404 / 40403 from the library. Record reads take the embedded format from the
`Accept` header and answer in that format's vendor media type.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tote.core.records import TopicPartition
from tote.http.common import json_response
from tote.http.proxy_support import call, json_body, no_content, proxy_of, v2
from tote.proxy import bodies
from tote.proxy.errors import MalformedJson, V2PartitionNotFound
from tote.proxy.formats import accepted_format, check_control_content_type

INSTANCE = "/consumers/{group}/instances/{instance}"


def _ids(request: Request) -> tuple[str, str]:
    return request.path_params["group"], request.path_params["instance"]


async def _control_body(request: Request) -> Any:
    check_control_content_type(request.headers.get("content-type"))
    return await json_body(request)


def _tp_json(tp: TopicPartition) -> dict[str, Any]:
    return {"topic": tp.topic, "partition": tp.partition}


async def create_instance(request: Request) -> Response:
    config = bodies.consumer_config(await _control_body(request))
    group = request.path_params["group"]
    instance = await call(proxy_of(request).consumers.create, group, config)
    base = str(request.base_url).rstrip("/")
    return v2(
        {
            "instance_id": instance.name,
            "base_uri": f"{base}/consumers/{group}/instances/{instance.name}",
        }
    )


async def delete_instance(request: Request) -> Response:
    await call(proxy_of(request).consumers.delete, *_ids(request))
    return no_content()


async def subscribe(request: Request) -> Response:
    sub = bodies.subscription(await _control_body(request))
    await call(proxy_of(request).consumers.subscribe, *_ids(request), sub)
    return no_content()


async def get_subscription(request: Request) -> Response:
    topics = await call(proxy_of(request).consumers.subscription, *_ids(request))
    return v2({"topics": topics})


async def unsubscribe(request: Request) -> Response:
    await call(proxy_of(request).consumers.unsubscribe, *_ids(request))
    return no_content()


async def assign(request: Request) -> Response:
    tps = bodies.partitions(await _control_body(request))
    await call(proxy_of(request).consumers.assign, *_ids(request), tps)
    return no_content()


async def get_assignments(request: Request) -> Response:
    tps = await call(proxy_of(request).consumers.assignment, *_ids(request))
    return v2({"partitions": [_tp_json(tp) for tp in tps]})


def _query_long(request: Request, name: str) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return -1
    try:
        return int(raw)
    except ValueError:
        raise MalformedJson(f"Query parameter {name} must be a number, got '{raw}'.") from None


async def read_records(request: Request) -> Response:
    accept = accepted_format(request.headers.get("accept"))
    consumers = proxy_of(request).consumers
    group, name = _ids(request)
    instance = consumers.get(group, name)
    records = await call(
        consumers.read,
        group,
        name,
        accept,
        _query_long(request, "timeout"),
        _query_long(request, "max_bytes"),
    )
    return json_response(records, media_type=instance.format.media_type)


async def commit_offsets(request: Request) -> Response:
    entries = bodies.offsets(await _control_body(request))
    committed = await call(proxy_of(request).consumers.commit, *_ids(request), entries)
    return v2(
        [
            {"topic": c.tp.topic, "partition": c.tp.partition, "consumed": c.consumed,
             "committed": c.committed}
            for c in committed
        ]
    )


async def committed_offsets(request: Request) -> Response:
    """No body at all is 404 / 40402, before the instance is looked up: kafka-rest's v2
    resource answers a null request so."""
    body = await json_body(request)
    if body is None:
        raise V2PartitionNotFound()
    tps = bodies.partitions(body)
    offsets = await call(proxy_of(request).consumers.committed, *_ids(request), tps)
    return v2(
        {
            "offsets": [
                {"topic": tp.topic, "partition": tp.partition, "offset": offsets[tp],
                 "metadata": ""}
                for tp in tps
                if tp in offsets
            ]
        }
    )


async def seek(request: Request) -> Response:
    body = await _control_body(request)
    entries = bodies.offsets(body) or ()
    times = bodies.seek_timestamps(body)
    await call(proxy_of(request).consumers.seek, *_ids(request), entries, times)
    return no_content()


async def seek_beginning(request: Request) -> Response:
    tps = bodies.partitions(await _control_body(request))
    await call(proxy_of(request).consumers.seek_to, *_ids(request), tps, False)
    return no_content()


async def seek_end(request: Request) -> Response:
    tps = bodies.partitions(await _control_body(request))
    await call(proxy_of(request).consumers.seek_to, *_ids(request), tps, True)
    return no_content()


def consumer_routes() -> list[Route]:
    return [
        Route("/consumers/{group}", create_instance, methods=["POST"]),
        Route(INSTANCE, delete_instance, methods=["DELETE"]),
        Route(INSTANCE + "/subscription", subscribe, methods=["POST"]),
        Route(INSTANCE + "/subscription", get_subscription, methods=["GET"]),
        Route(INSTANCE + "/subscription", unsubscribe, methods=["DELETE"]),
        Route(INSTANCE + "/assignments", assign, methods=["POST"]),
        Route(INSTANCE + "/assignments", get_assignments, methods=["GET"]),
        Route(INSTANCE + "/records", read_records, methods=["GET"]),
        Route(INSTANCE + "/offsets", commit_offsets, methods=["POST"]),
        Route(INSTANCE + "/offsets", committed_offsets, methods=["GET"]),
        Route(INSTANCE + "/positions", seek, methods=["POST"]),
        Route(INSTANCE + "/positions/beginning", seek_beginning, methods=["POST"]),
        Route(INSTANCE + "/positions/end", seek_end, methods=["POST"]),
    ]
