"""A transforms chain end to end: records through a real worker's sink task, the chain,
and the JDBC sink into a real database, with the exactly-once offsets committed past the
records the chain dropped; a record the chain fails on fails the task, or with
`errors.tolerance=all` goes to the dead letter queue in stage TRANSFORMATION."""

from __future__ import annotations

from pathlib import Path

from tests.connect.databases import Database, SqliteDatabase, connector_config, rows_or_none
from tests.connect.helpers import JDBC_SINK, bet_schema, produce, register, wait_task, wait_until
from tests.connect.test_errors import dlq

from tote.connect.herder import Herder
from tote.core.records import Record
from tote.log.memory import MemoryLog
from tote.serde.avro import AvroCodec

T = "org.apache.kafka.connect.transforms."
P = "org.apache.kafka.connect.transforms.predicates."
CHAIN = {
    "transforms": "dropTombstones,key,unwrap,route", "predicates": "tombstone",
    "transforms.dropTombstones.type": T + "Filter",
    "transforms.dropTombstones.predicate": "tombstone",
    "transforms.key.type": T + "ValueToKey", "transforms.key.fields": "RUNNER_ID",
    "transforms.unwrap.type": T + "ExtractField$Key", "transforms.unwrap.field": "RUNNER_ID",
    "transforms.route.type": T + "RegexRouter", "transforms.route.regex": "(.*)",
    "transforms.route.replacement": "tote_$1",
    "predicates.tombstone.type": P + "RecordIsTombstone",
}


def bets(runner: int, race: int) -> dict[str, object]:
    return {"RUNNER_ID": runner, "RACE_ID": race, "AMOUNT": float(runner * race)}


def test_a_chain_keys_routes_and_drops_into_the_table(log: MemoryLog, herder: Herder,
                                                      database: Database) -> None:
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets")
    # Runner 2 bets twice (the upsert keeps the second); two tombstones, one of them last.
    produce(log, "bets", schema_id, schema,
            [bets(1, 1), bets(2, 1), None, bets(3, 1), bets(2, 5), None])
    herder.create("smt", {"connector.class": JDBC_SINK, "topics": "bets",
                          **connector_config(database), "auto.create": "true",
                          "insert.mode": "upsert", "pk.mode": "record_key",
                          "pk.fields": "RUNNER_ID", **CHAIN})
    wait_until(lambda: rows_or_none(database, "SELECT * FROM __tote_connect_offsets") == [
        ("smt", "bets", 0, 6)], "offsets past the last (dropped) tombstone")
    q = database.quote
    assert sorted(database.rows(
        f"SELECT {q('RUNNER_ID')}, {q('RACE_ID')}, {q('AMOUNT')} FROM tote_bets")) == [
        (1, 1, 1.0), (2, 5, 10.0), (3, 1, 3.0)]
    assert rows_or_none(database, "SELECT count(*) FROM bets") is None  # routed away
    assert herder.task_status("smt", 0)["state"] == "RUNNING"


def bets_with_a_marked_record(log: MemoryLog) -> None:
    """Three bets; the middle one has a `bad` header, which gates a failing transform."""
    schema = bet_schema()
    schema_id = register(log, "bets-value", schema)
    codec = AvroCodec(schema)
    log.create_topic("bets")
    log.append("bets", [
        Record(codec.encode_framed(schema_id, bets(i, 1)), f"k{i}".encode(),
               (("bad", b"1"),) if i == 2 else ()) for i in (1, 2, 3)])


BROKEN = {"transforms": "broken", "predicates": "marked",
          "transforms.broken.type": T + "ValueToKey", "transforms.broken.fields": "NOPE",
          "transforms.broken.predicate": "marked",
          "predicates.marked.type": P + "HasHeaderKey", "predicates.marked.name": "bad"}


def test_a_failing_transform_fails_the_task(log: MemoryLog, herder: Herder,
                                            tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    bets_with_a_marked_record(log)
    herder.create("strict", {"connector.class": JDBC_SINK, "topics": "bets",
                             "connection.url": db.url, "auto.create": "true", **BROKEN})
    status = wait_task(herder, "strict", "FAILED")
    assert status["trace"].splitlines()[0] == (
        "tote.connect.errors.ConnectException: Tolerance exceeded in error handler: "
        "TRANSFORMATION failed on record bets-0@1: Field does not exist: NOPE")
    assert rows_or_none(db, "SELECT * FROM __tote_connect_offsets") in (None, [])


def test_a_tolerated_transform_error_goes_to_the_dead_letter_queue(
        log: MemoryLog, herder: Herder, tmp_path: Path) -> None:
    db = SqliteDatabase(tmp_path / "sink.db")
    bets_with_a_marked_record(log)
    herder.create("lenient", {"connector.class": JDBC_SINK, "topics": "bets",
                              "connection.url": db.url, "auto.create": "true", **BROKEN,
                              "errors.tolerance": "all",
                              "errors.deadletterqueue.topic.name": "bets-dlq",
                              "errors.deadletterqueue.context.headers.enable": "true"})
    wait_until(lambda: rows_or_none(db, "SELECT * FROM __tote_connect_offsets") == [
        ("lenient", "bets", 0, 3)], "offsets past all three records")
    assert sorted(db.rows("SELECT * FROM bets")) == [(1, 1, 1.0), (3, 1, 3.0)]
    [dead] = dlq(log, "bets-dlq", 1)
    assert dead.key == b"k2"
    headers = {k: (v or b"").decode() for k, v in dead.headers}
    assert (headers["__connect.errors.stage"], headers["__connect.errors.class.name"],
            headers["__connect.errors.offset"],
            headers["__connect.errors.exception.class.name"],
            headers["__connect.errors.exception.message"]) == (
        "TRANSFORMATION", T + "ValueToKey", "1", "tote.connect.errors.DataException",
        "Field does not exist: NOPE")
    assert headers["bad"] == "1"
