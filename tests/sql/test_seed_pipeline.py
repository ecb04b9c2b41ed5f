"""The seed's six ksqlDB statements, run live on the embedded logs, produce the odds rows
of ../shared/seed/README.md exactly (tote's per-record deterministic semantics)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tote.core.records import Record, TopicPartition
from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.avro_json import from_avro_json
from tote.sql.codecs import build_codec
from tote.sql.engine import Engine

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "poc-kafka-sql-registry"
pytestmark = pytest.mark.skipif(not SEED.is_dir(), reason="seed files not available")

# RACE_ID (key), RUNNER_ID, RUNNER_POOL_AMOUNT, RACE_POOL_AMOUNT, ODDS as the README prints
# them (ODDS to 7 decimals; the Avro value holds the full DOUBLE).
EXPECTED = [
    (0, 1, 25.0, 25.0, "1.0"),
    (0, 2, 50.0, 75.0, "1.5"),
    (0, 1, 75.0, 125.0, "1.6666667"),
    (0, 2, 55.0, 130.0, "2.3636364"),
    (0, 2, 65.0, 140.0, "2.1538462"),
    (0, 2, 85.0, 160.0, "1.8823529"),
    (0, 2, 65.0, 140.0, "2.1538462"),
    (0, 1, 75.0, 140.0, "1.8666667"),
    (0, 2, 65.0, 140.0, "2.1538462"),
]
BETS = [(1, 0, 25.0), (2, 0, 50.0), (1, 0, 50.0), (2, 0, 5.0), (2, 0, 10.0), (2, 0, 20.0),
        (2, 0, -20.0), (1, 0, 0.0), (2, 0, 0.0)]


@pytest.fixture(params=["memory", "sqlite"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Log]:
    if request.param == "memory":
        backend: Log = MemoryLog()
    else:
        backend = SqliteLog(tmp_path / "tote.db")
    with backend:
        yield backend


def _post(log: Log, registry: Registry, payload: str) -> None:
    """What the REST proxy does with the seed's Avro payload: frame with schema id 1."""
    body: dict[str, Any] = json.loads((SEED / payload).read_text())
    schema_id = body["value_schema_id"]
    codec = AvroCodec(registry.get_schema(schema_id).schema)
    log.append("tote_win_bets", [
        Record(codec.encode_framed(schema_id, from_avro_json(codec.schema, r["value"])))
        for r in body["records"]])


def _rows(log: Log, engine: Engine, name: str) -> list[tuple[Any, ...]]:
    source = engine.metastore.source(name)
    assert source is not None
    keys = build_codec(source.key_columns, source.key_format, topic=source.topic,
                       is_key=True, registry=engine.registry)
    values = build_codec(source.value_columns, source.value_format, topic=source.topic,
                         is_key=False, registry=engine.registry)
    out = []
    for record in log.read(TopicPartition(source.topic, 0), 0, 1000):
        key = keys.decode(record.key) or ()
        value = values.decode(record.value) or ()
        out.append(tuple(key) + tuple(value))
    return out


def test_seed_statements_produce_the_readme_odds(log: Log) -> None:
    with Registry(log) as registry:
        engine = Engine(log, registry)
        engine.start()
        engine.execute((SEED / "statements.sql").read_text())
        assert registry.get_version("tote_win_bets-value").id == 1
        _post(log, registry, "post_bets.payload.json")
        engine.run_until_idle()
        _post(log, registry, "post_bets_large.payload.json")
        engine.run_until_idle()

        odds = _rows(log, engine, "TOTE_WIN_BET_RACE_RUNNERS_ODDS")
        assert [(r[0], r[1], r[2], r[3]) for r in odds] == [e[:4] for e in EXPECTED]
        for row, expected in zip(odds, EXPECTED, strict=True):
            assert row[4] == row[3] / row[2]  # the exact DOUBLE division
            assert round(row[4], 7) == float(expected[4])  # as the README prints it
        assert _rows(log, engine, "TOTE_WIN_BETS") == BETS
        source = engine.metastore.source("TOTE_WIN_BET_RACE_RUNNERS_ODDS")
        assert source is not None
        assert [c.name for c in source.key_columns] == ["RACE_ID"]
        assert [c.name for c in source.value_columns] == [
            "RUNNER_ID", "RUNNER_POOL_AMOUNT", "RACE_POOL_AMOUNT", "ODDS"]


def test_seed_odds_schema_is_registered_with_ksqldb_naming(log: Log) -> None:
    with Registry(log) as registry:
        engine = Engine(log, registry)
        engine.execute((SEED / "statements.sql").read_text())
        schema = json.loads(registry.get_version(
            "tote_win_bet_race_runners_odds-value").schema)
        assert schema["name"] == "KsqlDataSourceSchema"
        assert schema["namespace"] == "io.confluent.ksql.avro_schemas"
        assert [f["name"] for f in schema["fields"]] == [
            "RUNNER_ID", "RUNNER_POOL_AMOUNT", "RACE_POOL_AMOUNT", "ODDS"]
        assert [f["type"] for f in schema["fields"]] == [
            ["null", "int"], ["null", "double"], ["null", "double"], ["null", "double"]]
