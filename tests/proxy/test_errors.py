"""Bad input gets kafka-rest's status, error code and message (spec §3.5), never a 500,
and a rejected produce request appends nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.proxy.helpers import (
    AVRO,
    BET_SCHEMA,
    BINARY,
    JSON,
    PROTOBUF,
    V2,
    create_topic,
    error,
    new_consumer,
    post,
    register,
)
from tests.proxy.process import start_proxy

from tote.log.base import Log

RECORD = {"records": [{"value": {"RUNNER_ID": {"int": 1}}}]}


@pytest.fixture
def bets(client: httpx.Client, registry_url: str, names: str) -> tuple[str, int]:
    """A topic whose `-value` subject holds the seed's bet schema; (topic, schema id)."""
    create_topic(client, names, partitions=2)
    return names, register(registry_url, f"{names}-value", BET_SCHEMA)


def end_offsets(log: Log, topic: str) -> list[int]:
    return [p.end_offset for p in log.describe_topic(topic).partitions]


# kafka-rest v2's answers: its Errors wording (no topic named) where it produces or commits;
# Kafka's UnknownTopicOrPartitionException (rest-utils: 404 / 40403) where a GET under
# /topics/{t} describes an unknown topic.
TOPIC_NOT_FOUND = (404, 40401, "Topic not found.")
PARTITION_NOT_FOUND = (404, 40402, "Partition not found.")
UNKNOWN_TOPIC_OR_PARTITION = (404, 40403, "This server does not host this topic-partition.")


def test_unknown_topic(client: httpx.Client) -> None:
    assert error(post(client, "/topics/nope", {"records": [{"value": "AA=="}]}, BINARY)) == (
        TOPIC_NOT_FOUND)
    assert error(post(client, "/topics/nope/partitions/0", {"records": [{"value": 1}]},
                      JSON)) == TOPIC_NOT_FOUND
    for path in ("/topics/nope", "/topics/nope/partitions", "/topics/nope/partitions/0",
                 "/topics/nope/partitions/0/offsets"):
        assert error(client.get(path)) == UNKNOWN_TOPIC_OR_PARTITION, path


def test_unknown_partition(client: httpx.Client, names: str) -> None:
    create_topic(client, names, partitions=2)
    assert error(post(client, f"/topics/{names}/partitions/2", {"records": [{"value": 1}]},
                      JSON)) == PARTITION_NOT_FOUND
    for partition in (2, -1):
        body = {"records": [{"value": 1, "partition": partition}]}
        assert error(post(client, f"/topics/{names}", body, JSON)) == PARTITION_NOT_FOUND
    assert error(client.get(f"/topics/{names}/partitions/2")) == PARTITION_NOT_FOUND
    assert error(client.get(f"/topics/{names}/partitions/2/offsets")) == PARTITION_NOT_FOUND


def test_unknown_topics_and_partitions_of_a_consumer(client: httpx.Client, names: str) -> None:
    create_topic(client, names, partitions=2)
    base = new_consumer(client, f"{names}_g", "c1", "json")
    assert error(post(client, f"{base}/assignments",
                      {"partitions": [{"topic": "nope", "partition": 0}]})) == TOPIC_NOT_FOUND
    assert error(post(client, f"{base}/assignments",
                      {"partitions": [{"topic": names, "partition": 2}]})) == PARTITION_NOT_FOUND
    assert error(post(client, f"{base}/offsets",
                      {"offsets": [{"topic": "nope", "partition": 0, "offset": 1}]})) == (
        TOPIC_NOT_FOUND)
    assert error(post(client, f"{base}/offsets",
                      {"offsets": [{"topic": names, "partition": 2, "offset": 1}]})) == (
        PARTITION_NOT_FOUND)
    # GET .../offsets without a body: kafka-rest's resource answers 40402 before it looks
    # the instance up.
    for instance in (base, f"/consumers/{names}_g/instances/ghost"):
        response = client.request("GET", f"{instance}/offsets", headers={"Content-Type": V2})
        assert error(response) == PARTITION_NOT_FOUND, instance


def test_v3_keeps_its_own_words_for_an_unknown_topic(client: httpx.Client) -> None:
    missing = client.post("/v3/clusters/tote/topics/nope/records",
                          json={"value": {"type": "JSON", "data": 1}})
    assert missing.json() == {"error_code": 40401, "message": "Topic 'nope' not found."}
    assert error(client.get("/v3/clusters/tote/topics/nope")) == UNKNOWN_TOPIC_OR_PARTITION


