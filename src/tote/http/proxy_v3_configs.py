"""REST Proxy v3 topic configs: list (one topic, or every topic's under `topics/-`), get,
update and reset one, and alter a batch (of one topic, or of several under `topics/-`), in
kafka-rest's shapes and status codes.

Reads answer `KafkaTopicConfig` resources (one, or in a `KafkaTopicConfigList`); writes
answer 204 with no body (`TopicConfigsResource`, `AlterTopicConfigBatchAction`,
`ListAllTopicsConfigsAction`, `AlterMultipleTopicsConfigsBatchAction`, which answers 207
with the topics that failed).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tote.http.common import json_response
from tote.http.proxy_support import call, json_body, no_content
from tote.http.proxy_v3 import CLUSTER, cluster_of, listing
from tote.proxy import bodies
from tote.proxy.topic_configs import ConfigChange, TopicConfig, TopicConfigs


def _config_json(cluster_id: str, base: str, config: TopicConfig) -> dict[str, Any]:
    entry = config.entry
    return {
        "kind": "KafkaTopicConfig",
        "metadata": {
            "self": f"{base}/topics/{config.topic}/configs/{config.name}",
            "resource_name": (
                f"crn:///kafka={cluster_id}/topic={config.topic}/config={config.name}"
            ),
        },
        "cluster_id": cluster_id,
        "topic_name": config.topic,
        "name": entry.name,
        "value": entry.value,
        "is_default": entry.is_default,
        "is_read_only": entry.is_read_only,
        "is_sensitive": entry.is_sensitive,
        "source": entry.source,
        "synonyms": [
            {"name": synonym.name, "value": synonym.value, "source": synonym.source}
            for synonym in entry.synonyms
        ],
    }


async def _configs(request: Request) -> tuple[TopicConfigs, str, str]:
    proxy, base = await cluster_of(request)
    return TopicConfigs(proxy.log, proxy.cluster_id), proxy.cluster_id, base


async def list_topic_configs(request: Request) -> Response:
    configs, cluster_id, base = await _configs(request)
    topic = request.path_params["topic"]
    found = await call(configs.of_topic, topic)
    data = [_config_json(cluster_id, base, config) for config in found]
    return json_response(listing("KafkaTopicConfigList", f"{base}/topics/{topic}/configs", data))


async def list_all_topic_configs(request: Request) -> Response:
    configs, cluster_id, base = await _configs(request)
    found = await call(configs.list_all)
    data = [_config_json(cluster_id, base, config) for config in found]
    return json_response(listing("KafkaTopicConfigList", f"{base}/topics/-/configs", data))


async def get_topic_config(request: Request) -> Response:
    configs, cluster_id, base = await _configs(request)
    found = await call(configs.get, request.path_params["topic"], request.path_params["name"])
    return json_response(_config_json(cluster_id, base, found))


async def update_topic_config(request: Request) -> Response:
    configs, _, _ = await _configs(request)
    value = bodies.update_config(await json_body(request))
    change = ConfigChange(request.path_params["name"], value)
    await call(lambda: configs.alter(request.path_params["topic"], [change], single=True))
    return no_content()


async def reset_topic_config(request: Request) -> Response:
    configs, _, _ = await _configs(request)
    change = ConfigChange(request.path_params["name"], None, delete=True)
    await call(lambda: configs.alter(request.path_params["topic"], [change], single=True))
    return no_content()


async def alter_topic_configs(request: Request) -> Response:
    configs, _, _ = await _configs(request)
    changes, validate_only = bodies.alter_configs(await json_body(request))
    topic = request.path_params["topic"]
    await call(lambda: configs.alter(topic, changes, validate_only=validate_only))
    return no_content()


async def alter_many_topics_configs(request: Request) -> Response:
    """kafka-rest's `AlterMultipleTopicsConfigsBatchAction`: 204 when every topic took its
    changes, else 207 naming the topics that did not (the others keep theirs). The body is
    read before the cluster is checked, and an unknown cluster is a bare 404 here."""
    changes, validate_only = bodies.alter_topics_configs(await json_body(request))
    proxy, _ = await cluster_of(request, None)
    configs = TopicConfigs(proxy.log, proxy.cluster_id)
    failures = await call(lambda: configs.alter_many(changes, validate_only=validate_only))
    if not failures:
        return no_content()
    entries = [{"topic_name": topic, "error_code": error.error_code, "message": error.message}
               for topic, error in failures]
    return json_response({"failures": entries}, status_code=207)


def config_routes() -> list[Route]:
    """Before `v3_routes`: `topics/-/configs` would otherwise be topic "-"'s configs."""
    configs = CLUSTER + "/topics/{topic}/configs"
    return [
        Route(CLUSTER + "/topics/-/configs", list_all_topic_configs, methods=["GET"]),
        Route(CLUSTER + "/topics/-/configs:alter", alter_many_topics_configs, methods=["POST"]),
        Route(configs, list_topic_configs, methods=["GET"]),
        Route(configs + ":alter", alter_topic_configs, methods=["POST"]),
        Route(configs + "/{name}", get_topic_config, methods=["GET"]),
        Route(configs + "/{name}", update_topic_config, methods=["PUT"]),
        Route(configs + "/{name}", reset_topic_config, methods=["DELETE"]),
    ]
