"""How the shell shows ksqlDB's connector entities, laid out as ksqlDB's CLI does
(its ConnectorInfo/ConnectorList/DropConnector/ConnectorPluginsList table builders and its
connector description)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

Entity = dict[str, Any]


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    table = Table(show_lines=False, header_style="bold")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    return table


def _created(console: Console, entity: Entity) -> None:
    console.print(_table(["Message"], [[f"Created connector {entity['info'].get('name')}"]]))


def _dropped(console: Console, entity: Entity) -> None:
    console.print(_table(["Message"], [[f'Dropped connector "{entity["connectorName"]}"']]))


def _listed(console: Console, entity: Entity) -> None:
    console.print(_table(["Connector Name", "Type", "Class", "Status"], [
        [c["name"], str(c.get("type") or "unknown").upper(), c.get("className", ""),
         c.get("state", "")] for c in entity.get("connectors", [])]))
    for warning in entity.get("warnings", []):
        console.print(Text(f"WARNING: {warning.get('message', '')}"))


def _described(console: Console, entity: Entity) -> None:
    status = entity.get("status", {})
    connector = status.get("connector", {})
    lines = [f"{'Name':<20} : {status.get('name')}",
             f"{'Class':<20} : {entity.get('connectorClass')}",
             f"{'Type':<20} : {status.get('type')}",
             f"{'State':<20} : {connector.get('state')}",
             f"{'WorkerId':<20} : {connector.get('worker_id')}"]
    if connector.get("trace"):
        lines.append(f"{'Trace':<20} : {connector['trace']}")
    console.print(Text("\n".join(lines)))
    tasks = status.get("tasks", [])
    if tasks:
        console.print(_table(["Task ID", "State", "Error Trace"],
                             [[t.get("id"), t.get("state"), t.get("trace", "")] for t in tasks]))
    sources = entity.get("sources", [])
    if sources:
        console.print(_table(["KSQL Source Name", "Kafka Topic", "Type"],
                             [[s["name"], s["topic"], s["type"]] for s in sources]))
    topics = entity.get("topics", [])
    if topics:
        console.print(_table(["Related Topics"], [[t] for t in topics]))


def _plugins(console: Console, entity: Entity) -> None:
    console.print(_table(["Class", "Type", "Version"], [
        [p["className"], str(p.get("type") or "unknown").upper(), p.get("version", "")]
        for p in entity.get("connectorsPlugins", [])]))


RENDERERS: dict[str, Callable[[Console, Entity], None]] = {
    "connector_info": _created, "drop_connector": _dropped, "connector_list": _listed,
    "connector_description": _described, "connector_plugins_list": _plugins,
}
