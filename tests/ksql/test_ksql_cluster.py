"""ksqlDB's introspection routes: /is_valid_property (the CLI's check before it keeps a
SET), /v1/metadata[/id] (cluster ids for Confluent tooling) and /clusterStatus (this server,
alive, with the work it runs), each on a real server over HTTP."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest

from tote.http.common import ServerThread
from tote.http.ksql_api import create_ksql_app
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.server import KsqlServer

ROUTES = ("/is_valid_property/auto.offset.reset", "/v1/metadata", "/v1/metadata/id",
          "/clusterStatus")
DENIED = ("One or more properties overrides set locally are prohibited by the KSQL server "
          "denylist (use UNSET to reset their default value): [{}]")


def _error(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"@type": "generic_error", "error_code": 40000,
                               "message": message, "stackTrace": []}


@pytest.mark.parametrize(("name", "value"), [
    ("auto.offset.reset", "earliest"), ("ksql.streams.auto.offset.reset", "earliest"),
    ("ksql.query.pull.table.scan.enabled", "true"), ("processing.guarantee", "at_least_once"),
    ("consumer.max.poll.records", "5"), ("commit.interval.ms", "100")])
def test_a_settable_property_is_valid(ksql, name: str, value: str) -> None:
    response = ksql.client.get(f"/is_valid_property/{name}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() is True
    # The same name is taken as a request's override, as the CLI sends it after SET.
    listed = ksql.post("SHOW STREAMS;", streamsProperties={name: value})
    assert listed.status_code == 200, listed.text


@pytest.mark.parametrize("name", ["foo.bar", "nope", "KSQL.SERVICE.ID", "ksql.foo",
                                  "main.consumer.max.poll.records"])
def test_an_unknown_property_is_not_recognizable(ksql, name: str) -> None:
    message = f"Not recognizable as ksql, streams, consumer, or producer property: '{name}'"
    _error(ksql.client.get(f"/is_valid_property/{name}"), message)
    # ... which is what /ksql refuses in streamsProperties (ksqlDB's uncaught 500 there).
    rejected = ksql.post("SHOW STREAMS;", streamsProperties={name: "x"})
    assert rejected.status_code == 500
    assert rejected.json()["message"] == message


def test_the_service_id_cannot_be_set(ksql) -> None:
    _error(ksql.client.get("/is_valid_property/ksql.service.id"),
           DENIED.format("ksql.service.id"))


def test_the_server_denylist_is_honoured() -> None:
    log = MemoryLog()
    with Registry(log) as registry:
        server = KsqlServer(log, registry, properties={
            "ksql.properties.overrides.denylist": "ksql.streams.num.stream.threads, "
                                                  "auto.offset.reset"})
        server.start(background=False)
        with ServerThread(create_ksql_app(server, start=False)) as thread:
            for name in ("ksql.streams.num.stream.threads", "auto.offset.reset"):
                _error(httpx.get(f"{thread.url}/is_valid_property/{name}"), DENIED.format(name))
            allowed = httpx.get(f"{thread.url}/is_valid_property/ksql.streams.commit.interval.ms")
            assert allowed.json() is True


def test_metadata_names_the_kafka_and_ksql_clusters(ksql) -> None:
    info = ksql.client.get("/info").json()["KsqlServerInfo"]
    cluster_id = {"id": "", "scope": {"path": [], "clusters": {
        "kafka-cluster": info["kafkaClusterId"], "ksql-cluster": info["ksqlServiceId"]}}}
    assert cluster_id["scope"]["clusters"] == {"kafka-cluster": "tote",
                                               "ksql-cluster": "default_"}
    response = ksql.client.get("/v1/metadata")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {"version": info["version"], "clusterId": cluster_id}
    only_id = ksql.client.get("/v1/metadata/id")
    assert only_id.status_code == 200, only_id.text
    assert only_id.json() == cluster_id


def test_cluster_status_lists_this_server_alive(ksql) -> None:
    response = ksql.client.get("/clusterStatus")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    hosts = response.json()["clusterStatus"]
    assert list(hosts) == [urlsplit(ksql.url).netloc]
    status = hosts[urlsplit(ksql.url).netloc]
    assert status["hostAlive"] is True
    assert isinstance(status["lastStatusUpdateMs"], int) and status["lastStatusUpdateMs"] > 0
    assert status["activeStandbyPerQuery"] == {}
    assert status["hostStoreLags"] == {"stateStoreLags": {}, "updateTimeMs": 0}


def test_cluster_status_shows_the_queries_tasks(ksql) -> None:
    for sql in ("CREATE STREAM s (id INT KEY, v INT) WITH (kafka_topic='s', "
                "value_format='JSON', partitions=2);",
                "CREATE STREAM copied AS SELECT * FROM s;",
                "CREATE TABLE counts AS SELECT id, COUNT(*) AS n FROM s GROUP BY id;"):
        assert ksql.post(sql).status_code == 200
    listed = ksql.post("SHOW QUERIES;").json()[0]["queries"]
    queries = {q["id"]: q["sinks"][0] for q in listed}
    (status,) = ksql.client.get("/clusterStatus").json()["clusterStatus"].values()
    per_query = status["activeStandbyPerQuery"]
    assert set(per_query) == set(queries)
    by_sink = {queries[q]: v for q, v in per_query.items()}
    source = [{"topic": "s", "partition": 0}, {"topic": "s", "partition": 1}]
    assert by_sink["COPIED"] == {"activeStores": [], "activePartitions": source,
                                 "standByStores": [], "standByPartitions": []}
    assert by_sink["COUNTS"] == {"activeStores": ["Aggregate-Aggregate-Materialize"],
                                 "activePartitions": source,
                                 "standByStores": [], "standByPartitions": []}


@pytest.mark.parametrize("path", ROUTES)
def test_routes_answer_503_until_replayed_and_406_for_other_media(path: str) -> None:
    log = MemoryLog()
    with Registry(log) as registry:
        server = KsqlServer(log, registry)
        with ServerThread(create_ksql_app(server, start=False)) as thread:
            early = httpx.get(thread.url + path)
            assert early.status_code == 503
            assert early.json()["error_code"] == 50302
            server.start(background=False)
            ksql_type = httpx.get(thread.url + path,
                                  headers={"Accept": "application/vnd.ksql.v1+json"})
            assert ksql_type.status_code == 200, ksql_type.text
            assert ksql_type.headers["content-type"] == "application/vnd.ksql.v1+json"
            refused = httpx.get(thread.url + path, headers={"Accept": "text/plain"})
            assert refused.status_code == 406
            assert httpx.post(thread.url + path).content == b"Not Found"


@pytest.mark.parametrize("path", ["/heartbeat", "/lag"])
def test_node_to_node_routes_stay_unserved(ksql, path: str) -> None:
    """ksqlDB serves these only with `ksql.heartbeat.enable` / `ksql.lag.reporting.enable`
    (off by default: 404); tote has no heartbeat or lag agent to feed."""
    response = ksql.client.post(path, json={})
    assert response.status_code == 404
    assert response.content == b"Not Found"
