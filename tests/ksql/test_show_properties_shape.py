"""SHOW PROPERTIES answers as ksqlDB 8's ListPropertiesExecutor: every config KsqlConfig
declares, with its declared default when unset (null where that is null), Kafka and
Streams configs under `ksql.streams.`; scope KSQL throughout; `level` and `editable`
from ksqlDB's query-level and ALTER SYSTEM sets; `defaultProperties` the configs at their
default; `overwrittenProperties` those whose session value differs from the server's.
The CLI prints it as ksqlDB's does. A real server on a free port."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from tests.ksql.conftest import Ksql, serving

from tote.cli.sql_render import render_entity

SESSION = ("SET 'auto.offset.reset'='earliest'; SET 'ksql.query.retry.backoff.max.ms'='5'; "
           "SET 'ksql.streams.commit.interval.ms'='2000'; SHOW PROPERTIES;")


def _entity(ksql: Ksql, sql: str) -> dict[str, Any]:
    response = ksql.post(sql)
    assert response.status_code == 200, response.text
    entity: dict[str, Any] = response.json()[-1]
    return entity


def test_declared_configs_are_listed_with_their_defaults(ksql: Ksql) -> None:
    entity = _entity(ksql, "SHOW PROPERTIES;")
    listed = {p["name"]: p for p in entity["properties"]}
    assert listed["ksql.query.pull.max.qps"]["value"] == "2147483647"
    assert listed["ksql.connect.request.timeout.ms"]["value"] == "5000"
    assert listed["ksql.persistence.default.format.value"]["value"] is None
    assert listed["ksql.streams.num.stream.threads"]["value"] == "4"
    assert {p["scope"] for p in entity["properties"]} == {"KSQL"}
    assert {"ksql.query.pull.max.qps", "ksql.connect.request.timeout.ms",
            "ksql.persistence.default.format.value"} <= set(entity["defaultProperties"])
    assert "ksql.schema.registry.url" not in entity["defaultProperties"]  # tote's server sets it
    assert entity["overwrittenProperties"] == []


def test_levels_editability_and_what_the_session_overwrote(ksql: Ksql) -> None:
    entity = _entity(ksql, SESSION)
    listed = {p["name"]: p for p in entity["properties"]}
    assert "auto.offset.reset" not in listed
    assert listed["ksql.streams.auto.offset.reset"]["value"] == "earliest"
    marks = {name: (listed[name]["level"], listed[name]["editable"]) for name in (
        "ksql.query.retry.backoff.max.ms", "ksql.streams.auto.offset.reset",
        "ksql.streams.processing.guarantee", "ksql.service.id")}
    assert marks == {"ksql.query.retry.backoff.max.ms": ("QUERY", True),
                     "ksql.streams.auto.offset.reset": ("SERVER", True),
                     "ksql.streams.processing.guarantee": ("SERVER", True),
                     "ksql.service.id": ("SERVER", False)}
    assert entity["overwrittenProperties"] == ["ksql.query.retry.backoff.max.ms",
                                               "ksql.streams.auto.offset.reset"]


def test_an_undeclared_ksql_config_is_not_listed() -> None:
    with serving({"ksql.sink.partitions": "3", "max.poll.records": "7"}) as ksql:
        listed = {p["name"]: p["value"] for p in _entity(ksql, "SHOW PROPERTIES;")["properties"]}
    assert "ksql.sink.partitions" not in listed
    assert listed["ksql.streams.max.poll.records"] == "7"


def test_the_cli_shows_where_each_value_comes_from(ksql: Ksql) -> None:
    console = Console(record=True, width=250)
    render_entity(console, _entity(ksql, SESSION))
    text = console.export_text().replace("┃", "│")  # the header's rules are heavier
    lines = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
             for line in text.splitlines() if line.count("│") == 5}
    assert lines["Property"] == ["Scope", "Default override", "Effective Value"]
    assert lines["ksql.streams.auto.offset.reset"] == ["KSQL", "SESSION", "earliest"]
    assert lines["ksql.query.pull.max.qps"] == ["KSQL", "", "2147483647"]
    assert lines["ksql.schema.registry.url"][1] == "SERVER"
    assert lines["ksql.persistence.default.format.value"][2] == "NULL"
