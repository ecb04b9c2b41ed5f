"""The packaged statements and connector config (readable, and copied to be changed)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

STATEMENTS_FILE = "pools.sql"
SINK_CONFIG_FILE = "connect-jdbc-sink.json"


def packaged_file(name: str) -> bytes:
    """A shipped file's bytes, e.g. the connector body to post unchanged."""
    return resources.files("tote.poolsql").joinpath(name).read_bytes()


def statements() -> str:
    """The text of the shipped `pools.sql`."""
    return packaged_file(STATEMENTS_FILE).decode("utf-8")


def sink_config() -> dict[str, Any]:
    """The shipped JDBC sink connector (`{"name", "config"}`, as POST /connectors takes)."""
    config: dict[str, Any] = json.loads(packaged_file(SINK_CONFIG_FILE))
    return config
