"""`tote pools build`: install the tote pools pipeline on a running stack.

Registers the sequencer's event schemas, runs the shipped `pools.sql` against ksqlDB (one
request per statement) and creates its JDBC sink connector; one line per request, exit 1
if one failed, existing streams and connectors skipped. On a fresh stack that will also
run the seed, run `tote build` first: the seed's payloads post `value_schema_id: 1`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from tote.cli.errors import user_errors
from tote.cli.seed import print_steps, stack_url

Home = Annotated[Path | None, typer.Option("--home", help="Data directory (TOTE_HOME).")]


def _url(service: str) -> Any:
    return typer.Option(help=f"{service} (default: the running stack's).")


def build(ksqldb_url: Annotated[str | None, _url("ksqlDB server")] = None,
          connect_url: Annotated[str | None, _url("Kafka Connect")] = None,
          registry_url: Annotated[str | None, _url("Schema Registry")] = None,
          home: Home = None) -> None:
    """Register the event schemas, run pools.sql and create the pools sink connector."""
    from tote.seed import SeedClient
    from tote.seed.pools import pools_connector, pools_statements, schema_steps

    console = Console(highlight=False)
    with user_errors():
        client = SeedClient(ksqldb_url=stack_url(home, "ksqldb", ksqldb_url),
                            connect_url=stack_url(home, "connect", connect_url),
                            registry_url=stack_url(home, "schema-registry", registry_url))
        with client:
            console.print(f"Schema Registry {client.registry_url}: event schemas")
            ok = all(r.ok for r in print_steps(console, schema_steps(client)))
            if ok:
                texts = pools_statements()
                console.print(f"ksqlDB {client.ksqldb_url}: {len(texts)} statements")
                ok = all(r.ok for r in print_steps(console, client.run_statements(texts)))
            if ok:
                connector = pools_connector()
                console.print(f"Connect {client.connect_url}: {connector.name}")
                ok = print_steps(console, [client.create_connector(connector)])[0].ok
    raise typer.Exit(0 if ok else 1)
