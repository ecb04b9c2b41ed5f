"""The JDBC sink on every dialect: DDL and types, write modes, key modes, evolution.

Each test runs against SQLite, the embedded PostgreSQL and (when one listens on
127.0.0.1:3306) MariaDB/MySQL, and reads the results back with the database's own driver.
"""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any

import pytest
from tests.connect.databases import DB_ERRORS, Database, connector_config
from tests.connect.helpers import JDBC_SINK, produce, register, wait_task, wait_until

from tote.connect.herder import Herder
from tote.log.memory import MemoryLog
from tote.registry import Registry

REGISTRY = "http://schema-registry:8081"
AVRO = "io.confluent.connect.avro.AvroConverter"


def record_schema(name: str, fields: list[dict[str, Any]]) -> str:
    return json.dumps({"type": "record", "name": name, "namespace": "t", "fields": fields})


def sink(herder: Herder, db: Database, name: str, topic: str, **extra: str) -> None:
    herder.create(name, {"connector.class": JDBC_SINK, "topics": topic, "auto.create": "true",
                         **connector_config(db), **extra})


def rows(db: Database, sql: str, count: int, herder: Herder, name: str
         ) -> list[tuple[Any, ...]]:
    """The query's rows once there are `count` of them (failing at once if the task fails)."""
    def check() -> list[tuple[Any, ...]] | None:
        status = herder.task_status(name, 0)
        assert status["state"] != "FAILED", status["trace"]
        try:
            found = db.rows(sql)
        except DB_ERRORS:  # the table may not exist yet
            return None
        return found if len(found) == count else None
    return wait_until(check, f"{count} rows from {sql}")


TYPES = [
    {"name": "id", "type": "long"},
    {"name": "tiny", "type": {"type": "int", "connect.type": "int8"}},
    {"name": "small", "type": {"type": "int", "connect.type": "int16"}},
    {"name": "num", "type": "int"},
    {"name": "ratio", "type": "float"},
    {"name": "amount", "type": ["null", "double"], "default": None},
    {"name": "flag", "type": "boolean"},
    {"name": "label", "type": ["null", "string"], "default": None},
    {"name": "blob", "type": "bytes"},
    {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10,
                               "scale": 2}},
    {"name": "day", "type": {"type": "int", "logicalType": "date"}},
    {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "qty", "type": "int", "default": 7},
]
EXPECTED_TYPES = {
    "sqlite": ["INTEGER", "INTEGER", "INTEGER", "INTEGER", "REAL", "REAL", "INTEGER", "TEXT",
               "BLOB", "NUMERIC", "NUMERIC", "NUMERIC", "INTEGER"],
    "postgres": ["bigint", "smallint", "smallint", "integer", "real", "double precision",
                 "boolean", "text", "bytea", "numeric", "date",
                 "timestamp without time zone", "integer"],
    "mariadb": ["bigint(20)", "tinyint(4)", "smallint(6)", "int(11)", "float", "double",
                "tinyint(4)", "text", "varbinary(1024)", "decimal(65,2)", "date",
                "datetime(3)", "int(11)"],
}


def test_auto_create_maps_connect_types(database: Database, log: MemoryLog,
                                        herder: Herder) -> None:
    schema = record_schema("Row", TYPES)
    schema_id = register(log, "typed-value", schema)
    log.create_topic("typed")
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=datetime.UTC)
    produce(log, "typed", schema_id, schema, [{
        "id": 1, "tiny": -3, "small": 300, "num": 70000, "ratio": 0.5, "amount": None,
        "flag": True, "label": "é", "blob": b"\x00\xff", "price": decimal.Decimal("12.34"),
        "day": datetime.date(2024, 5, 6), "at": at, "qty": 9}])
    sink(herder, database, "typed", "typed")
    found = rows(database, "SELECT * FROM typed", 1, herder, "typed")
    columns = database.columns("typed")
    assert [c[0] for c in columns] == [f["name"] for f in TYPES]
    assert [c[1] for c in columns] == EXPECTED_TYPES[database.kind]
    assert [c[2] for c in columns] == [False, False, False, False, False, True, False, True,
                                       False, False, False, False, False]
    row = list(found[0])
    expected: list[Any] = [1, -3, 300, 70000, 0.5, None, True, "é", b"\x00\xff",
                           decimal.Decimal("12.34"), datetime.date(2024, 5, 6),
                           datetime.datetime(2024, 5, 6, 7, 8, 9, 123000), 9]
    if database.kind == "sqlite":
        expected[6], expected[9:12] = 1, [12.34, "2024-05-06", "2024-05-06 07:08:09.123"]
    if database.kind == "mariadb":
        expected[6] = 1
    if database.kind == "postgres":
        row[8] = bytes(row[8])
    assert row == expected


