"""REST Proxy v3 basics: clusters, brokers, topics (list, get, create, delete, partitions)
and `POST .../topics/{t}/records`, in kafka-rest's v3 resource shapes.

Resources carry `kind`, `metadata.self` and `related` links built from the request's base
URL. tote's log is one cluster (id from `RestProxy.cluster_id`) with one broker.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tote.core.errors import NotFound, TopicNotFound, ToteError
from tote.http.common import dumps, json_response
from tote.http.proxy_support import call, checked, no_content, proxy_of
from tote.proxy import bodies
from tote.proxy.metadata import BROKER_ID, PartitionView, TopicView
from tote.proxy.produce import EncodedSide, SingleResult
from tote.proxy.service import RestProxy
from tote.proxy.v3_errors import UnknownTopicOrPartition

CLUSTERS = "/v3/clusters"
CLUSTER = CLUSTERS + "/{cluster_id}"


# kafka-rest words an unknown cluster per manager: the topic, partition, config, broker and
# ACL managers say CANNOT, the consumer-group ones (groups, consumers, lags) COULD_NOT;
# `GET /v3/clusters/{c}` and the calls through `PartitionManager.getPartition` rethrow a
# bare NotFoundException (None: "HTTP 404 Not Found"). v3 produce never checks the id.
CANNOT = "Cluster {} cannot be found."
COULD_NOT = "Cluster {} could not be found."


class ClusterNotFound(NotFound):
    error_code = 404

    def __init__(self, cluster_id: str, wording: str | None = CANNOT) -> None:
        super().__init__(wording.format(cluster_id) if wording else "HTTP 404 Not Found")


async def _cluster_id(proxy: RestProxy) -> str:
    """The proxy's cluster id, asked off the event loop (on Kafka the first ask is a
    Metadata request to the broker)."""
    return await call(lambda: proxy.cluster_id)


async def cluster_of(request: Request, missing: str | None = CANNOT) -> tuple[RestProxy, str]:
    """The proxy and the path's cluster URL; an unknown cluster is 404 worded `missing`."""
    proxy = proxy_of(request)
    cluster_id = request.path_params["cluster_id"]
    if cluster_id != await _cluster_id(proxy):
        raise ClusterNotFound(cluster_id, missing)
    return proxy, f"{str(request.base_url).rstrip('/')}{CLUSTERS}/{cluster_id}"


def related(url: str) -> dict[str, str]:
    return {"related": url}


