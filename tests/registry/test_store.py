"""The `_schemas` topic as the only source of truth: record bytes, replay, several registries."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from tests.registry.schemas import JSON_SCHEMA, OTHER, USER_V1, USER_V2, avro_record

from tote.core.clock import SYSTEM_CLOCK
from tote.core.errors import ToteError
from tote.core.records import Record, TopicPartition
from tote.log.base import Log
from tote.registry import Registry, SchemaRequest
from tote.registry.follower import TopicFollower
from tote.registry.records import CorruptRecord
from tote.serde.schemas import Reference, SchemaType


def topic_records(log: Log) -> list[tuple[bytes | None, bytes | None]]:
    return [(r.key, r.value) for r in log.read(TopicPartition("_schemas", 0), 0, 10_000)]


def test_topic_is_one_compacted_partition(registry: Registry, log: Log) -> None:
    spec = log.describe_topic("_schemas").spec
    assert (spec.partitions, spec.config("cleanup.policy")) == (1, "compact")


def test_records_have_confluents_exact_bytes(registry: Registry, log: Log) -> None:
    registry.register("a-value", USER_V1)
    registry.register("j-value", SchemaRequest(JSON_SCHEMA, SchemaType.JSON))
    registry.set_config(None, "FULL")
    registry.set_config("a-value", "NONE")
    registry.set_mode("a-value", "READONLY")
    registry.delete_mode("a-value")
    registry.delete_subject("j-value")
    registry.delete_version("a-value", 1)
    registry.delete_subject("a-value", permanent=True)
    user = USER_V1.replace('"', '\\"')
    js = JSON_SCHEMA.replace('"', '\\"')
    assert topic_records(log) == [
        (b'{"keytype":"SCHEMA","subject":"a-value","version":1,"magic":1}',
         b'{"subject":"a-value","version":1,"id":1,"schema":"' + user.encode()
         + b'","deleted":false}'),
        (b'{"keytype":"SCHEMA","subject":"j-value","version":1,"magic":1}',
         b'{"subject":"j-value","version":1,"id":2,"schemaType":"JSON","schema":"'
         + js.encode() + b'","deleted":false}'),
        (b'{"keytype":"CONFIG","subject":null,"magic":0}', b'{"compatibilityLevel":"FULL"}'),
        (b'{"keytype":"CONFIG","subject":"a-value","magic":0}', b'{"compatibilityLevel":"NONE"}'),
        (b'{"keytype":"MODE","subject":"a-value","magic":0}',
         b'{"subject":"a-value","mode":"READONLY"}'),
        (b'{"keytype":"MODE","subject":"a-value","magic":0}', None),
        (b'{"keytype":"DELETE_SUBJECT","subject":"j-value","magic":0}',
         b'{"subject":"j-value","version":1}'),
        (b'{"keytype":"SCHEMA","subject":"a-value","version":1,"magic":1}',
         b'{"subject":"a-value","version":1,"id":1,"schema":"' + user.encode()
         + b'","deleted":true}'),
        (b'{"keytype":"SCHEMA","subject":"a-value","version":1,"magic":1}', None),
        (b'{"keytype":"CONFIG","subject":"a-value","magic":0}', None),
    ]


def state_of(registry: Registry) -> object:
    return (
        registry.subjects(deleted=True),
        [registry.schemas(deleted=True)],
        {v.id: registry.get_schema(v.id) for v in registry.schemas(deleted=True)},
        registry.get_config(), registry.get_mode(),
        registry.get_config("b-value"),
    )


def test_a_restarted_registry_replays_the_same_state(log: Log) -> None:
    with Registry(log) as first:
        first.register("a-value", USER_V1)
        first.register("a-value", USER_V2)
        first.register("b-value", OTHER)
        first.register("c-value", USER_V2)
        first.delete_version("a-value", 1)
        first.delete_subject("c-value")
        first.set_config(None, "FORWARD")
        first.set_config("b-value", "NONE")
        first.set_mode(None, "READWRITE")
        next_id = first.register("d-value", avro_record("D", ("d", "int"))).id
        before = state_of(first)
    with Registry(log) as second:
        assert second.ready
        assert state_of(second) == before
        assert second.register("e-value", avro_record("E", ("e", "int"))).id == next_id + 1


def test_replay_after_compaction_gives_the_same_state(log: Log) -> None:
    with Registry(log) as first:
        first.register("a-value", USER_V1)
        first.register("a-value", USER_V2)
        first.delete_subject("a-value")
        first.delete_subject("a-value", permanent=True)
        first.register("b-value", OTHER)
        first.set_config("b-value", "FULL")
        first.set_config("b-value", "NONE")
        before = state_of(first)
    log.enforce_retention("_schemas")
    with Registry(log) as second:
        assert state_of(second) == before


def test_a_confluent_written_topic_is_understood(log: Log) -> None:
    log.create_topic("_schemas", 1, 1, {"cleanup.policy": "compact"})
    ref = (b'{"subject":"p-value","version":1,"id":7,"references":[{"name":"com.acme.Address",'
           b'"subject":"a-value","version":1}],"schema":"{\\"type\\":\\"record\\",\\"name\\":'
           b'\\"P\\",\\"namespace\\":\\"com.acme\\",\\"fields\\":[{\\"name\\":\\"a\\",\\"type\\":'
           b'\\"com.acme.Address\\"}]}","deleted":false}')
    log.append("_schemas", [
        Record(key=b'{"keytype":"NOOP","magic":0}', value=None),
        Record(key=b'{"keytype":"SCHEMA","subject":"a-value","version":1,"magic":1}',
               value=b'{"subject":"a-value","version":1,"id":5,"schema":"{\\"type\\":\\"record\\",'
                     b'\\"name\\":\\"Address\\",\\"namespace\\":\\"com.acme\\",\\"fields\\":[]}",'
                     b'"deleted":false}'),
        Record(key=b'{"keytype":"SCHEMA","subject":"p-value","version":1,"magic":1}', value=ref),
        Record(key=b'{"keytype":"CONFIG","subject":null,"magic":0}',
               value=b'{"compatibilityLevel":"FULL_TRANSITIVE"}'),
        Record(key=b'{"magic":0,"keytype":"MODE","subject":null}', value=b'{"mode":"READWRITE"}'),
        Record(key=b'{"keytype":"SOMETHING_NEW","magic":0}', value=b"{}"),
    ])
    with Registry(log) as registry:
        assert registry.subjects() == ["a-value", "p-value"]
        assert registry.get_schema(7).references == (
            Reference("com.acme.Address", "a-value", 1),)
        assert registry.referenced_by("a-value", 1) == [7]
        assert registry.get_config().compatibility_level == "FULL_TRANSITIVE"
        assert registry.register("x-value", OTHER).id == 8


def test_corrupt_records_are_skipped_or_halt(log: Log) -> None:
    log.create_topic("_schemas", 1, 1, {"cleanup.policy": "compact"})
    log.append("_schemas", [
        Record(key=b"not json", value=b"{}"),
        Record(key=b'{"keytype":"SCHEMA","subject":"a","version":1,"magic":1}', value=b"[1,2]"),
        Record(key=b'{"keytype":"CONFIG","subject":null,"magic":0}',
               value=b'{"compatibilityLevel":"SIDEWAYS"}'),
        Record(key=None, value=b"keyless"),
    ])
    with Registry(log) as tolerant:
        assert tolerant.subjects(deleted=True) == []
        assert tolerant.register("a-value", USER_V1).id == 1
    strict = Registry(log, halt_on_corrupt=True)
    with pytest.raises(CorruptRecord) as excinfo:
        strict.start()
    assert excinfo.value.error_code == 50001
    assert excinfo.value.message == "Unparsable key: Expecting value: line 1 column 1 (char 0)"


def test_a_topic_with_two_partitions_is_refused(log: Log) -> None:
    log.create_topic("_schemas", 2)
    with pytest.raises(ToteError) as excinfo:
        Registry(log).start()
    assert (excinfo.value.error_code, excinfo.value.message) == (
        50001, "The schema topic _schemas should have only 1 partition but has 2.")


def test_catching_up_past_the_deadline_is_50002(log: Log) -> None:
    log.create_topic("_schemas", 1)
    log.append("_schemas", [Record(key=b'{"keytype":"NOOP","magic":0}', value=None)] * 2500)
    applied = []
    follower = TopicFollower(log, TopicPartition("_schemas", 0), applied.append,
                             threading.RLock(), SYSTEM_CLOCK)
    with pytest.raises(ToteError) as excinfo:
        follower.catch_up(2500, SYSTEM_CLOCK.monotonic() - 1.0, "Register operation timed out")
    assert (excinfo.value.error_code, excinfo.value.message) == (
        50002, "Register operation timed out")
    assert 0 < len(applied) < 2500
    follower.catch_up(2500, None, "unused")
    assert len(applied) == 2500 and follower.position == 2500


def test_a_write_on_one_registry_is_read_at_once_on_another(log: Log) -> None:
    with Registry(log) as a, Registry(log) as b:
        for n in range(5):
            registered = a.register(f"s{n}-value", avro_record(f"R{n}", ("f", "int")))
            assert b.get_version(f"s{n}-value", "latest").id == registered.id
            assert b.subjects()[-1] == f"s{n}-value"
        b.set_config("s0-value", "NONE")
        assert a.get_config("s0-value").compatibility_level == "NONE"
        b.delete_subject("s1-value")
        assert "s1-value" not in a.subjects()


def test_concurrent_writers_on_one_log_never_collide(log: Log) -> None:
    with Registry(log) as a, Registry(log) as b:
        def work(job: tuple[Registry, int]) -> tuple[int, str]:
            registry, n = job
            text = avro_record(f"C{n}", ("f", "int"))
            return registry.register(f"c{n}-value", text).id, text

        jobs = [(a if n % 2 else b, n) for n in range(40)]
        with ThreadPoolExecutor(max_workers=6) as pool:
            results = list(pool.map(work, jobs))
        ids = [schema_id for schema_id, _ in results]
        assert sorted(ids) == list(range(1, 41))
        for schema_id, text in results:
            assert a.get_schema(schema_id).schema == text
            assert b.get_schema(schema_id).schema == text
        assert a.subjects() == b.subjects() == sorted(f"c{n}-value" for n in range(40))


def test_concurrent_registrations_of_one_schema_get_one_id(log: Log) -> None:
    with Registry(log) as a, Registry(log) as b:
        jobs = [(a if n % 2 else b, f"same{n % 4}-value") for n in range(16)]
        with ThreadPoolExecutor(max_workers=6) as pool:
            ids = set(pool.map(lambda job: job[0].register(job[1], USER_V1).id, jobs))
        assert ids == {1}
        assert a.versions("same0-value") == b.versions("same3-value") == [1]
