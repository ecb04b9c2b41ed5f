"""The Kafka Connect REST API (port 8083) over a `Worker` and its `Herder`.

Thin: parse the request, call the herder, answer with Connect's status codes (201 with a
`Location` for a new connector, 202 for asynchronous state changes, 204 for empty
answers). Errors are `{"error_code": <HTTP status>, "message": ...}`, rendered by the
shared handler. The lifespan starts the worker (which replays the internal topics) before
the first request is served, and stops it, and its tasks, on shutdown.

    app = create_connect_app(Worker(log, settings))
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tote.connect import offsets_admin
from tote.connect.errors import BadRequest, ConnectRestError
from tote.connect.herder import Herder
from tote.connect.plugins import plugin_list
from tote.connect.validation import normalize_config, plugin_config, validate
from tote.connect.worker import Worker
from tote.http.common import install_error_handlers, json_response, parse_json

VERSION = "7.8.0-ccs"  # Confluent Platform 7.8 ships Kafka 3.8 (plugins.KAFKA_VERSION)
COMMIT = "tote"


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "false").strip().lower() == "true"


async def _json(request: Request) -> Any:
    body = await request.body()
    if not body.strip():
        raise BadRequest("Request body is empty")
    try:
        return parse_json(body)
    except ValueError as exc:
        raise BadRequest(f"Request body is not valid JSON: {exc}") from None


def _string(body: dict[str, Any], field: str) -> str | None:
    """A string field of a request body as Jackson binds it: numbers and booleans become
    their text, objects and arrays are refused."""
    value = body.get(field)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        kind = "Object" if isinstance(value, dict) else "Array"
        raise BadRequest(f"Cannot deserialize value of type `java.lang.String` from {kind} "
                         f"value for field {field}")
    return json.dumps(value)


def _task(request: Request) -> int:
    raw = request.path_params["task"]
    if not raw.isdigit():
        raise ConnectRestError("HTTP 404 Not Found", 404)
    return int(raw)


def create_connect_app(worker: Worker) -> Starlette:
    """An ASGI app serving the worker's REST API; its lifespan starts and closes the worker."""
    herder = Herder(worker)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await run_in_threadpool(worker.start)
        try:
            yield
        finally:
            await run_in_threadpool(worker.close)

    async def call(fn: Callable[..., Any], *args: Any) -> Any:
        return await run_in_threadpool(fn, *args)

    async def root(request: Request) -> Response:
        return json_response({"version": VERSION, "commit": COMMIT,
                              "kafka_cluster_id": await call(worker.log.cluster_id)})

    async def connectors(request: Request) -> Response:
        if request.method == "POST":
            body = await _json(request)
            if not isinstance(body, dict):
                raise BadRequest("Request body must be a JSON object with name and config")
            config = normalize_config(body.get("config"))
            info = await call(herder.create, _string(body, "name"), config,
                              _string(body, "initial_state"))
            return json_response(info, status_code=201,
                                 headers={"Location": f"/connectors/{quote(info['name'])}"})
        expand = request.query_params.getlist("expand")
        if "expand" in request.query_params:
            return json_response(await call(herder.expanded, expand))
        return json_response(await call(herder.connectors))

    async def connector(request: Request) -> Response:
        name = request.path_params["name"]
        if request.method == "DELETE":
            await call(herder.delete, name)
            return Response(status_code=204)
        return json_response(await call(herder.info, name))

    async def config(request: Request) -> Response:
        name = request.path_params["name"]
        if request.method == "GET":
            return json_response(await call(herder.config, name))
        body = normalize_config(await _json(request))
        if request.method == "PATCH":
            return json_response(await call(herder.patch_config, name, body))
        created, info = await call(herder.put_config, name, body)
        if created:
            return json_response(info, status_code=201,
                                 headers={"Location": f"/connectors/{quote(name)}"})
        return json_response(info)

    async def status(request: Request) -> Response:
        return json_response(await call(herder.status, request.path_params["name"]))

    async def restart(request: Request) -> Response:
        plan = await call(herder.restart, request.path_params["name"],
                          _flag(request, "includeTasks"), _flag(request, "onlyFailed"))
        if plan is None:
            return Response(status_code=204)
        return json_response(plan, status_code=202)

    def state_change(action: Callable[[str], None]) -> Callable[[Request], Any]:
        async def handler(request: Request) -> Response:
            await call(action, request.path_params["name"])
            return Response(status_code=202)
        return handler

    async def tasks(request: Request) -> Response:
        return json_response(await call(herder.tasks, request.path_params["name"]))

    async def task_status(request: Request) -> Response:
        return json_response(await call(herder.task_status, request.path_params["name"],
                                        _task(request)))

    async def task_restart(request: Request) -> Response:
        await call(herder.restart_task, request.path_params["name"], _task(request))
        return Response(status_code=204)

    async def topics(request: Request) -> Response:
        return json_response(await call(herder.topics, request.path_params["name"]))

    async def offsets(request: Request) -> Response:
        name = request.path_params["name"]
        if request.method == "GET":
            return json_response(await call(offsets_admin.get_offsets, herder, name))
        if request.method == "DELETE":
            return json_response(await call(offsets_admin.reset_offsets, herder, name))
        body = await _json(request)
        return json_response(await call(offsets_admin.alter_offsets, herder, name, body))

    async def plugins(request: Request) -> Response:
        only = request.query_params.get("connectorsOnly", "true").strip().lower() != "false"
        return json_response(plugin_list(only))

    async def plugin_definition(request: Request) -> Response:
        return json_response(await call(plugin_config, request.path_params["plugin"]))

    async def plugin_validate(request: Request) -> Response:
        plugin = request.path_params["plugin"]
        props = normalize_config(await _json(request))
        included = props.get("connector.class")
        if included is None:
            props["connector.class"] = plugin
        elif not included.rpartition(".")[2].startswith(plugin.rpartition(".")[2]) \
                and not plugin.endswith(included.rpartition(".")[2]):
            raise BadRequest(f"Included connector type {included} does not match request "
                             f"type {plugin}")
        body, _, _ = await call(validate, props, worker.settings.props)
        return json_response(body)

    base = "/connectors/{name}"
    routes = [
        Route("/", root, methods=["GET"]),
        Route("/connectors", connectors, methods=["GET", "POST"]),
        Route(base, connector, methods=["GET", "DELETE"]),
        Route(base + "/config", config, methods=["GET", "PUT", "PATCH"]),
        Route(base + "/status", status, methods=["GET"]),
        Route(base + "/restart", restart, methods=["POST"]),
        Route(base + "/pause", state_change(herder.pause), methods=["PUT"]),
        Route(base + "/resume", state_change(herder.resume), methods=["PUT"]),
        Route(base + "/stop", state_change(herder.stop), methods=["PUT"]),
        Route(base + "/tasks", tasks, methods=["GET"]),
        Route(base + "/tasks/{task}/status", task_status, methods=["GET"]),
        Route(base + "/tasks/{task}/restart", task_restart, methods=["POST"]),
        Route(base + "/topics", topics, methods=["GET"]),
        Route(base + "/topics/reset", state_change(herder.reset_topics), methods=["PUT"]),
        Route(base + "/offsets", offsets, methods=["GET", "PATCH", "DELETE"]),
        Route("/connector-plugins", plugins, methods=["GET"]),
        Route("/connector-plugins/{plugin}/config", plugin_definition, methods=["GET"]),
        Route("/connector-plugins/{plugin}/config/validate", plugin_validate,
              methods=["PUT"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    install_error_handlers(app)
    return app
