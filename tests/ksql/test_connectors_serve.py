"""`tote serve ksqldb` finds the stack's Connect as `tote up` starts it: every service gets
`TOTE_CONNECT_PORT` (supervisor.service_env), and ksqlDB's `ksql.connect.url` defaults to
that port on this host. Real `tote serve` processes on one SQLite log."""

from __future__ import annotations

from pathlib import Path

import httpx
from tests.service_process import clean_env, start_service

from tote.core.listen import free_port

JDBC_SINK = "io.confluent.connect.jdbc.JdbcSinkConnector"


def test_ksqldb_uses_the_stacks_connect(tmp_path: Path) -> None:
    home = tmp_path / "home"
    connect_port = free_port()
    env = clean_env(home, TOTE_CONNECT_PORT=str(connect_port))
    connect = start_service("connect", home, "/", port=connect_port, env=env)
    try:
        ksqldb = start_service("ksqldb", home, "/healthcheck", env=env)
        try:
            sql = (f"CREATE SINK CONNECTOR s WITH ('connector.class'='{JDBC_SINK}', "
                   f"'topics'='t', 'connection.url'='jdbc:sqlite:{tmp_path / 'sink.db'}');")
            created = httpx.post(ksqldb.url + "/ksql", json={"ksql": sql}, timeout=60)
            assert created.status_code == 200, created.text
            assert created.json()[0]["@type"] == "connector_info"
            assert httpx.get(connect.url + "/connectors", timeout=60).json() == ["S"]
            listed = httpx.post(ksqldb.url + "/ksql", json={"ksql": "SHOW PROPERTIES;"},
                                timeout=60).json()[0]["properties"]
            assert {"name": "ksql.connect.url", "value": f"http://127.0.0.1:{connect_port}"} \
                in [{"name": p["name"], "value": p["value"]} for p in listed]
        finally:
            ksqldb.stop()
    finally:
        connect.stop()
