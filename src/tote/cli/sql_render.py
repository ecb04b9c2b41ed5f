"""How the shell shows answers: Rich tables like ksqlDB's CLI, errors with a caret.

Statement answers are tables (streams, tables, queries, topics, properties, functions,
DESCRIBE) or one-line messages (`currentStatus`). Query rows are printed one line each as
they arrive, under a header, in fixed-width columns, so a push query scrolls live.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tote.cli.sql_render_connectors import RENDERERS as CONNECTOR_RENDERERS

_POSITION = re.compile(r"(?:line (\d+):(\d+)|Line: (\d+), Col: (\d+))")


def _table(title: str | None, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Table:
    table = Table(title=title, show_lines=False, header_style="bold")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*[_cell(v) for v in row])
    return table


def _cell(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def render_entity(console: Console, entity: dict[str, Any]) -> None:
    kind = entity.get("@type")
    if kind == "currentStatus":
        status = entity.get("commandStatus", {})
        console.print(Text(f" {status.get('message', '')}"))
    elif kind in ("streams", "tables"):
        items = entity.get(kind, [])
        console.print(_table(None, [f"{kind[:-1].title()} Name", "Kafka Topic", "Key Format",
                                    "Value Format", "Windowed"],
                             [[i["name"], i["topic"], i["keyFormat"], i["valueFormat"],
                               i["isWindowed"]] for i in items]))
    elif kind == "queries":
        console.print(_table(None, ["Query ID", "Query Type", "Status", "Sink Name",
                                    "Sink Kafka Topic", "Query String"],
                             [[q["id"], q["queryType"], q["state"], ",".join(q["sinks"]),
                               ",".join(q["sinkKafkaTopics"]), " ".join(q["queryString"].split())]
                              for q in entity.get("queries", [])]))
    elif kind == "kafka_topics":
        console.print(_table(None, ["Kafka Topic", "Partitions", "Partition Replicas"],
                             [[t["name"], len(t["replicaInfo"]), max(t["replicaInfo"] or [0])]
                              for t in entity.get("topics", [])]))
    elif kind == "properties":
        _properties(console, entity)
    elif kind == "function_names":
        console.print(_table(None, ["Function Name", "Category"],
                             [[f["name"], f.get("category", "")]
                              for f in entity.get("functions", [])]))
    elif kind == "describe_function":
        _describe_function(console, entity)
    elif kind == "variables":
        console.print(_table(None, ["Variable Name", "Value"],
                             [[v["name"], v["value"]] for v in entity.get("variables", [])]))
    elif kind == "sourceDescription":
        _describe(console, entity["sourceDescription"])
    elif kind == "source_descriptions":
        for description in entity.get("sourceDescriptions", []):
            _describe(console, description)
    elif kind == "queryDescription":
        d = entity["queryDescription"]
        console.print(f"ID                   : {d['id']}\nSQL                  : "
                      f"{d['statementText']}\n")
        console.print(d.get("executionPlan", ""))
        console.print(d.get("topology", ""))
        _query_errors(console, d.get("queryErrors") or [])
    elif kind in CONNECTOR_RENDERERS:
        CONNECTOR_RENDERERS[kind](console, entity)
    elif kind == "terminate_query":
        console.print(f" Query terminated: {entity.get('queryId')}")
    elif "message" in entity:
        console.print(Text(f" {entity['message']}"))
    else:
        console.print_json(json.dumps(entity))


def _query_errors(console: Console, errors: list[dict[str, Any]]) -> None:
    """As ksqlDB's CLI: each error's date (its pattern "yyyy-MM-dd hh:mm:ss,SSS (z)",
    a 12-hour clock, in local time), details and type."""
    for error in errors:
        when = datetime.datetime.fromtimestamp(error["timestamp"] / 1000).astimezone()
        date = (f"{when:%Y-%m-%d %I:%M:%S},{when.microsecond // 1000:03d} "
                f"({when.tzname()})")
        console.print(Text(f"{'Error Date':<20} : {date}\n"
                           f"{'Error Details':<20} : {error['errorMessage']}\n"
                           f"{'Error Type':<20} : {error['type']}"))


def _properties(console: Console, entity: dict[str, Any]) -> None:
    """As ksqlDB's CLI: sorted by name, with where each value comes from (SESSION for one
    the session changed, blank for a declared default, SERVER otherwise)."""
    overwritten = set(entity.get("overwrittenProperties", []))
    defaults = set(entity.get("defaultProperties", []))

    def source(name: str) -> str:
        return "SESSION" if name in overwritten else "" if name in defaults else "SERVER"

    rows = sorted(entity.get("properties", []), key=lambda p: str(p["name"]))
    console.print(_table(None, ["Property", "Scope", "Default override", "Effective Value"],
                         [[p["name"], p["scope"], source(p["name"]),
                           "NULL" if p["value"] is None else p["value"]] for p in rows]))


def _describe_function(console: Console, f: dict[str, Any]) -> None:
    """ksqlDB CLI's layout: a header block, then one block per variation."""
    lines = [f"\nName        : {f.get('name', '')}", f"Author      : {f.get('author', '')}"]
    if f.get("version"):
        lines.append(f"Version     : {f['version']}")
    lines += [f"Overview    : {f.get('description', '')}", f"Type        : {f.get('type', '')}",
              f"Jar         : {f.get('path', '')}", "Variations  : "]
    for variant in f.get("functions", []):
        arguments = variant.get("arguments", [])
        signature = ", ".join(f"{a['name']} {a['type']}" for a in arguments)
        lines += ["", f"\tVariation   : {f.get('name', '')}({signature})",
                  f"\tReturns     : {variant.get('returnType', '')}"]
        if variant.get("description"):
            lines.append(f"\tDescription : {variant['description']}")
        lines += [f"\t{a['name']:<12}: {a['description']}" for a in arguments
                  if a.get("description")]
    console.print(Text("\n".join(lines)))


