"""Other readers of the contract topics: confluent-kafka's deserializer and tote's ksqlDB.

The events must be readable by a stock Confluent consumer (wire format + registered
schema), and ksqlDB statements must be able to declare the topics without a column list
(columns inferred from the registry, names upper-cased).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from tests.pools_intake.desk import Desk

from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.pools.events import SCHEMAS
from tote.pools.topics import BETS, RACE_EVENTS
from tote.sql.engine import Engine
from tote.sql.testing import rows


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    opened = Desk.open(tmp_path / "log.db")
    assert opened.open_race("R5", [1, 2, 3, 4]).ok
    assert opened.do(opened.bet("k1", "R5", "EXACTA", 600, box=[1, 2, 3])).ok
    opened.send(opened.close_race("R5"))
    opened.run()
    assert opened.result("R5", [[2], [1, 3]]).ok
    yield opened
    opened.close()


def test_confluent_deserializer_reads_bets_and_race_events(desk: Desk) -> None:
    with ServerThread(create_registry_app(desk.registry)) as server:
        client = SchemaRegistryClient({"url": server.url})
        deserialize = AvroDeserializer(client)
        [bet] = desk.records(BETS)
        value = deserialize(bet.value, SerializationContext(BETS, MessageField.VALUE))
        assert value is not None
        assert {
            k: value[k] for k in ("race_id", "pool", "pool_id", "combinations", "stake_cents")
        } == {
            "race_id": "R5",
            "pool": "EXACTA",
            "pool_id": "R5/EXACTA",
            "combinations": ["1-2", "1-3", "2-1", "2-3", "3-1", "3-2"],
            "stake_cents": 600,
        }
        result = desk.records(RACE_EVENTS)[-1]
        event = deserialize(result.value, SerializationContext(RACE_EVENTS, MessageField.VALUE))
        assert event is not None
        assert (event["kind"], event["result"], event["runner"]) == ("RESULT", [[2], [1, 3]], None)


def test_ksql_declares_the_topics_without_columns_and_reads_them(desk: Desk) -> None:
    engine = Engine(desk.log, desk.registry, properties={"auto.offset.reset": "earliest"})
    engine.start()
    try:
        engine.execute(
            "CREATE STREAM bets WITH (kafka_topic='tote_bets', value_format='AVRO');"
            "CREATE STREAM race_events WITH (kafka_topic='tote_race_events', "
            "value_format='AVRO');"
            "CREATE STREAM stakes AS SELECT POOL_ID, STAKE_CENTS, COMBINATIONS[1] AS FIRST "
            "FROM bets;"
            "CREATE STREAM results AS SELECT RACE_ID, RESULT FROM race_events "
            "WHERE KIND = 'RESULT';"
        )
        engine.run_until_idle()
        assert rows(engine, "STAKES") == [("R5/EXACTA", 600, "1-2")]
        assert rows(engine, "RESULTS") == [("R5", [[2], [1, 3]])]
    finally:
        engine.close()


def test_no_schema_is_registered_before_the_first_event(tmp_path: Path) -> None:
    """On a fresh stack the seed's CREATE STREAM must still get schema id 1."""
    fresh = Desk.open(tmp_path / "fresh.db")
    try:
        assert fresh.registry.subjects() == []
        seed = fresh.registry.register("tote_win_bets-value", '{"type": "string"}')
        assert seed.id == 1
        assert fresh.open_race("R1", [1, 2]).ok
        assert fresh.registry.subjects() == sorted(
            ["tote_win_bets-value", *(f"{topic}-value" for topic in SCHEMAS)]
        )
    finally:
        fresh.close()
