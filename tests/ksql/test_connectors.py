"""ksqlDB's connector statements against a real Connect: tote's Connect REST service and
its JDBC sink into SQLite, behind a ksqlDB server whose `ksql.connect.url` names it.

Bodies are asserted against ksqlDB's entities (`connector_info`, `drop_connector`,
`connector_list`, `connector_description`, `warning_entity`) and its errors: Connect's
refusals relayed with Connect's status, validation errors as bare 400s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console
from tests.connect.conftest import fast_settings
from tests.connect.helpers import JDBC_SINK, wait_until
from tests.ksql.conftest import WAIT, wait_ready

from tote.cli.sql_render import render_entity
from tote.connect.worker import Worker
from tote.core.listen import free_port
from tote.http.common import ServerThread
from tote.http.connect_api import create_connect_app
from tote.http.hyper import HyperServerThread
from tote.http.ksql_api import create_ksql_app
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.sql.server import KsqlServer

TASK_STATE = "RUNNING (1/1 tasks RUNNING)"


class Stack:
    def __init__(self, ksql: httpx.Client, connect: httpx.Client, tmp_path: Path) -> None:
        self.ksql = ksql
        self.connect = connect
        self.db_url = f"jdbc:sqlite:{tmp_path / 'sink.db'}"

    def post(self, sql: str) -> httpx.Response:
        return self.ksql.post("/ksql", json={"ksql": sql})

    def create_sql(self, name: str = "bets_sink", extra: str = "") -> str:
        return (f"CREATE SINK CONNECTOR {name} WITH ('connector.class'='{JDBC_SINK}', "
                f"'topics'='bets', 'connection.url'='{self.db_url}', "
                f"'auto.create'=true{extra});")


def _ksql_server(log: MemoryLog, connect_url: str) -> Iterator[httpx.Client]:
    registry = Registry(log)
    registry.start()
    server = KsqlServer(log, registry, properties={"ksql.connect.url": connect_url})
    try:
        with HyperServerThread(create_ksql_app(server)) as thread, \
                httpx.Client(base_url=thread.url, timeout=WAIT) as client:
            wait_ready(client)
            yield client
    finally:
        registry.close()


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    log = MemoryLog()
    with ServerThread(create_connect_app(Worker(log, fast_settings()))) as connect_server, \
            httpx.Client(base_url=connect_server.url, timeout=WAIT) as connect:
        for ksql in _ksql_server(log, connect_server.url):
            yield Stack(ksql, connect, tmp_path)
    log.close()


def _entity(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    entities = response.json()
    assert len(entities) == 1
    return dict(entities[0])


def test_create_sink_connector_posts_to_connect(stack: Stack) -> None:
    sql = stack.create_sql(extra=", 'connection.password'='secret'")
    body = _entity(stack.post(sql))
    assert body == {
        "@type": "connector_info",
        # ksqlDB's QueryMask: every config but connector.class masked, keys as written.
        "statementText": f"CREATE SINK CONNECTOR bets_sink WITH ('connector.class'="
                         f"'{JDBC_SINK}', 'topics'='[string]', 'connection.url'='[string]', "
                         f"'auto.create'='[string]', 'connection.password'='[string]');",
        "warnings": [],
        "info": {"name": "BETS_SINK", "type": "sink", "tasks": body["info"]["tasks"],
                 "config": {"connector.class": JDBC_SINK, "topics": "bets",
                            "connection.url": stack.db_url, "auto.create": "true",
                            "connection.password": "secret", "name": "BETS_SINK"}}}
    # The connector is Connect's: it runs there under the upper-cased name.
    assert stack.connect.get("/connectors").json() == ["BETS_SINK"]
    wait_until(lambda: stack.connect.get("/connectors/BETS_SINK/status").json()["tasks"],
               "the sink's task")


def test_show_and_describe_connectors(stack: Stack) -> None:
    assert stack.post(stack.create_sql()).status_code == 200
    wait_until(lambda: _entity(stack.post("SHOW CONNECTORS;"))["connectors"][0]["state"]
               == TASK_STATE, "the sink to run its task")
    for statement in ("SHOW CONNECTORS;", "LIST SINK CONNECTORS;"):
        assert _entity(stack.post(statement)) == {
            "@type": "connector_list", "statementText": statement, "warnings": [],
            "connectors": [{"name": "BETS_SINK", "type": "sink", "className": JDBC_SINK,
                            "state": TASK_STATE}]}
    assert _entity(stack.post("SHOW SOURCE CONNECTORS;"))["connectors"] == []

    described = _entity(stack.post("DESCRIBE CONNECTOR bets_sink;"))
    status = stack.connect.get("/connectors/BETS_SINK/status").json()
    assert described == {
        "@type": "connector_description", "statementText": "DESCRIBE CONNECTOR bets_sink;",
        "warnings": [], "connectorClass": JDBC_SINK, "status": status,
        # ksqlDB finds the topics (and the sources on them) of JDBC sources only.
        "sources": [], "topics": []}
    assert status["name"] == "BETS_SINK" and status["type"] == "sink"


def test_drop_connector_deletes_it(stack: Stack) -> None:
    assert stack.post(stack.create_sql()).status_code == 200
    assert _entity(stack.post("DROP CONNECTOR bets_sink;")) == {
        "@type": "drop_connector", "statementText": "DROP CONNECTOR bets_sink;",
        "warnings": [], "connectorName": "BETS_SINK"}
    assert stack.connect.get("/connectors").json() == []
    assert _entity(stack.post("SHOW CONNECTORS;"))["connectors"] == []


def test_drop_missing_connector_relays_connects_404(stack: Stack) -> None:
    connect_says = stack.connect.delete("/connectors/NOPE")
    assert connect_says.status_code == 404
    response = stack.post("DROP CONNECTOR nope;")
    assert response.status_code == 404
    assert response.json() == {"@type": "generic_error", "error_code": 40400,
                               "message": f"Failed to drop connector: {connect_says.text}",
                               "stackTrace": []}
    assert _entity(stack.post("DROP CONNECTOR IF EXISTS nope;")) == {
        "@type": "warning_entity", "statementText": "DROP CONNECTOR IF EXISTS nope;",
        "warnings": [], "message": "Connector 'NOPE' does not exist."}


def test_describe_missing_connector_relays_connects_404(stack: Stack) -> None:
    connect_says = stack.connect.get("/connectors/NOPE/status")
    response = stack.post("DESCRIBE CONNECTOR nope;")
    assert response.status_code == 404
    assert response.json()["message"] == \
        f"Failed to query connector status: {connect_says.text}"
    assert response.json()["error_code"] == 40400


def test_create_existing_connector(stack: Stack) -> None:
    assert stack.post(stack.create_sql()).status_code == 200
    again = stack.post(stack.create_sql())
    assert again.status_code == 409
    assert again.json() == {"@type": "generic_error", "error_code": 40900,
                            "message": "Connector BETS_SINK already exists", "stackTrace": []}
    sql = stack.create_sql().replace("CONNECTOR", "CONNECTOR IF NOT EXISTS")
    assert _entity(stack.post(sql)) == {
        "@type": "warning_entity", "warnings": [],
        "statementText": f"CREATE SINK CONNECTOR IF NOT EXISTS bets_sink WITH ("
                         f"'connector.class'='{JDBC_SINK}', 'topics'='[string]', "
                         f"'connection.url'='[string]', 'auto.create'='[string]');",
        "message": "Connector BETS_SINK already exists"}


def test_create_refused_by_validation(stack: Stack) -> None:
    no_class = stack.post("CREATE SINK CONNECTOR s WITH ('topics'='bets', 'tasks.max'=1);")
    assert no_class.status_code == 400
    assert no_class.json() == {
        "@type": "generic_error", "error_code": 40000, "stackTrace": [],
        "message": "Validation error: Connector config {name=S, topics=bets, tasks.max=1} "
                   "contains no connector type"}
    # Connect's validation answers which config is wrong; ksqlDB lists them.
    no_url = stack.post(f"CREATE SINK CONNECTOR s WITH ('connector.class'='{JDBC_SINK}', "
                        "'topics'='bets');")
    assert no_url.status_code == 400
    assert no_url.json()["message"].startswith("Validation error: connection.url - ")
    assert stack.connect.get("/connectors").json() == []


def test_statements_before_a_refusal_are_not_answered(stack: Stack) -> None:
    """A refusal is ksqlDB's bare error: the entities of earlier statements are dropped."""
    response = stack.post("SHOW STREAMS; DROP CONNECTOR nope;")
    assert response.status_code == 404
    assert response.json()["@type"] == "generic_error"


