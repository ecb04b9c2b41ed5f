"""ksqlDB's server-introspection endpoints beside /info: what clients and tooling ask a
server about itself rather than about its streams.

    Route("/is_valid_property/{property}", is_valid_property(server))
    Route("/v1/metadata", metadata(server)), Route("/v1/metadata/id", metadata_id(server))
    Route("/clusterStatus", cluster_status(server))

The ksqlDB CLI asks `/is_valid_property` before it keeps a `SET`, so it answers by the
rule SET and request properties follow (`tote.sql.properties`): a recognised name, not
refused by the server's override policy (the deny list always holds `ksql.service.id`).
`/v1/metadata[/id]` name the Kafka and ksqlDB clusters as Confluent tooling expects.
`/clusterStatus` is what ksqlDB answers with heartbeats on, for the one host whose view
it is: this server, alive since its app was made, with the partitions and state stores of
the persistent-query tasks it runs here (all of them, or its share when servers split the
work through consumer groups); no standbys and no lag reports (tote has neither). Like
every ksqlDB route behind the server-state handler, each answers 503 until the command
topic is replayed, and 406 when `Accept` allows neither ksqlDB's media type nor JSON.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any
from weakref import WeakKeyDictionary

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from tote.core.errors import BadRequest
from tote.http.common import dumps
from tote.http.ksql_streams import ksql_media
from tote.sql.properties import PropertyNotFound, PropertyRejected, check_name
from tote.sql.server import VERSION, KsqlServer

Endpoint = Callable[[Request], Awaitable[Response]]



def _media(request: Request) -> str:
    """What ksqlDB's router checks before the handler runs: ready (else 503), and an
    `Accept` its route produces (else 406); the answer's media type."""
    media = ksql_media(request.headers.get("accept"))
    if media is None:
        raise HTTPException(406, "Not Acceptable")
    return media


def _routed(server: KsqlServer, answer: Callable[[Request], Awaitable[Any]]) -> Endpoint:
    async def handle(request: Request) -> Response:
        server.check_ready()
        media = _media(request)
        return Response(dumps(await answer(request)), media_type=media)

    return handle


def is_valid_property(server: KsqlServer) -> Endpoint:
    """`GET /is_valid_property/{property}`: `true`, or a 400 generic error naming why the
    property cannot be set (not a recognised property, or refused by the server's policy),
    by the rule SET and request properties follow (`tote.sql.properties`)."""

    async def answer(request: Request) -> bool:
        try:
            check_name(request.path_params["property"], server.engine.config.server)
        except (PropertyNotFound, PropertyRejected) as exc:
            raise BadRequest(exc.message) from None
        return True

    return _routed(server, answer)


_CLUSTER_IDS: WeakKeyDictionary[KsqlServer, str] = WeakKeyDictionary()


async def kafka_cluster_id(server: KsqlServer) -> str:
    """The id of the Kafka cluster the server's log is (`kafkaClusterId` in /info). Asked
    lazily, in a worker thread, the first time (on Kafka that is a broker request, and a
    server must start while its broker is down); then answered from what the log said."""
    known = _CLUSTER_IDS.get(server)
    if known is None:
        known = _CLUSTER_IDS[server] = await run_in_threadpool(server.engine.log.cluster_id)
    return known


async def _cluster_id(server: KsqlServer) -> dict[str, Any]:
    return {"id": "", "scope": {"path": [], "clusters": {
        "kafka-cluster": await kafka_cluster_id(server),
        "ksql-cluster": server.engine.service_id}}}


def metadata(server: KsqlServer) -> Endpoint:
    """`GET /v1/metadata`: the server's version and its cluster ids."""

    async def answer(request: Request) -> dict[str, Any]:
        return {"version": VERSION, "clusterId": await _cluster_id(server)}

    return _routed(server, answer)


def metadata_id(server: KsqlServer) -> Endpoint:
    """`GET /v1/metadata/id`: the Kafka and ksqlDB cluster ids alone."""

    async def answer(request: Request) -> dict[str, Any]:
        return await _cluster_id(server)

    return _routed(server, answer)


def _host(server: KsqlServer, request: Request) -> str:
    """This server as ksqlDB names hosts (`host:port`): its identity among the servers
    sharing the queries when it has one, else the address the request reached."""
    membership = server.engine.runtime.membership
    if membership is not None:
        return membership.instance_id
    address = request.scope.get("server")
    if address and address[1] is not None:
        return f"{address[0]}:{address[1]}"
    return request.headers.get("host", "localhost")


def _active_per_query(server: KsqlServer) -> dict[str, dict[str, Any]]:
    """Per persistent query with tasks here: its state stores and the input partitions
    (source and repartition topics) of those tasks; nothing is a standby."""
    engine = server.engine
    with engine.lock:
        persistent = set(engine.metastore.queries)
        queries = {q.query_id: q for q in engine.runtime.queries.values()
                   if q.query_id in persistent}
        running = [(t.query_id, t.inputs) for t in engine.runtime.tasks()]
    partitions: dict[str, set[tuple[str, int]]] = {}
    for query_id, inputs in running:
        partitions.setdefault(query_id, set()).update((tp.topic, tp.partition) for tp in inputs)
    out: dict[str, dict[str, Any]] = {}
    for query_id in sorted(partitions):
        plan = queries[query_id].plan if query_id in queries else None
        if plan is None:
            continue
        prefix = plan.app_id + "-"
        out[query_id] = {
            "activeStores": sorted(s.removeprefix(prefix) for s in plan.stores),
            "activePartitions": [{"topic": t, "partition": p}
                                 for t, p in sorted(partitions[query_id])],
            "standByStores": [], "standByPartitions": []}
    return out


def cluster_status(server: KsqlServer) -> Endpoint:
    """`GET /clusterStatus`: this server, alive, with the work it runs."""
    since_ms = int(time.time() * 1000)

    async def answer(request: Request) -> dict[str, Any]:
        active = await run_in_threadpool(_active_per_query, server)
        return {"clusterStatus": {_host(server, request): {
            "hostAlive": True, "lastStatusUpdateMs": since_ms,
            "activeStandbyPerQuery": active,
            "hostStoreLags": {"stateStoreLags": {}, "updateTimeMs": 0}}}}

    return _routed(server, answer)
