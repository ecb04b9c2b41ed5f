"""`tote serve ksqldb`, as users start it, has the TOTE_ functions: SHOW FUNCTIONS and
DESCRIBE FUNCTION list them like the built-ins, and the shipped pools.sql posted to /ksql
turns events on the log into `tote_dividends` records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.connect.helpers import wait_until
from tests.pools_sql.pipeline import EventWriter
from tests.service_process import ServiceProcess, start_service

from tote.core.config import Config
from tote.core.records import TopicPartition
from tote.log.base import Log
from tote.log.open import open_log
from tote.pools.events import register_event_schemas
from tote.pools.topics import ensure_topics
from tote.poolsql import statements
from tote.registry import Registry
from tote.serde.avro import AvroCodec


def _ksql(server: ServiceProcess, sql: str) -> Any:
    answer = httpx.post(
        server.url + "/ksql", json={"ksql": sql, "streamsProperties": {}}, timeout=120
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    found = tmp_path / "home"
    found.mkdir()
    return found


@pytest.fixture
def log(home: Path) -> Iterator[Log]:
    opened = open_log(Config(home=home, backend="sqlite"))
    yield opened
    opened.close()


@pytest.fixture
def server(home: Path, log: Log) -> Iterator[ServiceProcess]:
    del log  # the log file exists before the server opens it
    running = start_service("ksqldb", home, "/healthcheck")
    try:
        yield running
    finally:
        running.stop()


def test_show_and_describe_list_the_tote_functions(server: ServiceProcess) -> None:
    (listing,) = _ksql(server, "SHOW FUNCTIONS;")
    tote = {
        f["name"]: (f["type"], f["category"])
        for f in listing["functions"]
        if f["name"].startswith("TOTE_")
    }
    assert tote == {
        "TOTE_APPROXIMATE": ("SCALAR", "TOTE"),
        "TOTE_BREAKAGE": ("SCALAR", "TOTE"),
        "TOTE_CENTS": ("SCALAR", "TOTE"),
        "TOTE_DIVIDEND": ("SCALAR", "TOTE"),
        "TOTE_DIVIDENDS": ("SCALAR", "TOTE"),
        "TOTE_MICROS": ("SCALAR", "TOTE"),
        "TOTE_NET": ("SCALAR", "TOTE"),
        "TOTE_ODDS": ("SCALAR", "TOTE"),
        "TOTE_PRICED_COMBINATIONS": ("SCALAR", "TOTE"),
        "TOTE_RESPREAD": ("SCALAR", "TOTE"),
        "TOTE_SHARE": ("SCALAR", "TOTE"),
        "TOTE_SUM_CENTS": ("AGGREGATE", "TOTE"),
        "TOTE_TAKEOUT": ("SCALAR", "TOTE"),
        "TOTE_TICKET": ("AGGREGATE", "TOTE"),
        "TOTE_WINNING_COMBINATIONS": ("SCALAR", "TOTE"),
    }
    assert any(f["name"] == "EXPLODE" for f in listing["functions"])  # built-ins stay
    (described,) = _ksql(server, "DESCRIBE FUNCTION TOTE_WINNING_COMBINATIONS;")
    assert (described["name"], described["type"], described["author"], described["path"]) == (
        "TOTE_WINNING_COMBINATIONS",
        "SCALAR",
        "tote",
        "tote.poolsql",
    )
    (variant,) = described["functions"]
    assert [(a["name"], a["type"]) for a in variant["arguments"]] == [
        ("pool", "VARCHAR"),
        ("result", "ARRAY<ARRAY<INT>>"),
        ("places", "INT"),
    ]
    assert variant["returnType"] == "ARRAY<STRING>"
    (builtin,) = _ksql(server, "DESCRIBE FUNCTION EXPLODE;")
    assert builtin["author"] == "Confluent"


def test_the_shipped_statements_run_on_the_server(server: ServiceProcess, log: Log) -> None:
    ensure_topics(log)
    with Registry(log) as registry:
        register_event_schemas(registry)
        results = _ksql(server, statements())
        assert all(r.get("@type") != "statement_error" for r in results), results
        race = EventWriter(log, registry).race("SRV", [1, 2, 3, 4])
        race.pool("WIN", takeout_bp=1500)
        for runner, dollars in [(1, 500), (2, 300), (3, 150), (4, 50)]:
            race.bet("WIN", [str(runner)], dollars * 100)
        race.close()
        race.result([[2], [1], [3], [4]])

        def declared() -> list[dict[str, Any]]:
            found = []
            for partition in range(log.describe_topic("tote_dividends").spec.partitions):
                for record in log.read(TopicPartition("tote_dividends", partition), 0, 100):
                    assert record.value is not None
                    schema_id = int.from_bytes(record.value[1:5], "big")
                    codec = AvroCodec(registry.get_schema(schema_id).schema)
                    found.append(codec.decode_framed(record.value)[1])
            return found

        def topic_ready() -> bool:
            return "tote_dividends" in log.list_topics() and bool(declared())

        wait_until(topic_ready, "a dividend on tote_dividends")
        (row,) = declared()
    assert (row["RACE_ID"], row["COMBINATION"], row["PER_UNIT_CENTS"], row["NET_CENTS"]) == (
        "SRV",
        "2",
        280,
        85_000,
    )