def test_missing_key_and_value_schemas(client: httpx.Client, bets: tuple[str, int]) -> None:
    topic, schema_id = bets
    assert error(post(client, f"/topics/{topic}", RECORD, AVRO)) == (
        422, 42202, "Request includes values but does not include value schema")
    keyed = {"value_schema_id": schema_id,
             "records": [{"key": "race-0", "value": {"RUNNER_ID": {"int": 1}}}]}
    assert error(post(client, f"/topics/{topic}", keyed, AVRO)) == (
        422, 42201, "Request includes keys but does not include key schema")
    both = {"records": [{"key": "race-0", "value": {"RUNNER_ID": {"int": 1}}}]}
    assert error(post(client, f"/topics/{topic}", both, AVRO))[:2] == (422, 42201)


def test_schema_id_not_found_or_not_under_the_subject(client: httpx.Client, registry_url: str,
                                                       bets: tuple[str, int]) -> None:
    topic, _ = bets
    assert error(post(client, f"/topics/{topic}", {"value_schema_id": 999, **RECORD}, AVRO)) == (
        422, 42207,
        "Error serializing message. Error when fetching schema by id. schemaId = 999\n"
        "Schema 999 not found; error code: 40403")
    other = register(registry_url, "elsewhere-value", '"string"')
    status, code, message = error(
        post(client, f"/topics/{topic}", {"value_schema_id": other, **RECORD}, AVRO))
    assert (status, code) == (422, 42207)
    assert message.startswith(
        f'Error serializing message. Error when fetching schema version. subject = {topic}-value, '
        'schema = "string"')


def test_values_that_do_not_match_the_schema(client: httpx.Client, log: Log,
                                             bets: tuple[str, int]) -> None:
    topic, schema_id = bets
    unwrapped = {"value_schema_id": schema_id, "records": [{"value": {"RUNNER_ID": 1}}]}
    assert error(post(client, f"/topics/{topic}", unwrapped, AVRO)) == (
        422, 42203,
        "Conversion of JSON to Avro failed at /RUNNER_ID: expected a union value wrapped as "
        "{\"<branch>\": value} with branch one of ['int'], got 1")
    wrong_type = {"value_schema_id": schema_id,
                  "records": [{"value": {"RUNNER_ID": {"int": "one"}}}]}
    assert error(post(client, f"/topics/{topic}", wrong_type, AVRO)) == (
        422, 42203, 'Conversion of JSON to Avro failed at /RUNNER_ID/int: expected int, got "one"')
    assert end_offsets(log, topic) == [0, 0]


def test_a_bad_record_anywhere_in_a_batch_appends_none(client: httpx.Client, log: Log,
                                                       bets: tuple[str, int]) -> None:
    topic, schema_id = bets
    good = {"value": {"RUNNER_ID": {"int": 1}, "RACE_ID": {"int": 0}, "AMOUNT": {"double": 5.0}}}
    body = {"value_schema_id": schema_id,
            "records": [good, good, {"value": {"AMOUNT": {"double": "lots"}}}, good]}
    assert error(post(client, f"/topics/{topic}", body, AVRO))[:2] == (422, 42203)
    mixed = {"records": [{"value": "AA==", "partition": 0}, {"value": "AA==", "partition": 9}]}
    assert error(post(client, f"/topics/{topic}", mixed, BINARY)) == PARTITION_NOT_FOUND
    base64_last = {"records": [{"value": "AA=="}, {"value": "not base64!"}]}
    assert error(post(client, f"/topics/{topic}", base64_last, BINARY))[:2] == (400, 400)
    assert end_offsets(log, topic) == [0, 0]


def test_invalid_and_incompatible_schemas(client: httpx.Client, bets: tuple[str, int]) -> None:
    topic, _ = bets
    body = {"value_schema": '{"type": "recrod"}', **RECORD}
    assert error(post(client, f"/topics/{topic}", body, AVRO)) == (
        422, 42205, 'Invalid schema: Error when parsing raw schema. format = AVRO, '
        'schema = {"type": "recrod"}')
    incompatible = {"value_schema": json.dumps({
        "type": "record", "name": "KsqlDataSourceSchema",
        "namespace": "io.confluent.ksql.avro_schemas",
        "fields": [{"name": "RUNNER_ID", "type": "string"}]}), "records": [{"value": {
            "RUNNER_ID": "x"}}]}
    status, code, message = error(post(client, f"/topics/{topic}", incompatible, AVRO))
    assert (status, code) == (422, 42207)
    assert message.startswith(
        f"Error serializing message. Error when registering schema. format = AVRO, "
        f"subject = {topic}-value, schema = ")
    assert message.endswith("; error code: 409")