def test_upsert_update_and_delete(database: Database, log: MemoryLog, herder: Herder) -> None:
    schema = record_schema("Runner", [{"name": "RUNNER_ID", "type": "int"},
                                      {"name": "NAME", "type": ["null", "string"],
                                       "default": None}])
    schema_id = register(log, "runners-value", schema)
    log.create_topic("runners")
    produce(log, "runners", schema_id, schema,
            [{"RUNNER_ID": 1, "NAME": "a"}, {"RUNNER_ID": 2, "NAME": "b"},
             {"RUNNER_ID": 1, "NAME": "c"}])
    sink(herder, database, "up", "runners", **{"insert.mode": "upsert",
                                               "pk.mode": "record_value",
                                               "pk.fields": "RUNNER_ID"})
    q = "`" if database.kind == "mariadb" else '"'
    found = rows(database, f"SELECT {q}RUNNER_ID{q}, {q}NAME{q} FROM runners ORDER BY 1", 2,
                 herder, "up")
    assert found == [(1, "c"), (2, "b")]
    columns = database.columns("runners")
    assert [(c[0], c[2]) for c in columns] == [("RUNNER_ID", False), ("NAME", True)]


def test_record_key_deletes_tombstones(database: Database, log: MemoryLog,
                                       herder: Herder) -> None:
    schema = record_schema("Pool", [{"name": "AMOUNT", "type": "double"}])
    schema_id = register(log, "pools-value", schema)
    log.create_topic("pools")
    produce(log, "pools", schema_id, schema,
            [{"AMOUNT": 1.0}, {"AMOUNT": 2.0}, {"AMOUNT": 3.0}, None, {"AMOUNT": 4.0}],
            keys=[b"r1", b"r2", b"r1", b"r2", b"r3"])
    sink(herder, database, "pools", "pools", **{
        "insert.mode": "upsert", "pk.mode": "record_key", "pk.fields": "RACE",
        "delete.enabled": "true"})
    q = "`" if database.kind == "mariadb" else '"'
    found = rows(database, f"SELECT {q}RACE{q}, {q}AMOUNT{q} FROM pools ORDER BY 1", 2, herder,
                 "pools")
    assert found == [("r1", 3.0), ("r3", 4.0)]
    # Confluent's column order: value fields, then the key fields (FieldsMetadata).
    assert [(c[0], c[2]) for c in database.columns("pools")] == [("AMOUNT", False),
                                                                 ("RACE", False)]


def test_update_mode_and_kafka_keys(database: Database, log: MemoryLog,
                                    herder: Herder) -> None:
    schema = record_schema("Bet", [{"name": "ID", "type": "int"}, {"name": "V", "type": "int"}])
    schema_id = register(log, "bets-value", schema)
    log.create_topic("bets")
    produce(log, "bets", schema_id, schema, [{"ID": i, "V": i * 10} for i in range(3)])
    sink(herder, database, "coords", "bets", **{"pk.mode": "kafka",
                                                "table.name.format": "kafka_${topic}",
                                                "fields.whitelist": "V"})
    q = "`" if database.kind == "mariadb" else '"'
    found = rows(database, f"SELECT * FROM kafka_bets ORDER BY {q}__connect_offset{q}", 3,
                 herder, "coords")
    assert found == [("bets", 0, 0, 0), ("bets", 0, 1, 10), ("bets", 0, 2, 20)]
    database.execute(f"CREATE TABLE updates ({q}ID{q} INTEGER PRIMARY KEY, {q}V{q} INTEGER)")
    database.execute("INSERT INTO updates VALUES (1, 0)")
    log.create_topic("updates")
    produce(log, "updates", schema_id, schema, [{"ID": 1, "V": 5}, {"ID": 2, "V": 6}])
    sink(herder, database, "upd", "updates", **{"insert.mode": "update",
                                                "pk.mode": "record_value",
                                                "pk.fields": "ID", "auto.create": "false"})
    wait_until(lambda: database.rows("SELECT * FROM updates") == [(1, 5)], "the update")
    assert database.rows("SELECT * FROM updates") == [(1, 5)]


