"""A ksqlDB server (`tote.http.ksql_api` over a `KsqlServer`) on a free port, per test."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tote.core.records import Record
from tote.http.hyper import HyperServerThread
from tote.http.ksql_api import create_ksql_app
from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.avro_json import from_avro_json
from tote.sql.script import split_statements
from tote.sql.server import KsqlServer

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "poc-kafka-sql-registry"
WAIT = 60.0


@dataclass
class Ksql:
    url: str
    log: Log
    registry: Registry
    server: KsqlServer
    client: httpx.Client

    def post(self, sql: str, **extra: Any) -> httpx.Response:
        return self.client.post("/ksql", json={"ksql": sql, **extra})

    def build_seed(self) -> None:
        """What the seed's `make build` does: each statement of statements.sql posted to
        /ksql in its own request."""
        for piece in split_statements((SEED / "statements.sql").read_text()):
            response = self.post(piece.text)
            assert response.status_code == 200, response.text

    def post_bets(self, payload: str) -> None:
        """What the REST proxy does with the seed's Avro payload: frame with schema id 1."""
        body = json.loads((SEED / payload).read_text())
        schema_id = body["value_schema_id"]
        codec = AvroCodec(self.registry.get_schema(schema_id).schema)
        self.log.append("tote_win_bets", [
            Record(codec.encode_framed(schema_id, from_avro_json(codec.schema, r["value"])))
            for r in body["records"]])

    def wait_idle(self) -> None:
        """Until the persistent queries have consumed everything on their inputs."""
        engine = self.server.engine
        deadline = time.monotonic() + WAIT
        pause = threading.Event()
        while time.monotonic() < deadline:
            with engine.lock:
                positions = engine.runtime.positions()
                behind = [tp for tp, pos in positions.items()
                          if pos < self.log.describe_topic(tp.topic).partitions[
                              tp.partition].end_offset]
            if not behind:
                return
            pause.wait(0.02)
        raise AssertionError("queries did not catch up")


def wait_ready(client: httpx.Client) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        info = client.get("/info").json()["KsqlServerInfo"]
        if info["serverStatus"] == "RUNNING":
            return
        time.sleep(0.02)
    raise AssertionError("server did not become ready")


@contextmanager
def serving(properties: dict[str, object] | None = None) -> Iterator[Ksql]:
    """A ksqlDB server with these server properties over a memory log, ready."""
    log = MemoryLog()
    registry = Registry(log)
    registry.start()
    server = KsqlServer(log, registry, properties=properties)
    with HyperServerThread(create_ksql_app(server)) as thread, \
            httpx.Client(base_url=thread.url, timeout=WAIT) as client:
        wait_ready(client)
        yield Ksql(thread.url, log, registry, server, client)
    registry.close()
    log.close()


@pytest.fixture
def ksql() -> Iterator[Ksql]:
    with serving() as running:
        yield running
