"""confluent-kafka's own SchemaRegistryClient and serializers against the live tote registry."""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator

import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient, SchemaRegistryError
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from tests.registry.schemas import USER_BAD, USER_V1, USER_V2

from tote.http.common import ServerThread

BET = json.dumps({
    "type": "record", "name": "Bet", "namespace": "tote",
    "fields": [{"name": "RACE_ID", "type": ["null", "long"], "default": None},
               {"name": "STAKE", "type": ["null", "double"], "default": None}],
})
BET_JSON = json.dumps({
    "type": "object", "title": "Bet",
    "properties": {"race_id": {"type": "integer"}, "stake": {"type": "number"}},
    "required": ["race_id"],
})
VALUE = SerializationContext("bets", MessageField.VALUE)


@pytest.fixture
def client(server: ServerThread) -> Iterator[SchemaRegistryClient]:
    sr = SchemaRegistryClient({"url": server.url})
    yield sr
    sr.close()


def fresh(server: ServerThread) -> SchemaRegistryClient:
    """A second client with empty caches, so every call reaches the server."""
    return SchemaRegistryClient({"url": server.url})


def test_register_get_lookup(client: SchemaRegistryClient, server: ServerThread) -> None:
    assert client.register_schema("users-value", Schema(USER_V1, "AVRO")) == 1
    assert client.register_schema("users-value", Schema(USER_V2, "AVRO")) == 2
    other = fresh(server)
    assert other.get_schema(1).schema_str == USER_V1
    assert other.get_schema(2).schema_type == "AVRO"
    found = other.lookup_schema("users-value", Schema(USER_V1, "AVRO"))
    assert (found.subject, found.version, found.schema_id) == ("users-value", 1, 1)
    assert other.get_subjects() == ["users-value"]
    assert other.get_versions("users-value") == [1, 2]
    latest = other.get_latest_version("users-value")
    assert (latest.version, latest.schema_id, latest.schema.schema_str) == (2, 2, USER_V2)
    assert other.get_version("users-value", 1).schema_id == 1
    with pytest.raises(SchemaRegistryError) as missing:
        other.get_schema(99)
    assert (missing.value.http_status_code, missing.value.error_code,
            missing.value.error_message) == (404, 40403, "Schema 99 not found")
    with pytest.raises(SchemaRegistryError) as unknown:
        other.lookup_schema("nobody-value", Schema(USER_V1, "AVRO"))
    assert unknown.value.error_code == 40401
    other.close()


def test_compatibility_calls(client: SchemaRegistryClient) -> None:
    client.register_schema("users-value", Schema(USER_V1, "AVRO"))
    assert client.test_compatibility("users-value", Schema(USER_V2, "AVRO")) is True
    assert client.test_compatibility("users-value", Schema(USER_BAD, "AVRO")) is False
    assert client.get_compatibility() == "BACKWARD"
    assert client.set_compatibility(level="full") == {"compatibility": "FULL"}
    assert client.get_compatibility() == "FULL"
    assert client.set_compatibility("users-value", "NONE") == {"compatibility": "NONE"}
    assert client.get_compatibility("users-value") == "NONE"
    assert client.register_schema("users-value", Schema(USER_BAD, "AVRO")) == 2
    with pytest.raises(SchemaRegistryError) as invalid:
        client.set_compatibility(level="sideways")
    assert (invalid.value.http_status_code, invalid.value.error_code) == (422, 42203)


def test_incompatible_registration_surfaces_409(client: SchemaRegistryClient) -> None:
    client.register_schema("users-value", Schema(USER_V1, "AVRO"))
    with pytest.raises(SchemaRegistryError) as excinfo:
        client.register_schema("users-value", Schema(USER_BAD, "AVRO"))
    assert (excinfo.value.http_status_code, excinfo.value.error_code) == (409, 409)


def test_delete_subject_soft_then_permanent(client: SchemaRegistryClient,
                                            server: ServerThread) -> None:
    client.register_schema("users-value", Schema(USER_V1, "AVRO"))
    client.register_schema("users-value", Schema(USER_V2, "AVRO"))
    assert client.delete_version("users-value", 2) == 2
    assert client.delete_subject("users-value") == [1]
    assert client.get_subjects() == []
    assert client.get_subjects(deleted=True) == ["users-value"]
    assert client.delete_subject("users-value", permanent=True) == [1, 2]
    assert client.get_subjects(deleted=True) == []
    with pytest.raises(SchemaRegistryError) as excinfo:
        fresh(server).get_schema(1)
    assert excinfo.value.error_code == 40403


def test_avro_round_trip_with_auto_register(client: SchemaRegistryClient,
                                            server: ServerThread) -> None:
    serializer = AvroSerializer(client, BET)
    data = serializer({"RACE_ID": 7, "STAKE": 2.5}, VALUE)
    assert data is not None
    assert struct.unpack(">bI", data[:5]) == (0, 1)
    assert client.get_latest_version("bets-value").schema_id == 1
    deserializer = AvroDeserializer(fresh(server))
    assert deserializer(data, VALUE) == {"RACE_ID": 7, "STAKE": 2.5}
    assert deserializer(None, VALUE) is None


def test_avro_with_use_latest_version(client: SchemaRegistryClient,
                                      server: ServerThread) -> None:
    client.register_schema("bets-value", Schema(BET, "AVRO"))
    serializer = AvroSerializer(fresh(server), BET, conf={"auto.register.schemas": False,
                                                          "use.latest.version": True})
    data = serializer({"RACE_ID": 1, "STAKE": None}, VALUE)
    assert data is not None and struct.unpack(">bI", data[:5]) == (0, 1)
    reader = AvroDeserializer(fresh(server), BET, conf={"use.latest.version": True})
    assert reader(data, VALUE) == {"RACE_ID": 1, "STAKE": None}
    # Without auto-registration the serializer looks the schema up instead.
    lookup = AvroSerializer(fresh(server), BET, conf={"auto.register.schemas": False})
    assert lookup({"RACE_ID": 2, "STAKE": 1.0}, VALUE)[:5] == b"\x00\x00\x00\x00\x01"
    unknown = AvroSerializer(fresh(server), USER_V1, conf={"auto.register.schemas": False})
    with pytest.raises(SchemaRegistryError) as excinfo:
        unknown({"id": 1}, VALUE)
    assert (excinfo.value.error_code, excinfo.value.error_message) == (40403, "Schema not found")


def test_json_schema_round_trip(client: SchemaRegistryClient, server: ServerThread) -> None:
    serializer = JSONSerializer(BET_JSON, client)
    data = serializer({"race_id": 3, "stake": 4.5}, VALUE)
    assert data is not None
    assert struct.unpack(">bI", data[:5]) == (0, 1)
    assert json.loads(data[5:]) == {"race_id": 3, "stake": 4.5}
    registered = fresh(server).get_schema(1)
    assert (registered.schema_type, json.loads(registered.schema_str)) == (
        "JSON", json.loads(BET_JSON))
    deserializer = JSONDeserializer(None, schema_registry_client=fresh(server))
    assert deserializer(data, VALUE) == {"race_id": 3, "stake": 4.5}
    latest = JSONSerializer(BET_JSON, fresh(server),
                            conf={"auto.register.schemas": False, "use.latest.version": True})
    assert latest({"race_id": 5}, VALUE)[:5] == b"\x00\x00\x00\x00\x01"