def test_binary_data_must_be_base64(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    assert error(post(client, f"/topics/{names}", {"records": [{"value": "!!notbase64"}]},
                      BINARY)) == (
        400, 400, 'Bad Request: data="!!notbase64" is not a valid base64 string.')
    assert error(post(client, f"/topics/{names}", {"records": [{"key": 12, "value": "AA=="}]},
                      BINARY)) == (400, 400, "Bad Request: data=12 is not a base64 string.")


def test_malformed_bodies(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    raw = client.post(f"/topics/{names}", content=b'{"records": [',
                      headers={"Content-Type": JSON})
    assert error(raw) == (400, 400, "Unexpected character in request body: Expecting value "
                                    "(line 1, column 14)")
    assert error(post(client, f"/topics/{names}", {"records": {"value": 1}}, JSON)) == (
        400, 400, "Cannot deserialize value of type `List` from an object (records)")
    assert error(post(client, f"/topics/{names}", [1, 2], JSON)) == (
        400, 400, "Cannot deserialize ProduceRequest from an array: expected an object")
    assert error(post(client, f"/topics/{names}", {"value_schema_id": "x", "records": [
        {"value": 1}]}, AVRO)) == (
        400, 400, 'Cannot deserialize value of type `int` from String "x": not a valid `int` '
                  "value (value_schema_id)")
    assert error(post(client, f"/topics/{names}", {"records": []}, JSON)) == (
        422, 422, "records must not be empty")
    assert error(client.post(f"/topics/{names}", content=b"", headers={"Content-Type": JSON})) == (
        400, 400, "Cannot deserialize ProduceRequest from null: expected an object")


def test_wrong_content_types(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    for content_type in ("text/plain", "application/xml", "application/vnd.kafka.avro.v3+json"):
        response = post(client, f"/topics/{names}", {"records": [{"value": "AA=="}]},
                        content_type)
        assert error(response) == (415, 415, "HTTP 415 Unsupported Media Type")
    response = post(client, "/consumers/g", {"format": "binary"}, "text/plain")
    assert error(response) == (415, 415, "HTTP 415 Unsupported Media Type")


def test_protobuf_values_that_do_not_fit(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    body = {"value_schema": 'syntax = "proto3"; message M { int32 a = 1; }',
            "records": [{"value": {"a": "many"}}]}
    assert error(post(client, f"/topics/{names}", body, PROTOBUF)) == (
        422, 42203, "Conversion of JSON to Object failed: Failed to parse a field: invalid "
        "literal for int() with base 10: 'many'.")
    body = {"value_schema": 'syntax = "proto3"; message M { int32 a = 1; }',
            "records": [{"value": {"b": 1}}]}
    assert error(post(client, f"/topics/{names}", body, PROTOBUF)) == (
        422, 42203, 'Conversion of JSON to Object failed: Message type "M" has no field '
        'named "b" at "M".\n Available Fields(except extensions): "[\'a\']"')


def test_unknown_routes_and_methods(client: httpx.Client) -> None:
    assert error(client.get("/nothing/here")) == (404, 404, "HTTP 404 Not Found")
    assert error(client.get("/topics/t/partitions/abc")) == (404, 404, "HTTP 404 Not Found")
    assert error(client.delete("/topics")) == (405, 405, "HTTP 405 Method Not Allowed")


def test_consumer_errors(client: httpx.Client, names: str) -> None:
    group = f"{names}_g"
    missing = f"/consumers/{group}/instances/ghost"
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("GET", "/records", None), ("POST", "/subscription", {"topics": ["x"]}),
        ("GET", "/subscription", None), ("DELETE", "/subscription", None),
        ("POST", "/offsets", {"offsets": []}),
        ("GET", "/offsets", {"partitions": [{"topic": "x", "partition": 0}]}),
        ("POST", "/assignments", {"partitions": []}), ("GET", "/assignments", None),
        ("POST", "/positions", {"offsets": []}),
        ("POST", "/positions/beginning", {"partitions": []}),
        ("POST", "/positions/end", {"partitions": []}), ("DELETE", "", None),
    ]
    for method, path, body in requests:
        response = client.request(method, missing + path, headers={"Content-Type": V2},
                                  content=json.dumps(body).encode() if body else None)
        assert error(response) == (404, 40403, "Consumer instance not found."), (method, path)

    base = new_consumer(client, group, "c1", "avro")
    assert error(post(client, f"/consumers/{group}", {"name": "c1"})) == (
        409, 40902,
        "Consumer with specified consumer ID already exists in the specified consumer group.")
    assert error(post(client, f"/consumers/{group}", {"format": "xml"})) == (
        422, 422, "Invalid format type.")
    assert error(post(client, f"/consumers/{group}", {"auto.offset.reset": "smallest"})) == (
        422, 42204, "Invalid consumer configuration: Invalid value smallest for configuration "
        "auto.offset.reset: String must be one of: latest, earliest")
    assert error(post(client, f"/consumers/{group}", {"auto.commit.enable": "yes"})) == (
        422, 42204, "Invalid consumer configuration: Invalid value yes for configuration "
        "enable.auto.commit: Expected value to be either true or false")
    assert error(post(client, f"/consumers/{group}", {"fetch.min.bytes": 20000000})) == (
        400, 40001, "Invalid consumer configuration. It does not abide by the constraints: "
        "Invalid value 20000000 for configuration fetch.min.bytes: Value must be no more "
        "than 10000000")
    response = client.get(f"{base}/records", headers={"Accept": BINARY})
    assert error(response) == (406, 40601, "The requested embedded data format does not match "
                               "the deserializer for this consumer instance")
    assert error(client.get(f"{base}/records", headers={"Accept": AVRO})) == (
        409, 40903,
        "Illegal state: Consumer is not subscribed to any topics or assigned any partitions")
    assert error(post(client, f"{base}/subscription", {"topic_pattern": "("})) == (
        400, 400, "Bad Request: Invalid topic_pattern '(': missing ), unterminated subpattern "
        "at position 0")
    assert error(client.get(f"{base}/records", params={"timeout": "soon"},
                            headers={"Accept": AVRO})) == (
        400, 400, "Query parameter timeout must be a number, got 'soon'.")
    seek = post(client, f"{base}/positions",
                {"offsets": [{"topic": names, "partition": 0, "offset": 3}]})
    assert error(seek) == (409, 40903, f"Illegal state: No current assignment for partition "
                                       f"{names}-0")


def test_registry_unreachable_is_40801(tmp_path: Path) -> None:
    from tote.core.listen import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    running = start_proxy(tmp_path / "home", "--schema-registry-url", dead)
    try:
        with httpx.Client(base_url=running.url, timeout=60) as client:
            create_topic(client, "bets")
            status, code, message = error(post(
                client, "/topics/bets", {"value_schema_id": 1, **RECORD}, AVRO))
    finally:
        running.stop()
    assert (status, code) == (408, 40801)
    assert message.startswith(f"Schema registry at {dead} could not be reached: ")


GARBAGE = [b"", b"null", b"0", b"[]", b'"x"', b"{}", b'{"records": null}', b'{"records": [null]}',
           b'{"records": [1]}', b'{"records": [{"partition": "x"}]}',
           b'{"records": [{"partition": 1e99}]}', b"\xff\xfe", b'{"records": [{"value": {}}]}',
           b'{"value_schema": 5, "records": [{"value": 1}]}',
           b'{"value_schema": "", "records": [{"value": 1}]}',
           b'{"key_schema_id": 1, "key_schema": "\\"int\\"", "records": [{"key": 1}]}']


@pytest.mark.parametrize("content_type", [BINARY, JSON, AVRO])
def test_garbage_never_gets_a_500(client: httpx.Client, names: str, content_type: str) -> None:
    create_topic(client, names)
    for body in GARBAGE:
        response = client.post(f"/topics/{names}", content=body,
                               headers={"Content-Type": content_type})
        assert response.status_code < 500, (body, response.text)
        if response.status_code != 200:
            assert set(response.json()) == {"error_code", "message"}
    for body in GARBAGE:
        for path in (f"/consumers/{names}", "/v3/clusters/tote/topics",
                     f"/v3/clusters/tote/topics/{names}/records"):
            response = client.post(path, content=body, headers={"Content-Type": V2})
            assert response.status_code < 500, (path, body, response.text)