def test_a_later_refused_statement_keeps_the_connector_from_connect(stack: Stack) -> None:
    """ksqlDB validates a whole request before running any of it (RequestValidator): a
    statement it refuses means an earlier CREATE CONNECTOR never reaches Connect."""
    bad = "CREATE STREAM B AS SELECT * FROM NOPE;"
    response = stack.post(stack.create_sql() + " " + bad)
    assert response.status_code == 400
    assert response.json() == {
        "@type": "statement_error", "error_code": 40001, "stackTrace": [],
        "message": "Line: 1, Col: 34: Source `NOPE` does not exist.",
        "statementText": bad, "entities": []}
    assert stack.connect.get("/connectors").json() == []
    # So does a later CREATE CONNECTOR Connect's validation refuses; and the statements
    # validated before it (a type, a stream on an existing topic) are not run either.
    stack.connect.post("/connectors", json={"name": "OTHER", "config": {
        "connector.class": JDBC_SINK, "topics": "bets", "connection.url": stack.db_url}})
    created = stack.post("CREATE STREAM E (V INT) WITH (kafka_topic='e', partitions=1, "
                         "value_format='JSON');")
    assert created.status_code == 200
    stream = "CREATE STREAM S (V INT) WITH (kafka_topic='e', value_format='JSON');"
    response = stack.post(f"CREATE TYPE T AS INT; {stream} {stack.create_sql()} "
                          "CREATE SINK CONNECTOR s WITH ('topics'='bets');")
    assert response.status_code == 400
    assert response.json()["message"].startswith("Validation error: Connector config ")
    assert stack.connect.get("/connectors").json() == ["OTHER"]
    assert _entity(stack.post("SHOW TYPES;"))["types"] == {}
    assert [s["name"] for s in _entity(stack.post("SHOW STREAMS;"))["streams"]] == ["E"]


