"""CREATE / DROP / SHOW / DESCRIBE CONNECTOR and SHOW CONNECTOR PLUGINS: ksqlDB's connector
statements, answered by asking the Kafka Connect cluster `ksql.connect.url` names (ksqlDB's
`ConnectExecutor`, `DropConnectorExecutor`, `ListConnectorsExecutor`,
`DescribeConnectorExecutor` and `ListConnectorPluginsExecutor`).

Nothing here is recorded in the command topic: the connectors live in Connect. With no
`ksql.connect.url` set, ksqlDB asks its default, http://localhost:8083.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tote.log.base import Log
from tote.sql.ast import commands as c
from tote.sql.ast import statements as s
from tote.sql.config import Config
from tote.sql.connector_results import (
    ConnectorCreated,
    ConnectorDescription,
    ConnectorDropped,
    ConnectorList,
    ConnectorSummary,
    PluginList,
    PluginSummary,
)
from tote.sql.execution.connect_client import (
    ConnectClient,
    ConnectRefused,
    ConnectResponse,
    ConnectServerError,
)
from tote.sql.execution.connector_text import config_text, java_map_text, masked_statement
from tote.sql.execution.listings import describe
from tote.sql.metastore import MetaStore
from tote.sql.results import Notice, StatementResult

CONNECT_URL = "ksql.connect.url"
DEFAULT_CONNECT_URL = "http://localhost:8083"
REQUEST_TIMEOUT = "ksql.connect.request.timeout.ms"
DEFAULT_REQUEST_TIMEOUT_MS = 5_000

CONNECTOR_STATEMENTS = (s.CreateConnector, s.DropConnector, c.ListConnectors,
                        c.DescribeConnector, c.ListConnectorPlugins)

CONNECTOR_CLASS = "connector.class"
# The one connector ksqlDB knows more of: it fills in its configs and finds its topics.
JDBC_SOURCE = "io.confluent.connect.jdbc.JdbcSourceConnector"


def client_for(config: Config) -> ConnectClient:
    """The client of the server's Connect cluster (a server property, as in ksqlDB)."""
    url = config.server.get(CONNECT_URL) or DEFAULT_CONNECT_URL
    timeout_ms = config.server.get(REQUEST_TIMEOUT)
    return ConnectClient(url, int(timeout_ms or DEFAULT_REQUEST_TIMEOUT_MS) / 1000)


def execute(statement: s.Statement, text: str, config: Config, metastore: MetaStore,
            log: Log, *, validated: bool = False) -> StatementResult:
    """`validated`: a CREATE CONNECTOR `validate_create` passed for this request."""
    client = client_for(config)
    if isinstance(statement, s.CreateConnector):
        return create(statement, text, client, validated)
    if isinstance(statement, s.DropConnector):
        return drop(statement, text, client)
    if isinstance(statement, c.ListConnectors):
        return list_connectors(statement, text, client)
    if isinstance(statement, c.DescribeConnector):
        return describe_connector(statement, text, client, metastore, log)
    if isinstance(statement, c.ListConnectorPlugins):
        return list_plugins(text, client)
    raise TypeError(f"not a connector statement: {type(statement).__name__}")


def _refused(action: str, response: ConnectResponse) -> ConnectRefused:
    """ksqlDB's answer when Connect refuses: its status, its body in the message."""
    return ConnectRefused(f"Failed to {action}: {response.error}", response.status * 100)


# -- CREATE ------------------------------------------------------------------------------------


def validate_create(statement: s.CreateConnector, client: ConnectClient) -> None:
    """ksqlDB's validation (ConnectExecutor.validate), which it runs for every statement
    of a request before executing any: the name is free unless IF NOT EXISTS, and Connect
    accepts the configs. It only reads from Connect."""
    name = statement.name
    if not statement.if_not_exists and _exists(name, client):
        raise ConnectRefused(f"Connector {name} already exists", 40900)
    errors = _validation_errors(connector_config(statement), client)
    if errors:
        raise ConnectRefused("Validation error: " + "\n".join(errors))


def create(statement: s.CreateConnector, text: str, client: ConnectClient,
           validated: bool = False) -> StatementResult:
    """ksqlDB validates first (unless the request's validation did: `validated`), then
    creates; its answers echo the statement with the configs masked."""
    name = statement.name
    config = connector_config(statement)
    shown = masked_statement(statement, text)
    if not validated:
        validate_create(statement, client)
    if statement.if_not_exists and _exists(name, client):
        return Notice(shown, message=f"Connector {name} already exists")
    response = client.create(name, config)
    if response.error is not None:
        raise _refused("create connector", response)
    return ConnectorCreated(shown, info=_info(response.body))


def connector_config(statement: s.CreateConnector) -> dict[str, str | None]:
    """The WITH clause as Connect configs (values as Java prints them), resolved for the
    connectors ksqlDB supports, with `name` set to the connector's."""
    config = {p.name: config_text(p.value) for p in statement.properties}
    if config.get(CONNECTOR_CLASS) == JDBC_SOURCE:
        config = _resolve_jdbc_source(config)
    config["name"] = statement.name
    return config


def _resolve_jdbc_source(config: dict[str, str | None]) -> dict[str, str | None]:
    """ksqlDB's JDBC source template: `key` becomes the transforms that make it the key."""
    resolved = dict(config)
    key = resolved.pop("key", None)
    if key is not None:
        chain = "ksqlCreateKey,ksqlExtractString"
        existing = resolved.get("transforms")
        resolved["transforms"] = chain if existing is None else f"{existing},{chain}"
        resolved["transforms.ksqlCreateKey.type"] = "org.apache.kafka.connect.transforms.ValueToKey"
        resolved["transforms.ksqlCreateKey.fields"] = key
        resolved["transforms.ksqlExtractString.type"] = \
            "org.apache.kafka.connect.transforms.ExtractField$Key"
        resolved["transforms.ksqlExtractString.field"] = key
    resolved.setdefault("tasks.max", "1")
    return resolved


