"""The seed proof of concept's own files and steps, shipped so `tote build` / `play` need
nothing else.

The data files beside this module are copied verbatim from the seed project
(`poc-kafka-sql-registry`, demo data by its author): `statements.sql` (the ksqlDB
pipeline), `connect-jdbc-sink.json` (the JDBC sink into PostgreSQL `totebets`) and the
bet payloads its `make play` posts to the REST proxy. `files` reads them (or a user's
replacements); `client` runs the seed's steps over HTTP against any compatible stack.
"""

from tote.seed.client import SeedClient, StepResult
from tote.seed.files import (
    CONNECTOR_FILE,
    ODDS_TABLE,
    PLAY_PAYLOADS,
    STATEMENTS_FILE,
    Payload,
    bets_in,
    load_connector,
    load_payloads,
    load_statements,
)

__all__ = [
    "CONNECTOR_FILE",
    "ODDS_TABLE",
    "PLAY_PAYLOADS",
    "STATEMENTS_FILE",
    "Payload",
    "SeedClient",
    "StepResult",
    "bets_in",
    "load_connector",
    "load_payloads",
    "load_statements",
]
