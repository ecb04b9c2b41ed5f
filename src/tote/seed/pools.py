"""The tote pools pipeline as build steps: what `tote build` runs after the seed's.

The pools statements declare the sequencer's topics without column lists, so the event
schemas must be in the registry first: they are registered here (after the seed's own
statements, which keeps `tote_win_bets-value` at schema id 1 as the seed's payloads
expect), then `pools.sql` goes to ksqlDB and its JDBC sink to Connect. Every step is
idempotent: a second build skips what exists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from tote.pools.events import SCHEMAS
from tote.poolsql.files import SINK_CONFIG_FILE, packaged_file, sink_config, statements
from tote.seed.client import SeedClient, StepResult
from tote.seed.files import ConnectorFile
from tote.sql.script import split_statements


def pools_statements() -> list[str]:
    return [s.text for s in split_statements(statements())]


def pools_connector() -> ConnectorFile:
    return ConnectorFile(str(sink_config()["name"]), packaged_file(SINK_CONFIG_FILE))


def schema_steps(client: SeedClient) -> Iterator[StepResult]:
    """Register each event topic's value schema; stops at the first failure."""
    for topic, schema in SCHEMAS.items():
        result = client.register_schema(f"{topic}-value", json.dumps(schema))
        yield result
        if not result.ok:
            return
