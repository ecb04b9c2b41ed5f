"""What the connector statements answer (ksqlDB's `connector_info`, `drop_connector`,
`connector_list`, `connector_description` and `connector_plugins_list` entities), as
plain frozen dataclasses.

Connect's own JSON (a connector's info, its status) is kept as Connect answered it:
ksqlDB passes those objects through to its clients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tote.sql.results import SourceDescription, StatementResult


@dataclass(frozen=True)
class ConnectorCreated(StatementResult):
    """CREATE SOURCE|SINK CONNECTOR: Connect's `ConnectorInfo` (name, config, tasks, type)."""

    info: Mapping[str, Any]


@dataclass(frozen=True)
class ConnectorDropped(StatementResult):
    name: str


@dataclass(frozen=True)
class ConnectorSummary:
    """One row of SHOW CONNECTORS; None where Connect could not say (left out of the JSON)."""

    name: str
    type: str | None
    class_name: str | None
    state: str | None


@dataclass(frozen=True)
class ConnectorList(StatementResult):
    connectors: tuple[ConnectorSummary, ...]


@dataclass(frozen=True)
class PluginSummary:
    class_name: str
    type: str | None
    version: str | None


@dataclass(frozen=True)
class PluginList(StatementResult):
    """SHOW CONNECTOR PLUGINS: the connector classes Connect has."""

    plugins: tuple[PluginSummary, ...]


@dataclass(frozen=True)
class ConnectorDescription(StatementResult):
    """DESCRIBE CONNECTOR: its class, Connect's status object, and the ksqlDB sources on
    the topics it uses."""

    connector_class: str | None
    status: Mapping[str, Any]
    sources: tuple[SourceDescription, ...]
    topics: tuple[str, ...]


CONNECTOR_RESULTS = (ConnectorCreated, ConnectorDropped, ConnectorList, ConnectorDescription,
                     PluginList)
