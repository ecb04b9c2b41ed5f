"""v2 consumers against `tote serve rest-proxy`: instances, subscriptions, records in every
format, offsets, positions, assignments, group sharing and idle expiry."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import httpx
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from tests.proxy.helpers import (
    AVRO,
    BET_SCHEMA,
    BINARY,
    JSON,
    JSONSCHEMA,
    PROTOBUF,
    V2,
    create_topic,
    error,
    new_consumer,
    post,
    read_until,
)
from tests.proxy.process import ProxyProcess, start_proxy

from tote.core.records import Record, TopicPartition
from tote.log.base import Log

FAST = {"fetch.min.bytes": 1, "consumer.request.timeout.ms": 500}


def produce_json(client: httpx.Client, topic: str, *values: object,
                 partition: int | None = None) -> None:
    path = f"/topics/{topic}" + (f"/partitions/{partition}" if partition is not None else "")
    response = post(client, path, {"records": [{"value": v} for v in values]}, JSON)
    assert response.status_code == 200, response.text


def subscribe(client: httpx.Client, base: str, *topics: str) -> None:
    response = post(client, f"{base}/subscription", {"topics": list(topics)})
    assert response.status_code == 204, response.text


def committed(client: httpx.Client, base: str, topic: str, *partitions: int) -> object:
    body = {"partitions": [{"topic": topic, "partition": p} for p in partitions]}
    response = client.request("GET", f"{base}/offsets", json=body, headers={"Content-Type": V2})
    assert response.status_code == 200, response.text
    return response.json()


def test_binary_consumer_lifecycle(client: httpx.Client, proxy_url: str, names: str) -> None:
    create_topic(client, names)
    post(client, f"/topics/{names}", {"records": [
        {"key": base64.b64encode(b"k").decode(), "value": base64.b64encode(b"v1").decode()},
        {"value": base64.b64encode(b"v2").decode()}]}, BINARY)
    group = f"{names}_g"
    created = post(client, f"/consumers/{group}",
                   {"name": "my_consumer", "format": "binary", "auto.offset.reset": "earliest",
                    "auto.commit.enable": "false", **FAST})
    assert created.status_code == 200
    assert created.headers["content-type"] == V2
    base = f"{proxy_url}/consumers/{group}/instances/my_consumer"
    assert created.json() == {"instance_id": "my_consumer", "base_uri": base}
    subscribe(client, base, names)
    assert client.get(f"{base}/subscription").json() == {"topics": [names]}
    records = read_until(client, base, BINARY, 2)
    assert records == [
        {"topic": names, "key": base64.b64encode(b"k").decode(),
         "value": base64.b64encode(b"v1").decode(), "partition": 0, "offset": 0},
        {"topic": names, "key": None, "value": base64.b64encode(b"v2").decode(),
         "partition": 0, "offset": 1},
    ]
    assert client.get(f"{base}/assignments").json() == {
        "partitions": [{"topic": names, "partition": 0}]}
    # auto.commit.enable=false: nothing is committed until the client commits.
    assert committed(client, base, names, 0) == {"offsets": []}
    commit = post(client, f"{base}/offsets",
                  {"offsets": [{"topic": names, "partition": 0, "offset": 0}]})
    assert commit.json() == [{"topic": names, "partition": 0, "consumed": 2, "committed": 1}]
    assert committed(client, base, names, 0) == {
        "offsets": [{"topic": names, "partition": 0, "offset": 1, "metadata": ""}]}
    # An empty commit commits everything handed out so far.
    assert post(client, f"{base}/offsets", None).json() == [
        {"topic": names, "partition": 0, "consumed": 2, "committed": 2}]
    assert committed(client, base, names, 0)["offsets"][0]["offset"] == 2  # type: ignore[index]
    assert client.delete(f"{base}/subscription").status_code == 204
    assert client.get(f"{base}/subscription").json() == {"topics": []}
    assert client.delete(base, headers={"Content-Type": V2}).status_code == 204
    assert error(client.get(f"{base}/subscription")) == (
        404, 40403, "Consumer instance not found.")


def test_generated_names_and_default_format(client: httpx.Client, names: str) -> None:
    first = post(client, f"/consumers/{names}_g", None).json()
    second = post(client, f"/consumers/{names}_g", {}).json()
    assert first["instance_id"].startswith("rest-consumer-")
    assert first["instance_id"] != second["instance_id"]
    assert first["base_uri"].endswith(f"/consumers/{names}_g/instances/{first['instance_id']}")
    # The default format is binary: an Accept of another format is refused.
    response = client.get(f"{first['base_uri']}/records", headers={"Accept": JSON})
    assert error(response)[:2] == (406, 40601)


def test_json_consumer_with_auto_commit(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    produce_json(client, names, {"runner": 1}, [1, "two"], None)
    base = new_consumer(client, f"{names}_g", "c", "json", **FAST)
    subscribe(client, base, names)
    records = read_until(client, base, JSON, 3)
    assert [r["value"] for r in records] == [{"runner": 1}, [1, "two"], None]
    assert committed(client, base, names, 0) == {
        "offsets": [{"topic": names, "partition": 0, "offset": 3, "metadata": ""}]}


def test_avro_consumer_reads_avro_json(client: httpx.Client, registry_url: str,
                                       names: str) -> None:
    create_topic(client, names)
    body = {"value_schema": BET_SCHEMA, "key_schema": '"string"', "records": [
        {"key": "r0", "value": {"RUNNER_ID": {"int": 1}, "RACE_ID": {"int": 0},
                                "AMOUNT": {"double": 25.0}}},
        {"key": "r0", "value": {"RUNNER_ID": None, "RACE_ID": {"int": 0}, "AMOUNT": None}}]}
    assert post(client, f"/topics/{names}", body, AVRO).status_code == 200
    base = new_consumer(client, f"{names}_g", "c", "AVRO", **FAST)
    subscribe(client, base, names)
    records = read_until(client, base, AVRO, 2)
    assert records == [
        {"topic": names, "key": "r0", "value": {"RUNNER_ID": {"int": 1}, "RACE_ID": {"int": 0},
                                                 "AMOUNT": {"double": 25.0}},
         "partition": 0, "offset": 0},
        {"topic": names, "key": "r0", "value": {"RUNNER_ID": None, "RACE_ID": {"int": 0},
                                                 "AMOUNT": None},
         "partition": 0, "offset": 1},
    ]


def test_jsonschema_consumer(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    schema = '{"type": "object", "properties": {"n": {"type": "integer"}}}'
    assert post(client, f"/topics/{names}", {"value_schema": schema,
                                             "records": [{"value": {"n": 3}}]},
                JSONSCHEMA).status_code == 200
    base = new_consumer(client, f"{names}_g", "c", "jsonschema", **FAST)
    subscribe(client, base, names)
    assert [r["value"] for r in read_until(client, base, JSONSCHEMA, 1)] == [{"n": 3}]


def test_a_record_that_does_not_decode_is_an_error_not_a_500(client: httpx.Client, log: Log,
                                                             names: str) -> None:
    create_topic(client, names)
    log.append(names, [Record(b"not framed")])
    base = new_consumer(client, f"{names}_g", "c", "avro", **FAST)
    subscribe(client, base, names)
    deadline = time.monotonic() + 60
    while True:
        response = client.get(f"{base}/records", headers={"Accept": AVRO})
        if response.status_code != 200:
            break
        assert response.json() == [] and time.monotonic() < deadline
    assert error(response) == (408, 40801, (
        f"Error deserializing value for partition {names}-0 at offset 0. Unknown magic byte!"))
    # The bad record stays first in line (as on Kafka) until the client seeks past it.
    assert error(client.get(f"{base}/records", headers={"Accept": AVRO}))[:2] == (408, 40801)
    body = {"value_schema": '"int"', "records": [{"value": 7}]}
    assert post(client, f"/topics/{names}", body, AVRO).status_code == 200
    assert post(client, f"{base}/positions",
                {"offsets": [{"topic": names, "partition": 0, "offset": 1}]}).status_code == 204
    assert [r["value"] for r in read_until(client, base, AVRO, 1)] == [7]


def test_a_json_record_holding_a_lone_surrogate_is_read_as_its_escape(
    client: httpx.Client, log: Log, names: str
) -> None:
    """Stored JSON may escape half a UTF-16 pair (`"\\ud800"`, written by any Kafka
    client); it has no UTF-8 form, so the answer carries the escape, not a 500."""
    create_topic(client, names)
    log.append(names, [Record(b'"a\\ud800"', b'{"\\udc00":1}')])
    base = new_consumer(client, f"{names}_g", "c", "json", **FAST)
    subscribe(client, base, names)
    [record] = read_until(client, base, JSON, 1)
    assert (record["key"], record["value"]) == ({"\udc00": 1}, "a\ud800")


def test_seek_positions_and_assignments(client: httpx.Client, names: str) -> None:
    create_topic(client, names, partitions=2)
    produce_json(client, names, 0, 1, 2, 3, partition=0)
    produce_json(client, names, 10, 11, partition=1)
    base = new_consumer(client, f"{names}_g", "c", "json", **FAST)
    assigned = post(client, f"{base}/assignments",
                    {"partitions": [{"topic": names, "partition": 0}]})
    assert assigned.status_code == 204
    assert client.get(f"{base}/assignments").json() == {
        "partitions": [{"topic": names, "partition": 0}]}
    assert [r["value"] for r in read_until(client, base, JSON, 4)] == [0, 1, 2, 3]
    seek = post(client, f"{base}/positions",
                {"offsets": [{"topic": names, "partition": 0, "offset": 2}]})
    assert seek.status_code == 204
    assert [r["offset"] for r in read_until(client, base, JSON, 2)] == [2, 3]
    to_start = post(client, f"{base}/positions/beginning",
                    {"partitions": [{"topic": names, "partition": 0}]})
    assert to_start.status_code == 204
    assert [r["value"] for r in read_until(client, base, JSON, 4)] == [0, 1, 2, 3]
    to_end = post(client, f"{base}/positions/end",
                  {"partitions": [{"topic": names, "partition": 0}]})
    assert to_end.status_code == 204
    produce_json(client, names, 4, partition=0)
    assert [r["value"] for r in read_until(client, base, JSON, 1)] == [4]
    # Reassigning replaces the assignment; subscribing while assigned is illegal.
    post(client, f"{base}/assignments", {"partitions": [{"topic": names, "partition": 1}]})
    assert [r["value"] for r in read_until(client, base, JSON, 2)] == [10, 11]
    assert error(post(client, f"{base}/subscription", {"topics": [names]})) == (
        409, 40903, "Illegal state: Subscription to topics, partitions and pattern are "
        "mutually exclusive")
    assert error(post(client, f"{base}/assignments",
                      {"partitions": [{"topic": names, "partition": 5}]})) == (
        404, 40402, "Partition not found.")


def test_timeout_and_max_bytes(client: httpx.Client, names: str) -> None:
    create_topic(client, names)
    base = new_consumer(client, f"{names}_g", "c", "binary")
    subscribe(client, base, names)
    empty = client.get(f"{base}/records", params={"timeout": 200}, headers={"Accept": BINARY})
    assert (empty.status_code, empty.json()) == (200, [])
    post(client, f"/topics/{names}", {"records": [{"value": base64.b64encode(b"x" * 10).decode()}
                                                  for _ in range(5)]}, BINARY)
    got: list[int] = []
    deadline = time.monotonic() + 60
    while len(got) < 5:
        assert time.monotonic() < deadline
        response = client.get(f"{base}/records", params={"max_bytes": 25, "timeout": 300},
                              headers={"Accept": BINARY})
        batch = [r["offset"] for r in response.json()]
        assert len(batch) <= 2  # 10 + 10 < 25, a third would reach it
        got.extend(batch)
    assert got == [0, 1, 2, 3, 4]


def test_pattern_subscription_picks_up_new_topics(client: httpx.Client, names: str) -> None:
    create_topic(client, f"{names}_a")
    base = new_consumer(client, f"{names}_g", "c", "json", **FAST)
    response = post(client, f"{base}/subscription", {"topic_pattern": f"{names}_.*"})
    assert response.status_code == 204
    produce_json(client, f"{names}_a", "a")
    assert [r["value"] for r in read_until(client, base, JSON, 1)] == ["a"]
    create_topic(client, f"{names}_b")
    produce_json(client, f"{names}_b", "b")
    assert [(r["topic"], r["value"]) for r in read_until(client, base, JSON, 1)] == [
        (f"{names}_b", "b")]
    assert client.get(f"{base}/subscription").json() == {
        "topics": [f"{names}_a", f"{names}_b"]}


def _settle(client: httpx.Client, bases: list[str], timeout: float = 60.0) -> list[set[int]]:
    """Poll every instance until each owns exactly one partition; return the assignments."""
    deadline = time.monotonic() + timeout
    while True:
        owned = []
        for base in bases:
            response = client.get(f"{base}/records", headers={"Accept": JSON})
            assert response.json() == []
            owned.append({p["partition"] for p in
                          client.get(f"{base}/assignments").json()["partitions"]})
        if all(len(o) == 1 for o in owned) and set.union(*owned) == {0, 1}:
            return owned
        assert time.monotonic() < deadline, owned


def test_instances_of_a_group_share_partitions(client: httpx.Client, names: str) -> None:
    create_topic(client, names, partitions=2)
    group = f"{names}_g"
    bases = [new_consumer(client, group, name, "json", **FAST) for name in ("a", "b")]
    for base in bases:
        subscribe(client, base, names)
    owned = _settle(client, bases)
    produce_json(client, names, "p0-0", "p0-1", partition=0)
    produce_json(client, names, "p1-0", partition=1)
    expected = {0: ["p0-0", "p0-1"], 1: ["p1-0"]}
    for base, parts in zip(bases, owned, strict=True):
        (partition,) = parts
        got = read_until(client, base, JSON, len(expected[partition]))
        assert [(r["partition"], r["value"]) for r in got] == [
            (partition, v) for v in expected[partition]]


def test_instances_share_partitions_with_other_consumers_of_the_log(
        client: httpx.Client, log: Log, names: str) -> None:
    create_topic(client, names, partitions=2)
    group = f"{names}_g"
    base = new_consumer(client, group, "rest", "json", **FAST)
    subscribe(client, base, names)
    with log.consumer(group, [names], auto_offset_reset="earliest") as member:
        deadline = time.monotonic() + 60
        while True:
            assert client.get(f"{base}/records", headers={"Accept": JSON}).json() == []
            assert member.poll(0.2) == []
            rest = {p["partition"] for p in
                    client.get(f"{base}/assignments").json()["partitions"]}
            mine = {tp.partition for tp in member.assignment()}
            if len(rest) == 1 and len(mine) == 1 and rest | mine == {0, 1}:
                break
            assert time.monotonic() < deadline, (rest, mine)
        produce_json(client, names, "zero", partition=0)
        produce_json(client, names, "one", partition=1)
        (rest_partition,) = rest
        got = read_until(client, base, JSON, 1)
        assert [(r["partition"], r["value"]) for r in got] == [
            (rest_partition, "zero" if rest_partition == 0 else "one")]
        deadline = time.monotonic() + 60
        mine_records = []
        while not mine_records:
            assert time.monotonic() < deadline
            mine_records = member.poll(1.0)
        assert [(r.partition, r.value) for r in mine_records] == [
            (1 - rest_partition, b'"one"' if rest_partition == 0 else b'"zero"')]
        assert member.assignment() == {TopicPartition(names, 1 - rest_partition)}


def test_idle_instances_expire(tmp_path: Path) -> None:
    running: ProxyProcess = start_proxy(tmp_path / "home", "--consumer-instance-timeout-ms",
                                        "1000")
    try:
        with httpx.Client(base_url=running.url, timeout=60) as client:
            create_topic(client, "bets")
            base = new_consumer(client, "g", "idle", **FAST)
            subscribe(client, base, "bets")
            assert client.get(f"{base}/records", headers={"Accept": BINARY}).status_code == 200
            # Re-creating the name does not touch the instance: 409 while it lives, then 200.
            deadline = time.monotonic() + 60
            while (again := post(client, "/consumers/g", {"name": "idle"})).status_code == 409:
                assert time.monotonic() < deadline, "the idle instance never expired"
                time.sleep(0.2)
            assert again.status_code == 200
            assert client.get(f"{base}/subscription").json() == {"topics": []}
    finally:
        running.stop()


def test_protobuf_consumer_prints_json_format(client: httpx.Client, log: Log,
                                              names: str) -> None:
    create_topic(client, names)
    schema = ('syntax = "proto3";\nmessage Bet {\n  int32 runner_id = 1;\n  int64 race_id = 2;\n'
              '  double amount = 3;\n  repeated string tags = 4;\n}\n')
    body = {"value_schema": schema, "records": [
        {"value": {"runner_id": 1, "race_id": 7, "amount": 25.0, "tags": ["win"]}},
        {"value": {"runnerId": 2}}]}
    assert post(client, f"/topics/{names}", body, PROTOBUF).status_code == 200
    base = new_consumer(client, f"{names}_g", "c", "protobuf", **FAST)
    subscribe(client, base, names)
    # JsonFormat: lowerCamelCase names, int64 as a string, defaults printed.
    assert [r["value"] for r in read_until(client, base, PROTOBUF, 2)] == [
        {"runnerId": 1, "raceId": "7", "amount": 25.0, "tags": ["win"]},
        {"runnerId": 2, "raceId": "0", "amount": 0.0, "tags": []},
    ]
    # confluent-kafka's deserializer reads the framing (magic byte, id, message index).
    proto = descriptor_pb2.FileDescriptorProto(name="bet.proto", syntax="proto3")
    bet = proto.message_type.add(name="Bet")
    field = descriptor_pb2.FieldDescriptorProto
    for name, number, kind, label in [
            ("runner_id", 1, field.TYPE_INT32, field.LABEL_OPTIONAL),
            ("race_id", 2, field.TYPE_INT64, field.LABEL_OPTIONAL),
            ("amount", 3, field.TYPE_DOUBLE, field.LABEL_OPTIONAL),
            ("tags", 4, field.TYPE_STRING, field.LABEL_REPEATED)]:
        bet.field.add(name=name, number=number, type=kind, label=label)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    bet_class = message_factory.GetMessageClass(pool.FindMessageTypeByName("Bet"))
    deserialize = ProtobufDeserializer(bet_class, {"use.deprecated.format": False})
    first = log.read(TopicPartition(names, 0), 0)[0]
    message = deserialize(first.value, SerializationContext(names, MessageField.VALUE))
    assert (message.runner_id, message.race_id, message.amount, list(message.tags)) == (
        1, 7, 25.0, ["win"])