def listing(kind: str, self_url: str, data: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": kind, "metadata": {"self": self_url, "next": None}, "data": data}


def _cluster_json(cluster_id: str, url: str) -> dict[str, Any]:
    return {
        "kind": "KafkaCluster",
        "metadata": {"self": url, "resource_name": f"crn:///kafka={cluster_id}"},
        "cluster_id": cluster_id,
        "controller": related(f"{url}/brokers/{BROKER_ID}"),
        "acls": related(f"{url}/acls"),
        "brokers": related(f"{url}/brokers"),
        "broker_configs": related(f"{url}/broker-configs"),
        "consumer_groups": related(f"{url}/consumer-groups"),
        "topics": related(f"{url}/topics"),
        "partition_reassignments": related(f"{url}/topics/-/partitions/-/reassignment"),
    }


def _topic_json(cluster_id: str, base: str, view: TopicView) -> dict[str, Any]:
    url = f"{base}/topics/{view.name}"
    return {
        "kind": "KafkaTopic",
        "metadata": {"self": url, "resource_name": f"crn:///kafka={cluster_id}/topic={view.name}"},
        "cluster_id": cluster_id,
        "topic_name": view.name,
        "is_internal": view.is_internal,
        "replication_factor": view.replication_factor,
        "partitions_count": len(view.partitions),
        "partitions": related(f"{url}/partitions"),
        "configs": related(f"{url}/configs"),
        "partition_reassignments": related(f"{url}/partitions/-/reassignment"),
        "authorized_operations": [],
    }


def partition_json(cluster_id: str, base: str, view: PartitionView) -> dict[str, Any]:
    url = f"{base}/topics/{view.topic}/partitions/{view.partition}"
    return {
        "kind": "KafkaPartition",
        "metadata": {
            "self": url,
            "resource_name": (
                f"crn:///kafka={cluster_id}/topic={view.topic}/partition={view.partition}"
            ),
        },
        "cluster_id": cluster_id,
        "topic_name": view.topic,
        "partition_id": view.partition,
        "leader": related(f"{url}/replicas/{view.leader}"),
        "replicas": related(f"{url}/replicas"),
        "reassignment": related(f"{url}/reassignment"),
    }


async def list_clusters(request: Request) -> Response:
    proxy = proxy_of(request)
    base = f"{str(request.base_url).rstrip('/')}{CLUSTERS}"
    cluster_id = await _cluster_id(proxy)
    cluster = _cluster_json(cluster_id, f"{base}/{cluster_id}")
    return json_response(listing("KafkaClusterList", base, [cluster]))


async def get_cluster(request: Request) -> Response:
    proxy, url = await cluster_of(request, None)
    return json_response(_cluster_json(proxy.cluster_id, url))


async def list_topics(request: Request) -> Response:
    proxy, url = await cluster_of(request)
    views = await call(proxy.metadata.topics)
    data = [_topic_json(proxy.cluster_id, url, view) for view in views]
    return json_response(listing("KafkaTopicList", f"{url}/topics", data))


async def create_topic(request: Request) -> Response:
    proxy, url = await cluster_of(request)
    spec = bodies.create_topic(checked(await request.body(), bodies.parse_json))
    view = await call(
        proxy.metadata.create_topic,
        spec.topic_name,
        spec.partitions_count,
        spec.replication_factor,
        spec.configs,
    )
    proxy.producer.forget(spec.topic_name)
    return json_response(_topic_json(proxy.cluster_id, url, view), status_code=201)


async def topic_view(proxy: RestProxy, topic: str, missing: str | None = None) -> TopicView:
    """The topic for a call under `topics/{t}`: kafka-rest asks Kafka's describeTopics,
    which fails an unknown topic with UnknownTopicOrPartitionException (404 / 40403)."""
    try:
        return await call(proxy.metadata.topic, topic)
    except TopicNotFound:
        error = UnknownTopicOrPartition(missing) if missing else UnknownTopicOrPartition()
        raise error from None


async def get_topic(request: Request) -> Response:
    proxy, url = await cluster_of(request)
    view = await topic_view(proxy, request.path_params["topic"])
    return json_response(_topic_json(proxy.cluster_id, url, view))


async def delete_topic(request: Request) -> Response:
    proxy, _ = await cluster_of(request)
    try:
        await call(proxy.metadata.delete_topic, request.path_params["topic"])
    except TopicNotFound:
        raise UnknownTopicOrPartition() from None
    proxy.producer.forget(request.path_params["topic"])
    return no_content()


async def list_partitions(request: Request) -> Response:
    proxy, url = await cluster_of(request)
    topic = request.path_params["topic"]
    view = await topic_view(proxy, topic)
    data = [partition_json(proxy.cluster_id, url, p) for p in view.partitions]
    return json_response(listing("KafkaPartitionList", f"{url}/topics/{topic}/partitions", data))


def _side_json(side: EncodedSide | None) -> dict[str, Any] | None:
    if side is None:
        return None
    schema = side.schema
    return {
        "type": side.format.name,
        "size": side.size,
        "subject": schema.subject if schema else None,
        "schema_id": schema.schema_id if schema else None,
        "schema_version": schema.version if schema else None,
    }


def _produce_json(cluster_id: str, topic: str, result: SingleResult | ToteError) -> bytes:
    if isinstance(result, ToteError):
        return dumps({"error_code": result.error_code, "message": result.message})
    position = result.position
    return dumps(
        {
            "error_code": 200,
            "cluster_id": cluster_id,
            "topic_name": topic,
            "partition_id": position.partition,
            "offset": position.offset,
            "timestamp": _iso(position.timestamp),
            "key": _side_json(result.key),
            "value": _side_json(result.value),
        }
    )


def _iso(ms: int) -> str:
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


async def produce_records(request: Request) -> Response:
    """Each JSON object in the body is one record; each gets its own delivery report.
    kafka-rest's ProduceAction never looks the cluster up: the reports echo the path's id."""
    proxy = proxy_of(request)
    cluster_id = request.path_params["cluster_id"]
    topic = request.path_params["topic"]
    requests = checked(await request.body(), bodies.json_stream)
    results = await call(proxy.producer.produce_each, topic, requests)
    body = b"\r\n".join(_produce_json(cluster_id, topic, r) for r in results)
    return Response(body, media_type="application/json")


def v3_routes() -> list[Route]:
    return [
        Route(CLUSTERS, list_clusters, methods=["GET"]),
        Route(CLUSTER, get_cluster, methods=["GET"]),
        Route(CLUSTER + "/topics", list_topics, methods=["GET"]),
        Route(CLUSTER + "/topics", create_topic, methods=["POST"]),
        Route(CLUSTER + "/topics/{topic}", get_topic, methods=["GET"]),
        Route(CLUSTER + "/topics/{topic}", delete_topic, methods=["DELETE"]),
        Route(CLUSTER + "/topics/{topic}/partitions", list_partitions, methods=["GET"]),
        Route(CLUSTER + "/topics/{topic}/records", produce_records, methods=["POST"]),
    ]
