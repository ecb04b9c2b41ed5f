"""The stack the UI tests run against: every service's real app on its own free port.

One sqlite log shared by the Schema Registry, the REST Proxy, the ksqlDB server, a
Connect worker (JDBC sink into a PostgreSQL database of the test's own) and the UI, each
served by uvicorn on a background thread. `build()` runs the seed's statements and posts
its connector, as `tote build` does; `post_bets()` posts a payload as `tote play` does.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tote.connect.worker import Worker, WorkerSettings
from tote.core.config import Config
from tote.http.common import ServerThread, free_port
from tote.http.connect_api import create_connect_app
from tote.http.ksql_api import create_ksql_app
from tote.http.proxy_api import create_app as create_proxy_app
from tote.http.registry_api import create_registry_app
from tote.log.base import Log
from tote.log.open import open_log
from tote.proxy.schema_source import RegistrySchemaSource
from tote.proxy.service import RestProxy
from tote.registry import Registry
from tote.sql.server import KsqlServer
from tote.ui.app import create_ui_app
from tote.ui.settings import ui_settings

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "poc-kafka-sql-registry"
AVRO = "application/vnd.kafka.avro.v2+json"
WAIT_S = 120.0


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")
        time.sleep(0.1)


@dataclass
class Stack:
    log: Log
    registry: str
    proxy: str
    ksqldb: str
    connect: str
    ui: str
    db_name: str
    db_url: str

    def build(self) -> None:
        """The seed's statements, one per request, then its JDBC sink connector."""
        text = (SEED / "statements.sql").read_text()
        for statement in text.split(";"):
            lines = [ln for ln in statement.splitlines() if not ln.strip().startswith("--")]
            body = "\n".join(lines).strip()
            if not body or body.upper().startswith("SET "):
                continue
            response = httpx.post(self.ksqldb + "/ksql", timeout=120, json={
                "ksql": body + ";",
                "streamsProperties": {"ksql.streams.auto.offset.reset": "earliest"}})
            assert response.status_code == 200, response.text
        connector = json.loads((SEED / "connect-jdbc-sink.json").read_text())
        config = connector["config"]
        config["connection.url"] = f"jdbc:postgresql://db:5432/{self.db_name}"
        response = httpx.post(self.connect + "/connectors", json=connector, timeout=120)
        assert response.status_code == 201, response.text

    def post_bets(self, payload: dict[str, Any] | str) -> None:
        body = (SEED / payload).read_bytes() if isinstance(payload, str) else \
            json.dumps(payload).encode()
        response = httpx.post(self.proxy + "/topics/tote_win_bets", content=body,
                              headers={"Content-Type": AVRO}, timeout=60)
        assert response.status_code == 200, response.text


def bets(race: int, *amounts: tuple[int, float]) -> dict[str, Any]:
    """A REST Proxy payload of WIN bets on `race`: (runner, amount) pairs, schema id 1."""
    return {"value_schema_id": 1, "records": [
        {"value": {"RUNNER_ID": {"int": runner}, "RACE_ID": {"int": race},
                   "AMOUNT": {"double": amount}}} for runner, amount in amounts]}


@contextlib.contextmanager
def running_stack(home: Path, db_host: str, db_port: int, db_name: str) -> Iterator[Stack]:
    """Every service on a free port over one sqlite log in `home`."""
    log = open_log(Config(home=home, backend="sqlite"))
    registry = Registry(log)
    registry.start()
    registry_server = ServerThread(create_registry_app(Registry(log))).start()
    registry_host = registry_server.url.removeprefix("http://")
    aliases = {"db": f"{db_host}:{db_port}", "schema-registry": registry_host}
    connect_port = free_port()
    worker = Worker(log, WorkerSettings(
        worker_id=f"127.0.0.1:{connect_port}", url=f"http://127.0.0.1:{connect_port}",
        host_aliases=aliases, heartbeat_ms=1000, topic_refresh_s=0.5))
    servers = [registry_server]
    try:
        proxy = ServerThread(create_proxy_app(RestProxy(log, RegistrySchemaSource(registry))))
        servers.append(proxy.start())
        ksqldb = ServerThread(create_ksql_app(KsqlServer(log, registry)))
        servers.append(ksqldb.start())
        connect = ServerThread(create_connect_app(worker), port=connect_port)
        servers.append(connect.start())
        db_url = f"postgresql://postgres:example@{db_host}:{db_port}/{db_name}"
        settings = ui_settings(
            Config(), aliases, registry_url=registry_server.url, ksqldb_url=ksqldb.url,
            connect_url=connect.url, proxy_url=proxy.url, db_url=db_url)
        ui = ServerThread(create_ui_app(settings, log))
        servers.append(ui.start())
        yield Stack(log, registry_server.url, proxy.url, ksqldb.url, connect.url, ui.url,
                    db_name, db_url)
    finally:
        for server in reversed(servers):
            server.stop()
        registry.close()
        log.close()
