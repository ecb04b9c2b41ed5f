"""On the Kafka backend the Kafka-facing APIs name the broker's own cluster id, as
Confluent's do (ksqlDB's `/info`, Connect's `/`, the REST Proxy's v3 clusters); the
embedded logs are one cluster named `tote`."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from tests.connect.conftest import fast_settings

from tote.connect.store import InternalTopics
from tote.connect.worker import Worker
from tote.http.common import ServerThread
from tote.http.connect_api import create_connect_app
from tote.http.hyper import HyperServerThread
from tote.http.ksql_api import create_ksql_app
from tote.http.proxy_api import create_app
from tote.log.base import CLUSTER_ID
from tote.log.kafka import KafkaLog
from tote.log.memory import MemoryLog
from tote.proxy.service import RestProxy
from tote.registry import Registry
from tote.sql.server import KsqlServer

TANSU_CLUSTER_ID = "tansu_cluster"  # Tansu's `--cluster-id` default
WAIT = 30.0


@pytest.fixture
def kafka_log(kafka_bootstrap: str) -> Iterator[KafkaLog]:
    log = KafkaLog(kafka_bootstrap)
    yield log
    log.close()


def test_the_embedded_logs_are_the_cluster_tote() -> None:
    with MemoryLog() as log:
        assert log.cluster_id() == CLUSTER_ID == "tote"


@pytest.mark.kafka
def test_the_kafka_log_is_the_brokers_cluster(kafka_log: KafkaLog) -> None:
    assert kafka_log.cluster_id() == TANSU_CLUSTER_ID


@pytest.mark.kafka
def test_the_rest_proxy_v3_names_the_brokers_cluster(kafka_log: KafkaLog) -> None:
    with ServerThread(create_app(RestProxy(kafka_log))) as server, \
            httpx.Client(base_url=server.url, timeout=WAIT) as client:
        clusters = client.get("/v3/clusters").json()["data"]
        assert [c["cluster_id"] for c in clusters] == [TANSU_CLUSTER_ID]
        assert client.get(f"/v3/clusters/{TANSU_CLUSTER_ID}").status_code == 200
        assert client.get(f"/v3/clusters/{CLUSTER_ID}").status_code == 404


@pytest.mark.kafka
def test_connect_names_the_brokers_cluster(kafka_log: KafkaLog) -> None:
    run = uuid.uuid4().hex[:8]
    topics = InternalTopics(f"connect-configs-{run}", f"connect-status-{run}",
                            f"connect-offsets-{run}")
    worker = Worker(kafka_log, fast_settings(topics=topics))
    with ServerThread(create_connect_app(worker)) as server:
        root = httpx.get(server.url + "/", timeout=WAIT).json()
    assert root["kafka_cluster_id"] == TANSU_CLUSTER_ID


@pytest.mark.kafka
def test_ksqldb_names_the_brokers_cluster(kafka_log: KafkaLog) -> None:
    registry = Registry(kafka_log)
    server = KsqlServer(kafka_log, registry, properties={
        "ksql.service.id": f"cluster_id_{uuid.uuid4().hex[:8]}_"})
    try:
        with HyperServerThread(create_ksql_app(server, start=False)) as thread, \
                httpx.Client(base_url=thread.url, timeout=WAIT) as client:
            info = client.get("/info").json()["KsqlServerInfo"]
            assert info["kafkaClusterId"] == TANSU_CLUSTER_ID
    finally:
        registry.close()
