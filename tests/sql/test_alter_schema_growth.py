"""Writing a schema-registry source after ALTER ... ADD, on the real engine over a SQLite
log and the real registry: the new column's values are never dropped. As ksqlDB's
serializers do, AVRO (and JSON_SR, where the subject's compatibility allows it) registers
the schema of the grown columns as a new version and writes with it; PROTOBUF under
INSERT VALUES, and any source named by VALUE_SCHEMA_ID, refuse the row with ksqlDB's
message; `/inserts-stream` and INSERT INTO ... SELECT register for PROTOBUF too. Reading
an altered source registers nothing."""

from __future__ import annotations

import pytest

from tote.core.errors import SqlError
from tote.registry import Registry, SchemaRequest
from tote.serde.schemas import SchemaType
from tote.sql.engine import Engine
from tote.sql.server.inserts import RowInserter
from tote.sql.testing import rows, source

HINT = "\nHint: You probably forgot to add VALUE_SCHEMA_ID when creating the source."


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    return sqlite_engine  # (conftest: a SQLite log and its registry)


def _registry(engine: Engine) -> Registry:
    assert engine.registry is not None
    return engine.registry


def _grown(engine: Engine, fmt: str) -> None:
    """S (ID INT KEY, A INT) in `fmt` with one row written, then ALTERed to gain B."""
    engine.execute(f"""
        SET 'auto.offset.reset' = 'earliest';
        CREATE STREAM S (ID INT KEY, A INT) WITH (kafka_topic='s', partitions=1,
            value_format='{fmt}');
        INSERT INTO S (ID, A) VALUES (1, 10);
        ALTER STREAM S ADD COLUMN B STRING;""")


def _latest(engine: Engine) -> str:
    return _registry(engine).get_version("s-value").schema


def test_avro_insert_values_registers_a_version_that_carries_the_new_column(
        engine: Engine) -> None:
    _grown(engine, "AVRO")
    engine.execute("INSERT INTO S (ID, A, B) VALUES (2, 20, 'x');")
    assert rows(engine, "S") == [(1, 10, None), (2, 20, "x")]
    assert _registry(engine).versions("s-value") == [1, 2]
    assert '"name":"B"' in _latest(engine)
    engine.execute("INSERT INTO S (ID, A, B) VALUES (3, 30, 'y');")  # v2 is now the latest
    assert _registry(engine).versions("s-value") == [1, 2]
    assert rows(engine, "S")[-1] == (3, 30, "y")


def test_protobuf_insert_values_is_refused_as_ksqldb_refuses_it(engine: Engine) -> None:
    _grown(engine, "PROTOBUF")
    with pytest.raises(SqlError) as err:
        engine.execute("INSERT INTO S (ID, A, B) VALUES (2, 20, 'x');")
    assert err.value.message == (
        "Failed to insert values into 'S'. Could not serialize valueError serializing "
        "message to topic: s. Schema from Schema Registry misses field with name: B" + HINT)
    with pytest.raises(SqlError):  # even without a value for B: the row has the column
        engine.execute("INSERT INTO S (ID, A) VALUES (3, 30);")
    assert rows(engine, "S") == [(1, 10, None)]
    assert _registry(engine).versions("s-value") == [1]


def test_protobuf_inserts_stream_registers_then_insert_values_writes(engine: Engine) -> None:
    _grown(engine, "PROTOBUF")
    inserter = RowInserter(engine.log, engine.registry, source(engine, "S"), engine.clock)
    inserter.insert({"ID": 2, "A": 20, "B": "x"})
    assert _registry(engine).versions("s-value") == [1, 2]
    assert "B = 2" in _latest(engine)
    engine.execute("INSERT INTO S (ID, A, B) VALUES (3, 30, 'y');")
    assert rows(engine, "S") == [(1, 10, None), (2, 20, "x"), (3, 30, "y")]


def test_protobuf_insert_into_select_registers_a_version(engine: Engine) -> None:
    _grown(engine, "PROTOBUF")
    engine.execute("""
        CREATE STREAM SRC (ID INT KEY, A INT, B STRING) WITH (kafka_topic='src',
            partitions=1, value_format='JSON');
        INSERT INTO S SELECT * FROM SRC;
        INSERT INTO SRC (ID, A, B) VALUES (2, 20, 'x');""")
    engine.run_until_idle()
    assert rows(engine, "S") == [(1, 10, None), (2, 20, "x")]
    assert _registry(engine).versions("s-value") == [1, 2]


def test_json_sr_is_refused_while_the_subject_is_backward_then_registers(
        engine: Engine) -> None:
    """ksqlDB's JSON schemas are open: under BACKWARD the registry refuses a property
    added to them, and the serializer's auto-registration fails the row."""
    _grown(engine, "JSON_SR")
    with pytest.raises(SqlError) as err:
        engine.execute("INSERT INTO S (ID, A, B) VALUES (2, 20, 'x');")
    assert err.value.message == (
        "Failed to insert values into 'S'. Could not serialize valueError serializing "
        "message to topic: s. Converting Kafka Connect data to byte[] failed due to "
        "serialization error of topic s: " + HINT)
    assert _registry(engine).versions("s-value") == [1]
    _registry(engine).set_config("s-value", "NONE")
    engine.execute("INSERT INTO S (ID, A, B) VALUES (2, 20, 'x');")
    assert rows(engine, "S") == [(1, 10, None), (2, 20, "x")]
    assert _registry(engine).versions("s-value") == [1, 2]
    assert '"B"' in _latest(engine)


@pytest.mark.parametrize(("fmt", "schema_type", "text"), [
    ("AVRO", SchemaType.AVRO,
     '{"type":"record","name":"Rec","fields":[{"name":"A","type":["null","int"],'
     '"default":null}]}'),
    ("PROTOBUF", SchemaType.PROTOBUF,
     'syntax = "proto3";\nmessage Rec {\n  int32 A = 1;\n}\n'),
    ("JSON_SR", SchemaType.JSON,
     '{"type":"object","properties":{"A":{"type":"integer"}}}'),
])
def test_a_source_named_by_value_schema_id_refuses_the_new_column(
        engine: Engine, fmt: str, schema_type: SchemaType, text: str) -> None:
    schema_id = _registry(engine).register("s-value", SchemaRequest(
        text, schema_type=schema_type)).id
    engine.execute(f"""
        CREATE STREAM S (ID INT KEY) WITH (kafka_topic='s', partitions=1,
            value_format='{fmt}', value_schema_id={schema_id});
        ALTER STREAM S ADD COLUMN B STRING;""")
    with pytest.raises(SqlError) as err:
        engine.execute("INSERT INTO S (ID, A, B) VALUES (2, 20, 'x');")
    assert err.value.message == (
        "Failed to insert values into 'S'. Could not serialize valueError serializing "
        "message to topic: s. Schema from Schema Registry misses field with name: B" + HINT)
    assert _registry(engine).versions("s-value") == [1]
    assert rows(engine, "S") == []


def test_reading_an_altered_source_registers_nothing(engine: Engine) -> None:
    _grown(engine, "AVRO")
    engine.execute("CREATE STREAM COPY AS SELECT * FROM S;")
    engine.run_until_idle()
    assert rows(engine, "COPY") == [(1, 10, None)]
    assert rows(engine, "S") == [(1, 10, None)]
    assert _registry(engine).versions("s-value") == [1]
