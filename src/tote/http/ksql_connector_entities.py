"""ksqlDB's connector entities: `connector_info`, `drop_connector`, `connector_list`,
`connector_description` and `connector_plugins_list`, rendered from `tote.sql.connector_results`.

Connect's objects (a connector's info and status) go out as Connect gave them, as ksqlDB
passes them through; a listed connector's fields Connect could not give are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tote.sql.connector_results import (
    ConnectorCreated,
    ConnectorDescription,
    ConnectorDropped,
    ConnectorList,
    PluginList,
)
from tote.sql.results import SourceDescription, StatementResult

Entity = dict[str, Any]


def connector_entity(result: StatementResult, base: Callable[[str, StatementResult], Entity],
                     describe: Callable[[SourceDescription], Entity]) -> Entity | None:
    """The entity of a connector statement's result; None for any other result."""
    if isinstance(result, ConnectorCreated):
        return {**base("connector_info", result), "info": dict(result.info)}
    if isinstance(result, ConnectorDropped):
        return {**base("drop_connector", result), "connectorName": result.name}
    if isinstance(result, ConnectorList):
        return {**base("connector_list", result), "connectors": [
            {k: v for k, v in (("name", c.name), ("type", c.type), ("className", c.class_name),
                               ("state", c.state)) if v is not None}
            for c in result.connectors]}
    if isinstance(result, ConnectorDescription):
        return {**base("connector_description", result),
                "connectorClass": result.connector_class, "status": dict(result.status),
                "sources": [describe(d) for d in result.sources],
                "topics": list(result.topics)}
    if isinstance(result, PluginList):
        return {**base("connector_plugins_list", result), "connectorsPlugins": [
            {k: v for k, v in (("className", p.class_name), ("type", p.type),
                               ("version", p.version)) if v is not None}
            for p in result.plugins]}
    return None
