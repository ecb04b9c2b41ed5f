"""Media types, the seed's schema and payloads, and small HTTP helpers for the proxy tests."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx

V2 = "application/vnd.kafka.v2+json"
BINARY = "application/vnd.kafka.binary.v2+json"
JSON = "application/vnd.kafka.json.v2+json"
AVRO = "application/vnd.kafka.avro.v2+json"
JSONSCHEMA = "application/vnd.kafka.jsonschema.v2+json"
PROTOBUF = "application/vnd.kafka.protobuf.v2+json"

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "poc-kafka-sql-registry"
SEED_PAYLOADS = ("post_bets.payload.json", "post_bets_large.payload.json",
                 "post_bets_zero.payload.json")

# What ksqlDB registers for the seed's `CREATE STREAM tote_win_bets ... value_format='avro'`.
BET_SCHEMA = json.dumps({
    "type": "record", "name": "KsqlDataSourceSchema",
    "namespace": "io.confluent.ksql.avro_schemas",
    "fields": [
        {"name": "RUNNER_ID", "type": ["null", "int"], "default": None},
        {"name": "RACE_ID", "type": ["null", "int"], "default": None},
        {"name": "AMOUNT", "type": ["null", "double"], "default": None},
    ],
    "connect.name": "io.confluent.ksql.avro_schemas.KsqlDataSourceSchema",
})


def seed_payload(name: str) -> bytes:
    return (SEED / name).read_bytes()


def post(client: httpx.Client, path: str, body: Any, content_type: str = V2,
         **headers: str) -> httpx.Response:
    return client.post(path, content=json.dumps(body).encode(),
                       headers={"Content-Type": content_type, **headers})


def create_topic(client: httpx.Client, name: str, partitions: int = 1,
                 configs: dict[str, str] | None = None) -> None:
    body = {"topic_name": name, "partitions_count": partitions,
            "configs": [{"name": k, "value": v} for k, v in (configs or {}).items()]}
    # The cluster's id: `tote` on the embedded logs, the broker's own on Kafka.
    cluster = client.get("/v3/clusters").json()["data"][0]["cluster_id"]
    response = client.post(f"/v3/clusters/{cluster}/topics", json=body)
    assert response.status_code == 201, response.text


def error(response: httpx.Response) -> tuple[int, int, str]:
    """(HTTP status, error_code, message) of an error answer."""
    body = response.json()
    assert set(body) == {"error_code", "message"}, body
    return response.status_code, body["error_code"], body["message"]


def new_consumer(client: httpx.Client, group: str, name: str, fmt: str = "binary",
                 **config: Any) -> str:
    """Create an instance reading from the beginning; return its base URI."""
    body = {"name": name, "format": fmt, "auto.offset.reset": "earliest", **config}
    response = post(client, f"/consumers/{group}", body)
    assert response.status_code == 200, response.text
    base_uri: str = response.json()["base_uri"]
    return base_uri


def read_until(client: httpx.Client, base_uri: str, accept: str, count: int,
               timeout: float = 60.0) -> list[dict[str, Any]]:
    """GET records until `count` arrived (the group may need a poll or two to assign)."""
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < count:
        assert time.monotonic() < deadline, f"only {len(got)} of {count} records: {got}"
        response = client.get(f"{base_uri}/records", headers={"Accept": accept})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == accept
        got.extend(response.json())
    assert len(got) == count, got
    return got


def register(registry_url: str, subject: str, schema: str) -> int:
    """Register `schema` under `subject` through the registry API; return its id."""
    response = httpx.post(f"{registry_url}/subjects/{subject}/versions",
                          json={"schema": schema}, timeout=120)
    assert response.status_code == 200, response.text
    schema_id: int = response.json()["id"]
    return schema_id


def registry_get(registry_url: str, path: str) -> Any:
    response = httpx.get(f"{registry_url}{path}", timeout=120)
    assert response.status_code == 200, response.text
    return response.json()
