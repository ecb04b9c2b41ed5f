"""The plugins this worker offers: connector classes (by name or alias), converters, and
single message transforms and predicates."""

from __future__ import annotations

from typing import Any

from tote.connect.api import SinkConnector
from tote.connect.converters import catalogue
from tote.connect.errors import BadRequest
from tote.connect.jdbc.sink import JdbcSinkConnector
from tote.connect.transforms.base import PREDICATES, TRANSFORMS, Predicate, Transformation
from tote.connect.transforms.catalog import canonical_name

# The transforms carry Kafka 3.8 keys (field.syntax.version, replace.null.with.default).
KAFKA_VERSION = "3.8.0"


def connectors() -> list[SinkConnector]:
    return [JdbcSinkConnector()]


def find_connector(name: str) -> SinkConnector | None:
    """By full class name, simple name, or simple name without `Connector` (Connect's
    aliases: `JdbcSinkConnector`, `JdbcSink`)."""
    for connector in connectors():
        simple = connector.class_name.rpartition(".")[2]
        if name in (connector.class_name, simple) or name + "Connector" == simple:
            return connector
    return None


def require_connector(name: str) -> SinkConnector:
    found = find_connector(name)
    if found is None:
        available = ", ".join(c.class_name for c in connectors())
        raise BadRequest(f"Failed to find any class that implements Connector and which name "
                         f"matches {name}, available connectors are: {available}")
    return found


def plugin_list(connectors_only: bool) -> list[dict[str, Any]]:
    """`GET /connector-plugins`: connectors, and with `connectorsOnly=false` converters."""
    out: list[dict[str, Any]] = [
        {"class": c.class_name, "type": c.type, "version": c.version} for c in connectors()]
    if not connectors_only:
        out += [{"class": name, "type": "converter", "version": KAFKA_VERSION}
                for name in sorted(catalogue())]
        for kind, table in (("transformation", TRANSFORMS), ("predicate", PREDICATES)):
            names = sorted({canonical_name(cls) for cls in table.values()})
            out += [{"class": name, "type": kind, "version": KAFKA_VERSION} for name in names]
    return out


def find_smt(name: str) -> type[Transformation] | type[Predicate] | None:
    """A transform or predicate by Connect class name or alias."""
    return TRANSFORMS.get(name) or PREDICATES.get(name)
