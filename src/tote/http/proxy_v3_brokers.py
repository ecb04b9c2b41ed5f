"""REST Proxy v3 brokers and replicas: one broker, its configs and the partition replicas
it holds, a partition and its replicas, and the cluster-wide broker configs and ACLs, in
kafka-rest's resource shapes (BrokersResource, BrokerConfigsResource,
ListAllBrokersConfigsAction, ClusterConfigsResource, ReplicasResource,
SearchReplicasByBrokerAction, AclsResource).

tote has one logical broker that holds every partition's only, in-sync replica, and no
authorizer: ACL calls answer as Kafka does without one.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tote.http.common import json_response
from tote.http.proxy_support import call, json_body
from tote.http.proxy_v3 import (
    CLUSTER,
    cluster_of,
    listing,
    partition_json,
    related,
    topic_view,
)
from tote.proxy.broker_configs import BROKER_CONFIGS, BrokerConfig
from tote.proxy.metadata import PartitionView
from tote.proxy.service import RestProxy
from tote.proxy.v3_errors import ResourceNotFound, SecurityDisabled

BROKER = CLUSTER + "/brokers/{broker_id:int}"
PARTITION = CLUSTER + "/topics/{topic}/partitions/{partition:int}"


def _broker(proxy: RestProxy, request: Request) -> int:
    broker: int = request.path_params["broker_id"]
    if broker not in proxy.metadata.brokers():
        raise ResourceNotFound()
    return broker


def _broker_json(request: Request, cluster_id: str, base: str, broker: int) -> dict[str, Any]:
    url = f"{base}/brokers/{broker}"
    return {
        "kind": "KafkaBroker",
        "metadata": {"self": url, "resource_name": f"crn:///kafka={cluster_id}/broker={broker}"},
        "cluster_id": cluster_id,
        "broker_id": broker,
        "host": request.url.hostname,
        "port": request.url.port,
        "rack": None,
        "configs": related(f"{url}/configs"),
        "partition_replicas": related(f"{url}/partition-replicas"),
    }


def _replica_json(cluster_id: str, base: str, view: PartitionView, broker: int) -> dict[str, Any]:
    url = f"{base}/topics/{view.topic}/partitions/{view.partition}/replicas/{broker}"
    crn = (f"crn:///kafka={cluster_id}/topic={view.topic}/partition={view.partition}"
           f"/replica={broker}")
    return {
        "kind": "KafkaReplica",
        "metadata": {"self": url, "resource_name": crn},
        "cluster_id": cluster_id,
        "topic_name": view.topic,
        "partition_id": view.partition,
        "broker_id": broker,
        "is_leader": broker == view.leader,
        "is_in_sync": True,  # the only replica is always in sync
        "broker": related(f"{base}/brokers/{broker}"),
    }


def _config_json(cluster_id: str, base: str, broker: int, config: BrokerConfig) -> dict[str, Any]:
    url = f"{base}/brokers/{broker}/configs/{config.name}"
    crn = f"crn:///kafka={cluster_id}/broker={broker}/config={config.name}"
    return {
        "kind": "KafkaBrokerConfig",
        "metadata": {"self": url, "resource_name": crn},
        "cluster_id": cluster_id,
        "name": config.name,
        "value": config.value,
        "is_default": True,
        "is_read_only": config.is_read_only,
        "is_sensitive": False,
        "source": "DEFAULT_CONFIG",
        "synonyms": [{"name": config.name, "value": config.value, "source": "DEFAULT_CONFIG"}],
        "broker_id": broker,
    }


async def get_broker(request: Request) -> Response:
    proxy, base = await cluster_of(request)
    broker = _broker(proxy, request)
    return json_response(_broker_json(request, proxy.cluster_id, base, broker))


async def list_broker_configs(request: Request) -> Response:
    proxy, base = await cluster_of(request)
    broker = _broker(proxy, request)
    data = [_config_json(proxy.cluster_id, base, broker, c) for c in BROKER_CONFIGS]
    return json_response(listing("KafkaBrokerConfigList", f"{base}/brokers/{broker}/configs", data))


async def get_broker_config(request: Request) -> Response:
    proxy, base = await cluster_of(request)
    broker = _broker(proxy, request)
    name = request.path_params["name"]
    for config in BROKER_CONFIGS:
        if config.name == name:
            return json_response(_config_json(proxy.cluster_id, base, broker, config))
    raise ResourceNotFound()


async def list_all_broker_configs(request: Request) -> Response:
    proxy, base = await cluster_of(request)
    data = [
        _config_json(proxy.cluster_id, base, broker, config)
        for broker in proxy.metadata.brokers()
        for config in BROKER_CONFIGS
    ]
    return json_response(listing("KafkaBrokerConfigList", f"{base}/brokers/-/configs", data))


async def list_cluster_broker_configs(request: Request) -> Response:
    """Cluster-wide dynamic broker defaults: tote has none set."""
    _, base = await cluster_of(request)
    return json_response(listing("KafkaClusterConfigList", f"{base}/broker-configs", []))


async def list_broker_replicas(request: Request) -> Response:
    proxy, base = await cluster_of(request)
    broker = _broker(proxy, request)
    views = await call(proxy.metadata.topics)
    data = [
        _replica_json(proxy.cluster_id, base, partition, broker)
        for view in sorted(views, key=lambda v: v.name)
        for partition in view.partitions
        if broker in partition.replicas
    ]
    url = f"{base}/brokers/{broker}/partition-replicas"
    return json_response(listing("KafkaReplicaList", url, data))


async def _partition(request: Request, missing: str | None) -> tuple[str, str, PartitionView]:
    """kafka-rest's `PartitionManager.getPartition` rethrows any NotFoundException bare, so
    an unknown cluster is "HTTP 404 Not Found" here (and for the replicas under it)."""
    proxy, base = await cluster_of(request, None)
    topic, partition = request.path_params["topic"], request.path_params["partition"]
    view = await topic_view(proxy, topic, _NO_HOST.format(partition, topic))
    for found in view.partitions:
        if found.partition == partition:
            return proxy.cluster_id, base, found
    raise ResourceNotFound(
        missing.format(partition, topic, proxy.cluster_id) if missing else "HTTP 404 Not Found"
    )


# kafka-rest's PartitionManagerImpl.getPartition rewords Kafka's unknown-topic error so.
_NO_HOST = "This server does not host topic-partition {} for topic {}"
_NO_PARTITION = "Partition {} of topic {} could not be found on cluster {}."


async def get_partition(request: Request) -> Response:
    cluster_id, base, view = await _partition(request, None)
    return json_response(partition_json(cluster_id, base, view))


async def list_replicas(request: Request) -> Response:
    cluster_id, base, view = await _partition(request, _NO_PARTITION)
    data = [_replica_json(cluster_id, base, view, broker) for broker in view.replicas]
    url = f"{base}/topics/{view.topic}/partitions/{view.partition}/replicas"
    return json_response(listing("KafkaReplicaList", url, data))


async def get_replica(request: Request) -> Response:
    cluster_id, base, view = await _partition(request, _NO_PARTITION)
    broker = request.path_params["broker_id"]
    if broker not in view.replicas:
        raise ResourceNotFound()
    return json_response(_replica_json(cluster_id, base, view, broker))


async def search_acls(request: Request) -> Response:
    await cluster_of(request)
    raise SecurityDisabled(SecurityDisabled.DESCRIBE)


async def create_acl(request: Request) -> Response:
    await cluster_of(request)
    await json_body(request)  # a body that is not JSON is refused first, as kafka-rest does
    raise SecurityDisabled(SecurityDisabled.ALTER)


async def delete_acls(request: Request) -> Response:
    await cluster_of(request)
    raise SecurityDisabled(SecurityDisabled.ALTER)


async def list_brokers(request: Request) -> Response:
    proxy, base = await cluster_of(request)
    data = [_broker_json(request, proxy.cluster_id, base, broker)
            for broker in proxy.metadata.brokers()]
    return json_response(listing("KafkaBrokerList", f"{base}/brokers", data))


def broker_routes() -> list[Route]:
    return [
        Route(CLUSTER + "/brokers", list_brokers, methods=["GET"]),
        Route(CLUSTER + "/brokers/-/configs", list_all_broker_configs, methods=["GET"]),
        Route(BROKER, get_broker, methods=["GET"]),
        Route(BROKER + "/configs", list_broker_configs, methods=["GET"]),
        Route(BROKER + "/configs/{name}", get_broker_config, methods=["GET"]),
        Route(BROKER + "/partition-replicas", list_broker_replicas, methods=["GET"]),
        Route(CLUSTER + "/broker-configs", list_cluster_broker_configs, methods=["GET"]),
        Route(PARTITION, get_partition, methods=["GET"]),
        Route(PARTITION + "/replicas", list_replicas, methods=["GET"]),
        Route(PARTITION + "/replicas/{broker_id:int}", get_replica, methods=["GET"]),
        Route(CLUSTER + "/acls", search_acls, methods=["GET"]),
        Route(CLUSTER + "/acls", create_acl, methods=["POST"]),
        Route(CLUSTER + "/acls", delete_acls, methods=["DELETE"]),
    ]