def test_auto_evolve_adds_optional_columns(database: Database, log: MemoryLog,
                                           herder: Herder) -> None:
    v1 = record_schema("Bet", [{"name": "ID", "type": "int"}])
    v2 = record_schema("Bet", [{"name": "ID", "type": "int"},
                               {"name": "NOTE", "type": ["null", "string"], "default": None},
                               {"name": "QTY", "type": "int", "default": 1}])
    log.create_topic("evolving")
    first, second = register(log, "evolving-value", v1), register(log, "evolving-value", v2)
    produce(log, "evolving", first, v1, [{"ID": 1}])
    produce(log, "evolving", second, v2, [{"ID": 2, "NOTE": "n", "QTY": 3}])
    sink(herder, database, "evolve", "evolving", **{"auto.evolve": "true"})
    found = rows(database, "SELECT * FROM evolving", 2, herder, "evolve")
    assert sorted(found) == [(1, None, 1), (2, "n", 3)]
    assert [(c[0], c[2]) for c in database.columns("evolving")] == [
        ("ID", False), ("NOTE", True), ("QTY", False)]


def test_evolution_that_cannot_apply_fails_naming_the_column(
        database: Database, log: MemoryLog, herder: Herder) -> None:
    v1 = record_schema("Bet", [{"name": "ID", "type": "int"}])
    v2 = record_schema("Bet", [{"name": "ID", "type": "int"}, {"name": "STAKE", "type": "int"}])
    log.create_topic("strict")
    with_compat = register(log, "strict-value", v1)
    produce(log, "strict", with_compat, v1, [{"ID": 1}])
    sink(herder, database, "strict", "strict", **{"auto.evolve": "true"})
    rows(database, "SELECT * FROM strict", 1, herder, "strict")
    with Registry(log) as registry:
        registry.set_config("strict-value", "NONE")
        second = registry.register("strict-value", v2).id
    produce(log, "strict", second, v2, [{"ID": 2, "STAKE": 5}])
    status = wait_task(herder, "strict", "FAILED")
    assert status["trace"].splitlines()[0] == (
        "tote.connect.jdbc.structure.TableAlterOrCreateError: Cannot ALTER TABLE \"strict\" to "
        "add missing field SinkRecordField{schema=Schema{INT32}, name='STAKE', "
        "isPrimaryKey=false}, as the field is not optional and does not have a default value")
    assert database.rows("SELECT * FROM strict") == [(1,)]


def test_missing_table_without_auto_create(database: Database, log: MemoryLog,
                                           herder: Herder) -> None:
    schema = record_schema("Bet", [{"name": "ID", "type": "int"}])
    schema_id = register(log, "absent-value", schema)
    log.create_topic("absent")
    produce(log, "absent", schema_id, schema, [{"ID": 1}])
    sink(herder, database, "absent", "absent", **{"auto.create": "false"})
    status = wait_task(herder, "absent", "FAILED")
    assert status["trace"].splitlines()[0] == (
        "tote.connect.jdbc.structure.TableAlterOrCreateError: Table \"absent\" is missing and "
        "auto-creation is disabled")


@pytest.mark.parametrize("batch", ["1", "2", "0"])
def test_batch_size_splits_statements_not_transactions(database: Database, log: MemoryLog,
                                                       herder: Herder, batch: str) -> None:
    schema = record_schema("Bet", [{"name": "ID", "type": "int"}])
    schema_id = register(log, "batched-value", schema)
    log.create_topic("batched")
    produce(log, "batched", schema_id, schema, [{"ID": i} for i in range(5)])
    sink(herder, database, "batched", "batched", **{"batch.size": batch})
    found = rows(database, "SELECT * FROM batched", 5, herder, "batched")
    assert sorted(found) == [(i,) for i in range(5)]


def test_unquoted_identifiers(database: Database, log: MemoryLog, herder: Herder) -> None:
    schema = record_schema("Bet", [{"name": "RaceId", "type": "int"}])
    schema_id = register(log, "Mixed-value", schema)
    log.create_topic("Mixed")
    produce(log, "Mixed", schema_id, schema, [{"RaceId": 4}])
    sink(herder, database, "mixed", "Mixed", **{"quote.sql.identifiers": "never"})
    # Unquoted names fold to lower case on PostgreSQL; MariaDB keeps the case it was given.
    table = "Mixed" if database.kind == "mariadb" else "mixed"
    assert rows(database, f"SELECT raceid FROM {table}", 1, herder, "mixed") == [(4,)]
    expected = "raceid" if database.kind == "postgres" else "RaceId"
    assert [c[0] for c in database.columns(
        "mixed" if database.kind == "postgres" else "Mixed")] == [expected]