def test_a_later_syntax_error_keeps_the_connector_from_connect(stack: Stack) -> None:
    response = stack.post(stack.create_sql() + " CREATE STREAM B (ID INT KEY WITH (x=1);")
    assert response.status_code == 400
    assert response.json()["error_code"] == 40001
    assert stack.connect.get("/connectors").json() == []


def test_two_creates_of_one_name_in_a_request_pass_validation(stack: Stack) -> None:
    """Both are validated before either runs, so the second fails only when Connect
    refuses to create it: ksqlDB relays Connect's answer."""
    response = stack.post(stack.create_sql() + " " + stack.create_sql())
    assert response.status_code == 409
    body = response.json()
    assert body["@type"] == "generic_error" and body["error_code"] == 40900
    assert body["message"].startswith("Failed to create connector: ")
    assert stack.connect.get("/connectors").json() == ["BETS_SINK"]


def test_unreachable_connect_is_a_server_error(tmp_path: Path) -> None:
    log = MemoryLog()
    url = f"http://127.0.0.1:{free_port('127.0.0.1')}"
    for ksql in _ksql_server(log, url):
        sql = "SHOW STREAMS; SHOW CONNECTORS;"
        response = ksql.post("/ksql", json={"ksql": sql})
        assert response.status_code == 500
        body = response.json()
        assert body["@type"] == "statement_error" and body["error_code"] == 50000
        assert body["statementText"] == sql and body["entities"] == []
        assert body["message"].startswith(f"Connect to {url} failed")
    log.close()


def test_shell_renders_connector_entities(stack: Stack) -> None:
    """`tote sql` shows them as ksqlDB's CLI does: tables of messages and connectors."""
    console = Console(record=True, width=200)
    render_entity(console, _entity(stack.post(stack.create_sql())))
    wait_until(lambda: _entity(stack.post("SHOW CONNECTORS;"))["connectors"][0]["state"]
               == TASK_STATE, "the sink to run its task")
    render_entity(console, _entity(stack.post("SHOW CONNECTORS;")))
    render_entity(console, _entity(stack.post("DESCRIBE CONNECTOR bets_sink;")))
    render_entity(console, _entity(stack.post("DROP CONNECTOR bets_sink;")))
    lines = [" ".join(line.replace("│", " ").split())
             for line in console.export_text().splitlines()]
    assert "Created connector BETS_SINK" in lines
    assert f"BETS_SINK SINK {JDBC_SINK} {TASK_STATE}" in lines
    assert "Name : BETS_SINK" in lines and f"Class : {JDBC_SINK}" in lines
    assert "State : RUNNING" in lines and "0 RUNNING" in lines
    assert 'Dropped connector "BETS_SINK"' in lines


def test_show_connector_plugins(stack: Stack) -> None:
    plugins = stack.connect.get("/connector-plugins").json()
    assert _entity(stack.post("SHOW CONNECTOR PLUGINS;")) == {
        "@type": "connector_plugins_list", "statementText": "SHOW CONNECTOR PLUGINS;",
        "warnings": [], "connectorsPlugins": [
            {"className": p["class"], "type": p["type"], "version": p["version"]}
            for p in plugins]}
    assert plugins[0]["class"] == JDBC_SINK
