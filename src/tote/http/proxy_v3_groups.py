"""REST Proxy v3 consumer groups: groups, their consumers and assignments, and lags, in
kafka-rest's resource shapes (ConsumerGroupsResource, ConsumersResource,
ConsumerAssignmentsResource, ConsumerLagsResource, ConsumerGroupLagSummariesResource).
Group and consumer ids may hold any character: links and CRNs name them through
`proxy.links`, raw and trimmed of `/` as kafka-rest's UrlFactory and CrnFactory do.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tote.core.records import TopicPartition
from tote.http.common import json_response
from tote.http.proxy_support import call
from tote.http.proxy_v3 import CLUSTER, COULD_NOT, cluster_of, listing, related
from tote.log.base import GroupMember
from tote.proxy.groups import Groups, GroupView, LagSummary, LagView
from tote.proxy.links import crn as _crn
from tote.proxy.links import url as _url
from tote.proxy.metadata import BROKER_ID
from tote.proxy.service import RestProxy
from tote.proxy.v3_errors import ResourceNotFound

GROUPS = CLUSTER + "/consumer-groups"
GROUP = GROUPS + "/{group_id}"
CONSUMER = GROUP + "/consumers/{consumer_id}"
PARTITION = "/{topic}/partitions/{partition:int}"


def _groups(proxy: RestProxy) -> Groups:
    return Groups(proxy.log, proxy.metadata)


def _resource(url: str, crn: str) -> dict[str, str]:
    return {"self": url, "resource_name": crn}


def _group_json(cluster_id: str, base: str, group: GroupView) -> dict[str, Any]:
    url = _url(base, "consumer-groups", group.group_id)
    return {
        "kind": "KafkaConsumerGroup",
        "metadata": _resource(url, _crn(cluster_id, ("consumer-group", group.group_id))),
        "cluster_id": cluster_id,
        "consumer_group_id": group.group_id,
        "is_simple": False,
        "partition_assignor": group.partition_assignor,
        "state": group.state,
        "type": "CLASSIC",
        "is_mixed_consumer_group": False,
        "coordinator": related(_url(base, "brokers", BROKER_ID)),
        "consumers": related(_url(url, "consumers")),
        "lag_summary": related(_url(url, "lag-summary")),
    }


def _consumer_json(
    cluster_id: str, base: str, group_id: str, member: GroupMember
) -> dict[str, Any]:
    url = _url(base, "consumer-groups", group_id, "consumers", member.member_id)
    crn = _crn(cluster_id, ("consumer-group", group_id), ("consumer", member.member_id))
    return {
        "kind": "KafkaConsumer",
        "metadata": _resource(url, crn),
        "cluster_id": cluster_id,
        "consumer_group_id": group_id,
        "consumer_id": member.member_id,
        "instance_id": None,
        "client_id": member.client_id,
        "assignments": related(_url(url, "assignments")),
    }


def _assignment_json(
    cluster_id: str, base: str, group_id: str, consumer_id: str, tp: TopicPartition
) -> dict[str, Any]:
    topic, partition = tp
    url = _url(base, "consumer-groups", group_id, "consumers", consumer_id, "assignments", topic,
               "partitions", partition)
    crn = _crn(cluster_id, ("consumer-group", group_id), ("consumer", consumer_id),
               ("assignment", topic), ("partition", partition))
    return {
        "kind": "KafkaConsumerAssignment",
        "metadata": _resource(url, crn),
        "cluster_id": cluster_id,
        "consumer_group_id": group_id,
        "consumer_id": consumer_id,
        "topic_name": topic,
        "partition_id": partition,
        "partition": related(_url(base, "topics", topic, "partitions", partition)),
        "lag": related(
            _url(base, "consumer-groups", group_id, "lags", topic, "partitions", partition)),
    }


def _lag_json(cluster_id: str, base: str, group_id: str, lag: LagView) -> dict[str, Any]:
    url = _url(base, "consumer-groups", group_id, "lags", lag.topic, "partitions", lag.partition)
    crn = _crn(cluster_id, ("consumer-group", group_id), ("lag", lag.topic),
               ("partition", lag.partition))
    return {
        "kind": "KafkaConsumerLag",
        "metadata": _resource(url, crn),
        "cluster_id": cluster_id,
        "consumer_group_id": group_id,
        "topic_name": lag.topic,
        "partition_id": lag.partition,
        "consumer_id": lag.consumer_id,
        "instance_id": None,
        "client_id": lag.client_id,
        "current_offset": lag.current_offset,
        "log_end_offset": lag.log_end_offset,
        "lag": lag.lag,
    }


def _summary_json(cluster_id: str, base: str, summary: LagSummary) -> dict[str, Any]:
    group_url = _url(base, "consumer-groups", summary.group_id)
    worst = summary.max_lag
    crn = _crn(cluster_id, ("consumer-group", summary.group_id), ("lag-summary", None))
    return {
        "kind": "KafkaConsumerGroupLagSummary",
        "metadata": _resource(_url(group_url, "lag-summary"), crn),
        "cluster_id": cluster_id,
        "consumer_group_id": summary.group_id,
        "max_lag": worst.lag,
        "total_lag": summary.total_lag,
        "max_lag_consumer_id": worst.consumer_id,
        "max_lag_consumer": related(_url(group_url, "consumers", worst.consumer_id)),
        "max_lag_client_id": worst.client_id,
        "max_lag_instance_id": None,
        "max_lag_topic_name": worst.topic,
        "max_lag_partition_id": worst.partition,
        "max_lag_partition": related(
            _url(base, "topics", worst.topic, "partitions", worst.partition)),
    }


async def _group(request: Request, missing: str | None) -> tuple[RestProxy, str, GroupView]:
    """The path's group, or 404 with `missing` (kafka-rest words it per resource)."""
    proxy, base = await cluster_of(request, COULD_NOT)
    group_id = request.path_params["group_id"]
    group = await call(_groups(proxy).find, group_id)
    if group is None:
        raise ResourceNotFound(missing.format(group_id) if missing else "HTTP 404 Not Found")
    return proxy, base, group


