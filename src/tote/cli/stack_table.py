"""Rich rendering of the stack's state: the table `tote up` and `tote status` print.

Cells are `Text`, never markup strings: service details carry text such as
`[Errno 98]` that Rich would otherwise read as markup.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tote.stack.state import EXTERNAL, FAILED, NOT_BUILT, RESTARTING, RUNNING, STARTING

STATE_STYLE = {RUNNING: "green", STARTING: "yellow", RESTARTING: "yellow", FAILED: "bold red",
               NOT_BUILT: "dim", EXTERNAL: "cyan", "orphaned": "red"}
STATE_TEXT = {NOT_BUILT: "not built yet"}
# What ksqlDB reports of a query, Connect of a connector.
LIVE_STATE_STYLE = {"RUNNING": "green", "PAUSED": "yellow", "ERROR": "bold red",
                    "FAILED": "bold red"}


def _without_password(url: str) -> str:
    """The table shows where the database is; the full URL is printed below it."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep and "@" in rest else url


def _state_text(row: Mapping[str, Any]) -> Text:
    state = str(row["state"])
    text = STATE_TEXT.get(state, state)
    if row.get("healthy") is False and state in (RUNNING, EXTERNAL):
        text += " (not answering)"
    if row.get("detail") and state in (FAILED, RESTARTING):
        text += f": {row['detail']}"
    return Text(text, style=STATE_STYLE.get(state, ""))


def services_table(rows: Sequence[Mapping[str, Any]], *, title: str | None = None) -> Table:
    """One row per service: name, URL, pid, state (+ health when known), restarts."""
    table = Table(title=Text(title) if title else None, title_justify="left")
    for column in ("service", "url", "pid", "state", "restarts"):
        table.add_column(column, justify="right" if column in ("pid", "restarts") else "left",
                         overflow="fold")
    for row in rows:
        built = row["state"] != NOT_BUILT
        table.add_row(
            Text(str(row["name"])),
            Text(_without_password(str(row["url"])), style="" if built else "dim"),
            Text("" if row.get("pid") is None else str(row["pid"])),
            _state_text(row),
            Text(str(row.get("restarts", 0)) if built else ""),
        )
    return table


def print_services(console: Console, rows: Sequence[Mapping[str, Any]],
                   title: str | None = None) -> None:
    console.print(services_table(rows, title=title))


def _cell(value: Any) -> str:
    """None (not known: a server did not answer, nothing committed yet) is an empty cell."""
    return "" if value is None else str(value)


def lag_table(lags: Sequence[Mapping[str, Any]]) -> Table:
    """Persistent queries and connectors: the state their server reports and the records
    they have yet to consume (a stopped one is ERROR / FAILED / PAUSED, its lag grows)."""
    table = Table(title=Text("Persistent queries and connectors"), title_justify="left")
    for column in ("kind", "name", "state", "lag"):
        table.add_column(column, justify="right" if column == "lag" else "left",
                         overflow="fold")
    for row in lags:
        state = _cell(row.get("state"))
        table.add_row(Text(str(row["kind"])), Text(str(row["name"])),
                      Text(state, style=LIVE_STATE_STYLE.get(
                          state, "bold red" if "error" in state else "")),
                      Text(_cell(row["lag"])))
    return table
