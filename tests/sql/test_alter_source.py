"""ALTER STREAM|TABLE ... ADD [COLUMN] on the real engine over a SQLite log: the catalogue
gains value columns (DESCRIBE, new queries, INSERT VALUES see them; rows without the
field read NULL), ksqlDB's refusals with its messages leave everything as it was, and the
statement is recorded in the command topic so a restart keeps the new schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tote.core.errors import SqlError
from tote.core.records import TopicPartition
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.commands import command_topic
from tote.sql.engine import Engine
from tote.sql.results import CommandResult, SourceDescriptionResult
from tote.sql.testing import catalogue, produce, rows

BASE = """
SET 'auto.offset.reset' = 'earliest';
CREATE STREAM A (ID INT KEY, COL1 INT) WITH (kafka_topic='a', partitions=1,
    value_format='JSON');
CREATE TABLE T (ID INT PRIMARY KEY, COL1 INT) WITH (kafka_topic='t', partitions=1,
    value_format='JSON');
"""


def _open(db: Path) -> Engine:
    log = SqliteLog(db)
    registry = Registry(log)
    registry.start()
    engine = Engine(log, registry)
    engine.start()
    return engine


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "tote.db"


@pytest.fixture
def engine(db: Path) -> Iterator[Engine]:
    eng = _open(db)
    eng.execute(BASE)
    yield eng
    _close(eng)


def _close(engine: Engine) -> None:
    engine.close()
    assert engine.registry is not None
    engine.registry.close()
    engine.log.close()


def _describe(engine: Engine, name: str) -> tuple[list[tuple[str, str, str | None]], str]:
    [result] = engine.execute(f"DESCRIBE {name} EXTENDED;")
    assert isinstance(result, SourceDescriptionResult)
    fields = [(f.name, f.type, f.key) for f in result.description.fields]
    return fields, result.description.statement


def test_alter_stream_adds_value_columns_that_new_queries_and_inserts_see(
        engine: Engine) -> None:
    produce(engine, "A", [((1,), (10,))])  # written before the ALTER: no COL2 field
    engine.execute("CREATE STREAM OLD AS SELECT * FROM A;")
    [result] = engine.execute("ALTER STREAM A ADD COLUMN COL2 STRING, ADD col3 ARRAY<INT>;")
    assert isinstance(result, CommandResult)
    assert (result.command_id, result.message, result.query_id) == (
        "stream/A/alter", "Stream A altered.", None)
    fields, statement = _describe(engine, "A")
    assert fields == [("ID", "INTEGER", "KEY"), ("COL1", "INTEGER", None),
                      ("COL2", "STRING", None), ("COL3", "ARRAY<INTEGER>", None)]
    assert statement.endswith(
        "value_format='JSON');\nALTER STREAM A ADD COLUMN COL2 STRING, ADD col3 ARRAY<INT>;")

    engine.execute("CREATE STREAM NEW AS SELECT * FROM A;")
    engine.execute("INSERT INTO A (ID, COL1, COL2, COL3) VALUES (2, 20, 'x', ARRAY[1, 2]);")
    engine.run_until_idle()
    assert rows(engine, "NEW") == [(1, 10, None, None), (2, 20, "x", [1, 2])]
    # A query started before the ALTER keeps the columns it was planned with.
    assert rows(engine, "OLD") == [(1, 10), (2, 20)]


def test_alter_table_adds_a_column(engine: Engine) -> None:
    [result] = engine.execute("ALTER TABLE T ADD COL2 BIGINT;")
    assert isinstance(result, CommandResult) and result.message == "Table T altered."
    assert result.command_id == "table/T/alter"
    engine.execute("CREATE TABLE T2 AS SELECT ID, COL1 + COL2 AS S FROM T;")
    engine.execute("INSERT INTO T (ID, COL1, COL2) VALUES (1, 1, 41);")
    engine.run_until_idle()
    assert rows(engine, "T2") == [(1, 42)]


@pytest.mark.parametrize(("statement", "message"), [
    ("ALTER STREAM NOPE ADD COLUMN X INT;", "Source NOPE does not exist."),
    ("ALTER STREAM T ADD COLUMN X INT;",
     "Incompatible data source type is TABLE, but statement was ALTER STREAM"),
    ("ALTER TABLE A ADD COLUMN X INT;",
     "Incompatible data source type is STREAM, but statement was ALTER TABLE"),
    ("ALTER STREAM A ADD COLUMN COL1 STRING;",
     "Cannot add column `COL1` to schema. A column with the same name already exists."),
    ("ALTER STREAM A ADD X INT, ADD COLUMN X STRING;",
     "Cannot add column `X` to schema. A column with the same name already exists."),
    ("ALTER STREAM S ADD COLUMN X INT;",
     "Cannot alter stream 'S': ALTER operations are not supported on source streams."),
    ("ALTER STREAM C ADD COLUMN X INT;",
     "ALTER command is not supported for CREATE ... AS statements."),
    ("ALTER TABLE CT ADD COLUMN X INT;",
     "ALTER command is not supported for CREATE ... AS statements."),
])
def test_refusals_leave_the_catalogue_and_the_command_topic_as_they_were(
        engine: Engine, statement: str, message: str) -> None:
    engine.execute("""
        CREATE SOURCE STREAM S (ID INT KEY, V INT) WITH (kafka_topic='s', partitions=1,
            value_format='JSON');
        CREATE STREAM C AS SELECT * FROM A;
        CREATE TABLE CT AS SELECT * FROM T;""")
    before = catalogue(engine)
    end = engine.log.describe_topic(command_topic("default_")).partitions[0].end_offset
    with pytest.raises(SqlError) as caught:
        engine.execute(statement)
    assert caught.value.message == message
    assert caught.value.error_code == 40001
    assert catalogue(engine) == before
    assert engine.log.describe_topic(command_topic("default_")).partitions[0].end_offset == end


def test_a_restart_replays_the_alter(db: Path) -> None:
    engine = _open(db)
    try:
        engine.execute(BASE)
        engine.execute("ALTER STREAM A ADD COLUMN COL2 STRING;")
        altered = _describe(engine, "A")
    finally:
        _close(engine)
    engine = _open(db)
    try:
        assert _describe(engine, "A") == altered
        engine.execute("CREATE STREAM B AS SELECT * FROM A;")
        engine.execute("INSERT INTO A (ID, COL1, COL2) VALUES (1, 1, 'one');")
        engine.run_until_idle()
        assert rows(engine, "B") == [(1, 1, "one")]
    finally:
        _close(engine)
    with SqliteLog(db) as log:
        keys = [r.key for r in log.read(TopicPartition(command_topic("default_"), 0), 0)]
    assert b"stream/A/alter" in keys


def test_alter_of_an_avro_source_registers_nothing_and_reads_the_evolved_schema(
        engine: Engine) -> None:
    """ksqlDB's ALTER touches neither topic nor registry: rows whose writer schema has
    the new field decode it, rows written before read it as NULL."""
    registry = engine.registry
    assert registry is not None
    engine.execute("CREATE STREAM AV (ID INT KEY, COL1 INT) WITH (kafka_topic='av', "
                   "partitions=1, value_format='AVRO');")
    produce(engine, "AV", [((1,), (1,))])
    engine.execute("ALTER STREAM AV ADD COLUMN COL2 STRING;")
    assert registry.versions("av-value") == [1]

    # A producer evolves the value schema with the new field, as the ALTER anticipated.
    evolved = json.loads(registry.get_version("av-value").schema)
    evolved["fields"].append({"name": "COL2", "type": ["null", "string"], "default": None})
    registry.register("av-value", json.dumps(evolved))
    produce(engine, "AV", [((2,), (2, "two"))])  # writes with the subject's latest

    engine.execute("CREATE STREAM AV2 AS SELECT * FROM AV;")
    engine.run_until_idle()
    assert rows(engine, "AV2") == [(1, 1, None), (2, 2, "two")]


def test_a_value_column_may_take_a_key_header_or_system_columns_name(engine: Engine) -> None:
    """ksqlDB checks duplicates among value columns only: the ALTER adds them (DESCRIBE
    lists them, last), and queries read the key, header or system column by that name
    while the value keeps the field (ksqlDB's processing schema leaves such columns out)."""
    engine.execute("""
        CREATE STREAM H (ID INT KEY, COL1 INT, HS ARRAY<STRUCT<KEY STRING, VALUE BYTES>>
            HEADERS) WITH (kafka_topic='h', partitions=1, value_format='JSON');""")
    engine.execute("ALTER STREAM A ADD COLUMN ID STRING, ADD WINDOWSTART STRING, ADD COL2 INT;")
    engine.execute("ALTER STREAM H ADD COLUMN HS STRING, ADD ROWTIME STRING;")
    fields, _ = _describe(engine, "A")
    assert fields == [("ID", "INTEGER", "KEY"), ("COL1", "INTEGER", None),
                      ("ID", "STRING", None), ("WINDOWSTART", "STRING", None),
                      ("COL2", "INTEGER", None)]
    fields, _ = _describe(engine, "H")
    assert [f[0] for f in fields] == ["ID", "COL1", "HS", "HS", "ROWTIME"]
    assert fields[-2:] == [("HS", "STRING", None), ("ROWTIME", "STRING", None)]

    # The value carries the fields; the names read the key and the record's timestamp.
    produce(engine, "A", [((1,), (10, "one", "w", 11))])
    engine.execute("INSERT INTO A (ID, COL1, COL2) VALUES (2, 20, 21);")
    engine.execute("CREATE STREAM ALL_A AS SELECT * FROM A;")
    engine.execute("CREATE STREAM SOME_A AS SELECT ID, COL2, ROWTIME > 0 AS T FROM A;")
    engine.execute("CREATE STREAM ALL_H AS SELECT * FROM H;")
    engine.run_until_idle()
    assert rows(engine, "ALL_A") == [(1, 10, 11), (2, 20, 21)]
    assert rows(engine, "SOME_A") == [(1, 11, True), (2, 21, True)]
    fields, _ = _describe(engine, "ALL_H")
    assert fields == [("ID", "INTEGER", "KEY"), ("COL1", "INTEGER", None),
                      ("HS", "ARRAY<STRUCT<`KEY` STRING, `VALUE` BYTES>>", None)]

    # ksqlDB's INSERT VALUES adds the pseudo columns to the schema, which a value column
    # named ROWTIME makes fail.
    with pytest.raises(SqlError) as caught:
        engine.execute("INSERT INTO H (ID, COL1) VALUES (1, 1);")
    assert caught.value.message == ("Failed to insert values into 'H'. Duplicate value "
                                    "columns found in schema: `ROWTIME` BIGINT")


@pytest.mark.parametrize(("create", "alter", "message"), [
    ("CREATE STREAM K (V INT) WITH (kafka_topic='k', partitions=1, value_format='KAFKA');",
     "ALTER STREAM K ADD COLUMN X INT;",
     "The 'KAFKA' format only supports a single field. Got: [`V` INTEGER, `X` INTEGER]"),
    ("CREATE STREAM K (ID INT KEY, V INT) WITH (kafka_topic='k', partitions=1, "
     "value_format='DELIMITED');",
     "ALTER STREAM K ADD COLUMN M MAP<STRING, INT>;",
     "The 'DELIMITED' format does not support type 'MAP', column: `M`"),
])
def test_columns_the_value_format_cannot_carry_are_added_then_reads_and_writes_refused(
        engine: Engine, create: str, alter: str, message: str) -> None:
    """ksqlDB's ALTER does not look at the format; its serde factories refuse later (the
    value serde INSERT VALUES builds wraps the reason, see test_insert_checks_order)."""
    engine.execute(create)
    [result] = engine.execute(alter)
    assert isinstance(result, CommandResult) and result.message == "Stream K altered."
    for statement, expected in [("CREATE STREAM K2 WITH (value_format='JSON') AS SELECT * FROM K;",
                                 message),
                                ("INSERT INTO K (V) VALUES (1);",
                                 "Failed to insert values into 'K'. Value format does not "
                                 "support schema.\nformat: ")]:
        with pytest.raises(SqlError) as caught:
            engine.execute(statement)
        assert caught.value.message.startswith(expected)
        assert caught.value.message.endswith(message)