async def _member(request: Request, missing: str | None) -> tuple[str, str, str, GroupMember]:
    proxy, base, group = await _group(request, "Consumer Group {} does not exist.")
    consumer_id = request.path_params["consumer_id"]
    member = group.consumer(consumer_id)
    if member is None:
        raise ResourceNotFound(missing.format(consumer_id) if missing else "HTTP 404 Not Found")
    return proxy.cluster_id, base, group.group_id, member


async def list_groups(request: Request) -> Response:
    proxy, base = await cluster_of(request, COULD_NOT)
    groups = await call(_groups(proxy).all)
    data = [_group_json(proxy.cluster_id, base, group) for group in groups]
    return json_response(listing("KafkaConsumerGroupList", f"{base}/consumer-groups", data))


async def get_group(request: Request) -> Response:
    proxy, base, group = await _group(request, None)
    return json_response(_group_json(proxy.cluster_id, base, group))


async def list_consumers(request: Request) -> Response:
    proxy, base, group = await _group(request, "Consumer Group {} does not exist.")
    data = [_consumer_json(proxy.cluster_id, base, group.group_id, c) for c in group.consumers]
    url = _url(base, "consumer-groups", group.group_id, "consumers")
    return json_response(listing("KafkaConsumerList", url, data))


async def get_consumer(request: Request) -> Response:
    cluster_id, base, group_id, member = await _member(request, None)
    return json_response(_consumer_json(cluster_id, base, group_id, member))


async def list_assignments(request: Request) -> Response:
    cluster_id, base, group_id, member = await _member(request, "Consumer {} does not exist.")
    data = [
        _assignment_json(cluster_id, base, group_id, member.member_id, tp)
        for tp in sorted(member.assignment)
    ]
    url = _url(base, "consumer-groups", group_id, "consumers", member.member_id, "assignments")
    return json_response(listing("KafkaConsumerAssignmentList", url, data))


async def get_assignment(request: Request) -> Response:
    cluster_id, base, group_id, member = await _member(request, "Consumer {} does not exist.")
    tp = TopicPartition(request.path_params["topic"], request.path_params["partition"])
    if tp not in member.assignment:
        raise ResourceNotFound()
    return json_response(_assignment_json(cluster_id, base, group_id, member.member_id, tp))


async def list_lags(request: Request) -> Response:
    proxy, base = await cluster_of(request, COULD_NOT)
    group_id = request.path_params["group_id"]
    lags = await call(_groups(proxy).lags, group_id)
    data = [_lag_json(proxy.cluster_id, base, group_id, lag) for lag in lags]
    url = _url(base, "consumer-groups", group_id, "lags")
    return json_response(listing("KafkaConsumerLagList", url, data))


async def get_lag(request: Request) -> Response:
    proxy, base = await cluster_of(request, COULD_NOT)
    group_id = request.path_params["group_id"]
    topic, partition = request.path_params["topic"], request.path_params["partition"]
    lag = await call(_groups(proxy).lag, group_id, topic, partition)
    return json_response(_lag_json(proxy.cluster_id, base, group_id, lag))


async def get_lag_summary(request: Request) -> Response:
    proxy, base = await cluster_of(request, COULD_NOT)
    summary = await call(_groups(proxy).lag_summary, request.path_params["group_id"])
    return json_response(_summary_json(proxy.cluster_id, base, summary))


def group_routes() -> list[Route]:
    return [
        Route(GROUPS, list_groups, methods=["GET"]),
        Route(GROUP, get_group, methods=["GET"]),
        Route(GROUP + "/consumers", list_consumers, methods=["GET"]),
        Route(CONSUMER, get_consumer, methods=["GET"]),
        Route(CONSUMER + "/assignments", list_assignments, methods=["GET"]),
        Route(CONSUMER + "/assignments" + PARTITION, get_assignment, methods=["GET"]),
        Route(GROUP + "/lags", list_lags, methods=["GET"]),
        Route(GROUP + "/lags" + PARTITION, get_lag, methods=["GET"]),
        Route(GROUP + "/lag-summary", get_lag_summary, methods=["GET"]),
    ]