def _type_text(schema: dict[str, Any]) -> str:
    kind = str(schema.get("type"))
    if kind == "ARRAY" and schema.get("memberSchema"):
        return f"ARRAY<{_type_text(schema['memberSchema'])}>"
    if kind == "MAP" and schema.get("memberSchema"):
        return f"MAP<STRING, {_type_text(schema['memberSchema'])}>"
    if kind == "STRUCT":
        fields = ", ".join(f"{f['name']} {_type_text(f['schema'])}"
                           for f in schema.get("fields") or [])
        return f"STRUCT<{fields}>"
    if kind == "DECIMAL" and schema.get("parameters"):
        p = schema["parameters"]
        return f"DECIMAL({p.get('precision')}, {p.get('scale')})"
    return kind


def _describe(console: Console, d: dict[str, Any]) -> None:
    console.print(f"\nName                 : {d['name']}")
    rows = []
    for field in d.get("fields", []):
        suffix = " (primary key)" if field.get("type") == "KEY" and d.get("type") == "TABLE" \
            else " (key)" if field.get("type") == "KEY" else ""
        rows.append([field["name"], _type_text(field["schema"]) + suffix])
    console.print(_table(None, ["Field", "Type"], rows))
    if d.get("extended"):
        console.print(f"Type                 : {d['type']}\nKey format           : "
                      f"{d['keyFormat']}\nValue format         : {d['valueFormat']}\n"
                      f"Kafka topic          : {d['topic']} (partitions: {d['partitions']}, "
                      f"replication: {d['replication']})\nStatement            : "
                      f"{d['statement']}")
    for title, key in (("Queries that read from this", "readQueries"),
                       ("Queries that write from this", "writeQueries")):
        queries = d.get(key) or []
        if queries:
            console.print(f"\n{title} {d['type'].title()}\n" + "-" * 40)
            for q in queries:
                console.print(f"{q['id']} ({q['state']}) : {' '.join(q['queryString'].split())}")
    console.print("For runtime statistics and query details run: DESCRIBE <Stream,Table> "
                  "EXTENDED;" if not d.get("extended") else "")


def render_error(console: Console, message: str, statement: str) -> None:
    """The error, then the offending line of the statement with a caret under the column
    the message names (`line 1:8` / `Line: 1, Col: 8`)."""
    console.print(Text(message, style="bold red"))
    match = _POSITION.search(message)
    if match is None or not statement:
        return
    line = int(match.group(1) or match.group(3))
    column = int(match.group(2) or match.group(4))
    lines = statement.split("\n")
    if not 1 <= line <= len(lines):
        return
    text = lines[line - 1]
    console.print(Text(text))
    console.print(Text(" " * max(column - 1, 0) + "^", style="bold red"))


class RowPrinter:
    """Prints query rows as they arrive, in columns sized by the header."""

    def __init__(self, console: Console, columns: Sequence[str]) -> None:
        self.console = console
        width = max(console.width, 40)
        self.widths = [max(len(c) + 1, min(24, (width - 1) // max(len(columns), 1) - 1))
                       for c in columns]
        self.rule = "+" + "+".join("-" * w for w in self.widths) + "+"
        console.print(self.rule, markup=False, highlight=False)
        console.print(self._line(columns), markup=False, highlight=False)
        console.print(self.rule, markup=False, highlight=False)
        self.count = 0

    def _line(self, values: Sequence[Any]) -> str:
        cells = []
        for value, width in zip(values, self.widths, strict=False):
            text = _cell(value)
            cells.append(text[:width].ljust(width))
        return "|" + "|".join(cells) + "|"

    def row(self, values: Sequence[Any], tombstone: bool = False) -> None:
        line = self._line(values)
        self.console.print(line + (" <TOMBSTONE>" if tombstone else ""), markup=False,
                           highlight=False)
        self.count += 1

    def end(self, message: str | None) -> None:
        self.console.print(self.rule, markup=False, highlight=False)
        if message:
            self.console.print(message, markup=False, highlight=False)

