"""confluent-kafka's Avro serializer and deserializer agree with tote's bytes, both ways.

A real Schema Registry (tote's, over a MemoryLog, served on a free port) gives both sides
the same schema ids; no mocks.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

from tote.core import types as t
from tote.core.types import Column
from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.log.memory import MemoryLog
from tote.registry import Registry
from tote.serde.avro import AvroCodec
from tote.serde.ksql_schemas import avro_schema_text
from tote.serde.wire import unframe

SCHEMA = avro_schema_text([Column("RUNNER_ID", t.INTEGER), Column("RACE_ID", t.INTEGER),
                           Column("AMOUNT", t.DOUBLE)])
CONTEXT = SerializationContext("tote_win_bets", MessageField.VALUE)
BET = {"RUNNER_ID": 2, "RACE_ID": 0, "AMOUNT": 50.0}


@pytest.fixture(scope="module")
def registry() -> Iterator[SchemaRegistryClient]:
    with ServerThread(create_registry_app(Registry(MemoryLog()))) as server:
        yield SchemaRegistryClient({"url": server.url})


def test_confluent_serializer_bytes_decode_with_tote(registry: SchemaRegistryClient) -> None:
    data = AvroSerializer(registry, SCHEMA)(BET, CONTEXT)
    assert data is not None
    schema_id, payload = unframe(data)
    assert registry.get_schema(schema_id).schema_str == SCHEMA
    codec = AvroCodec(SCHEMA)
    assert payload == codec.encode(BET)
    assert codec.decode(payload) == BET


def test_tote_bytes_decode_with_confluent_deserializer(registry: SchemaRegistryClient) -> None:
    schema_id = registry.register_schema("tote_win_bets-value", Schema(SCHEMA, "AVRO"))
    data = AvroCodec(SCHEMA).encode_framed(schema_id, BET)
    assert AvroDeserializer(registry)(data, CONTEXT) == BET
