"""Reading the seed's files: the packaged copies by default, or a user's own files.

Statements are split the way ksqlDB splits a script (at each `;` outside strings,
quoted identifiers and comments), so each can be posted to `/ksql` on its own, as the
seed's Makefile does. Files are read as bytes and posted unchanged, like `curl -d @file`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tote.core.errors import BadRequest

STATEMENTS_FILE = "statements.sql"
CONNECTOR_FILE = "connect-jdbc-sink.json"
# What the seed's `make play` posts, in this order: 2 bets, then 7.
PLAY_PAYLOADS = ("post_bets.payload.json", "post_bets_large.payload.json")
BETS_TOPIC = "tote_win_bets"
ODDS_TABLE = "tote_win_bet_race_runners_odds"
BETS_TABLE = "tote_win_bets"
ODDS_COLUMNS = ("RUNNER_ID", "RUNNER_POOL_AMOUNT", "RACE_POOL_AMOUNT", "ODDS")


class SeedFileError(BadRequest):
    """A statements, connector or payload file that cannot be used."""

    error_code = 40001


@dataclass(frozen=True)
class Payload:
    """A REST proxy request body: its file name, bytes and number of records."""

    name: str
    body: bytes
    records: int


@dataclass(frozen=True)
class ConnectorFile:
    """A Connect `POST /connectors` body and the connector name it creates."""

    name: str
    body: bytes


def _read(name: str, override: Path | None) -> tuple[str, bytes]:
    if override is None:
        return name, resources.files("tote.seed").joinpath(name).read_bytes()
    try:
        return str(override), override.read_bytes()
    except OSError as exc:
        raise SeedFileError(f"Cannot read {override}: {exc.strerror or exc}.") from None


def _json(label: str, body: bytes) -> Any:
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SeedFileError(f"{label} is not valid JSON: {exc}.") from None


def load_statements(path: Path | None = None) -> list[str]:
    """The statements of `path` (default: the seed's statements.sql), each with its `;`."""
    label, body = _read(STATEMENTS_FILE, path)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SeedFileError(f"{label} is not UTF-8 text.") from None
    from tote.sql.script import split_statements  # here: the SQL parser loads slowly

    statements = [s.text for s in split_statements(text)]
    if not statements:
        raise SeedFileError(f"{label} holds no statements.")
    return statements


def load_connector(path: Path | None = None) -> ConnectorFile:
    """The connector body of `path` (default: the seed's connect-jdbc-sink.json)."""
    label, body = _read(CONNECTOR_FILE, path)
    data = _json(label, body)
    if not isinstance(data, dict) or not isinstance(data.get("name"), str) \
            or not isinstance(data.get("config"), dict):
        raise SeedFileError(f"{label} must be a JSON object with a \"name\" and a \"config\" "
                            f"object, as POST /connectors expects.")
    return ConnectorFile(data["name"], body)


def bets_in(body: bytes, label: str = "payload") -> int:
    """How many records a REST proxy produce body carries."""
    data = _json(label, body)
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list) or not records:
        raise SeedFileError(f"{label} must be a JSON object with a non-empty \"records\" list.")
    return len(records)


def load_payloads(paths: list[Path] | None = None) -> list[Payload]:
    """The bodies `play` posts: the given files, or the seed's two payloads in order."""
    sources: list[tuple[str, Path | None]] = (
        [(name, None) for name in PLAY_PAYLOADS] if not paths
        else [(path.name, path) for path in paths])
    payloads = []
    for name, path in sources:
        label, body = _read(name, path)
        payloads.append(Payload(name, body, bets_in(body, label)))
    return payloads


def packaged_file(name: str) -> bytes:
    """One of the packaged seed files, as bytes (tests compare them with the seed's)."""
    return resources.files("tote.seed").joinpath(name).read_bytes()