def _exists(name: str, client: ConnectClient) -> bool:
    response = client.connectors()
    if response.error is not None:
        raise ConnectServerError(f"Failed to check for existing connector: {response.error}")
    return any(str(found).lower() == name.lower() for found in response.body or [])


def _validation_errors(config: dict[str, str | None], client: ConnectClient) -> list[str]:
    plugin = config.get(CONNECTOR_CLASS)
    if plugin is None:
        # Connect's own words for it, with the configs as a Java map prints them.
        return [f"Connector config {java_map_text(config)} contains no connector type"]
    if not plugin.strip():
        return ["Connector type cannot be empty"]
    response = client.validate(plugin, config)
    if response.error is not None:
        return [response.error]
    errors = []
    for item in (response.body or {}).get("configs", []):
        value = item.get("value", {})
        if value.get("errors"):
            errors.append(f"{value.get('name')} - {'. '.join(value['errors'])}")
    return errors


def _info(body: Any) -> dict[str, Any]:
    """Connect's ConnectorInfo, the fields ksqlDB's copy of it has."""
    info = body if isinstance(body, dict) else {}
    return {"name": info.get("name"), "config": info.get("config", {}),
            "tasks": info.get("tasks", []), "type": info.get("type", "unknown")}


# -- DROP --------------------------------------------------------------------------------------


def drop(statement: s.DropConnector, text: str, client: ConnectClient) -> StatementResult:
    response = client.delete(statement.name)
    if response.error is not None:
        if statement.if_exists and response.status == 404:
            return Notice(text, message=f"Connector '{statement.name}' does not exist.")
        raise _refused("drop connector", response)
    return ConnectorDropped(text, statement.name)


# -- SHOW CONNECTORS ---------------------------------------------------------------------------


def list_connectors(statement: c.ListConnectors, text: str,
                    client: ConnectClient) -> ConnectorList:
    """Each connector's info and status; one Connect cannot describe is listed (in the
    unscoped list) as `unknown`, with a warning."""
    names = client.connectors()
    if names.error is not None:
        raise _refused("list connectors", names)
    rows: list[ConnectorSummary] = []
    warnings: list[str] = []
    for name in names.body or []:
        info = client.describe(name)
        if info.error is None:
            if _in_scope(str(info.body.get("type")), statement.scope):
                rows.append(_summary(name, info.body, client.status(name)))
        else:
            if statement.scope is s.ConnectorScope.ALL:
                rows.append(ConnectorSummary(name, "unknown", None, None))
            warnings.append(f"Could not describe connector {name}: {info.error}")
    return ConnectorList(text, tuple(rows), warnings=tuple(warnings))


def _in_scope(kind: str, scope: s.ConnectorScope) -> bool:
    if scope is s.ConnectorScope.SOURCE:
        return kind == "source"
    if scope is s.ConnectorScope.SINK:
        return kind == "sink"
    return True


def _summary(name: str, info: dict[str, Any], status: ConnectResponse) -> ConnectorSummary:
    if status.error is not None:
        return ConnectorSummary(name, None, None, None)
    return ConnectorSummary(name, info.get("type"), info.get("config", {}).get(CONNECTOR_CLASS),
                            _state(status.body))


def _state(status: dict[str, Any]) -> str:
    """ksqlDB's summary: the connector's state, or `RUNNING (n/m tasks RUNNING)`, and
    WARNING when it runs but none of its tasks do."""
    state = str(status.get("connector", {}).get("state"))
    if state != "RUNNING":
        return state
    tasks = status.get("tasks", [])
    running = sum(1 for task in tasks if task.get("state") == "RUNNING")
    summary = "WARNING" if tasks and not running else "RUNNING"
    return f"{summary} ({running}/{len(tasks)} tasks RUNNING)"


# -- DESCRIBE CONNECTOR ------------------------------------------------------------------------


def describe_connector(statement: c.DescribeConnector, text: str, client: ConnectClient,
                       metastore: MetaStore, log: Log) -> ConnectorDescription:
    """Connect's status and the connector's class; for the connectors ksqlDB knows (the
    JDBC source), the topics Connect says it uses and the ksqlDB sources on them."""
    name = statement.name
    status = client.status(name)
    if status.error is not None:
        raise _refused("query connector status", status)
    info = client.describe(name)
    if info.error is not None:
        raise _refused("describe connector", info)
    connector_class = info.body.get("config", {}).get(CONNECTOR_CLASS)
    topics: list[str] = []
    warnings: tuple[str, ...] = ()
    if connector_class == JDBC_SOURCE:
        found = client.topics(name)
        if found.error is None:
            topics = list(found.body.get(name, {}).get("topics", []))
        elif found.status != 404:  # older Connects have no /topics: not worth a warning
            warnings = (f"Could not list related topics due to error: {found.error}",)
    sources = tuple(replace(describe(source, metastore, log, False), read_queries=(),
                            write_queries=())
                    for source in metastore.all_sources() if source.topic in topics)
    return ConnectorDescription(text, connector_class, status.body, sources, tuple(topics),
                                warnings=warnings)


# -- SHOW CONNECTOR PLUGINS --------------------------------------------------------------------


def list_plugins(text: str, client: ConnectClient) -> PluginList:
    found = client.plugins()
    if found.error is not None:
        raise _refused("list connector plugins", found)
    return PluginList(text, tuple(
        PluginSummary(str(p.get("class")), p.get("type"), p.get("version"))
        for p in found.body or []))
