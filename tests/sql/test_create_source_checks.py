"""What CREATE STREAM/TABLE checks and infers as ksqlDB does, and how a record read with
no key at all travels to a sink.

* A null Kafka key passed through unchanged is written as a null key again, even when
  the key has several columns or its format wraps it; a key rebuilt from nulls (PARTITION
  BY) is written as a key of nulls.
* Bad delimiters, a missing column list, a schema id with a format that cannot infer
  columns and a windowed source without a key are refused with ksqlDB's wording.
* Columns inferred from a subject's latest JSON Schema are upper-cased; a schema named
  by VALUE_SCHEMA_ID keeps its field names.
"""

from __future__ import annotations

import json

import pytest

from tote.core.errors import SqlError
from tote.core.records import Record, TopicPartition
from tote.registry.models import SchemaRequest
from tote.serde.schemas import SchemaType
from tote.sql.engine import Engine
from tote.sql.testing import source


def _keys(engine: Engine, name: str) -> list[bytes | None]:
    topic = source(engine, name).topic
    return [r.key for r in engine.log.read(TopicPartition(topic, 0), 0, 100)]


def _send(engine: Engine, topic: str, key: bytes | None, value: bytes) -> None:
    engine.log.append(topic, [Record(value, key, (), 1000)])
    engine.run_until_idle()


def test_a_null_multi_column_key_stays_null_through_a_projection(engine: Engine) -> None:
    engine.execute("CREATE STREAM IN1 (A STRING KEY, B STRING KEY, V INT) "
                   "WITH (kafka_topic='in1', partitions=1, format='DELIMITED');")
    engine.execute("CREATE STREAM OUT1 WITH (key_format='JSON') AS SELECT * FROM IN1;")
    _send(engine, "in1", b"x,y", b"1")
    _send(engine, "in1", None, b"2")
    keys = _keys(engine, "OUT1")
    assert [json.loads(k) if k is not None else None for k in keys] == [
        {"A": "x", "B": "y"}, None]


def test_a_key_rebuilt_from_null_columns_is_a_key_of_nulls(engine: Engine) -> None:
    engine.execute("CREATE STREAM IN2 (A STRING KEY, B STRING, C STRING) "
                   "WITH (kafka_topic='in2', partitions=1, format='DELIMITED');")
    engine.execute("CREATE STREAM OUT2 WITH (key_format='JSON') AS SELECT * FROM IN2 "
                   "PARTITION BY B, C;")
    _send(engine, "in2", None, b",")
    assert [json.loads(k) for k in _keys(engine, "OUT2") if k is not None] == [
        {"B": None, "C": None}]


def _refusal(engine: Engine, sql: str) -> str:
    with pytest.raises(SqlError) as caught:
        engine.execute(sql)
    return caught.value.message


@pytest.mark.parametrize(
    ("delimiter", "expected"),
    [
        ("''", "Delimiter cannot be empty, if you meant to have a tab or space"),
        ("' '", "Delimiter cannot be empty, if you meant to have a tab or space"),
        ("'ab'", "Invalid delimiter value: 'ab'. Delimiter must be a single character or "
                 "TAB,SPACE\nExample valid value: ';'"),
        ("'tab'", "Invalid delimiter value: 'tab'."),
    ],
)
def test_bad_delimiters_are_refused_naming_the_property(engine: Engine, delimiter: str,
                                                        expected: str) -> None:
    message = _refusal(engine, "CREATE STREAM D (V INT) WITH (kafka_topic='d', partitions=1, "
                               f"value_format='DELIMITED', value_delimiter={delimiter});")
    assert message.startswith(
        "Failed to prepare statement: Configuration VALUE_DELIMITER is invalid: ")
    assert expected in message


def test_named_delimiters_are_accepted(engine: Engine) -> None:
    engine.execute("CREATE STREAM D (V INT, W INT) WITH (kafka_topic='d', partitions=1, "
                   "value_format='DELIMITED', value_delimiter='TAB');")
    assert source(engine, "D").value_format.name == "DELIMITED"


def test_a_source_without_columns_or_inference_is_refused(engine: Engine) -> None:
    assert _refusal(engine, "CREATE STREAM N WITH (kafka_topic='n', partitions=1, "
                            "value_format='DELIMITED');") == "No columns supplied."


def test_a_schema_id_needs_a_format_that_infers_columns(engine: Engine) -> None:
    message = _refusal(engine, "CREATE STREAM N WITH (kafka_topic='n', partitions=1, "
                               "key_format='KAFKA', value_format='JSON', key_schema_id=1);")
    assert message == ("KEY_FORMAT should support schema inference when KEY_SCHEMA_ID is "
                       "provided. Current format is KAFKA.")


def test_a_windowed_source_needs_a_key(engine: Engine) -> None:
    message = _refusal(engine, "CREATE STREAM W (V INT) WITH (kafka_topic='w', partitions=1, "
                               "value_format='JSON', window_type='TUMBLING', "
                               "window_size='1 SECOND');")
    assert message == "Windowed sources require a key column."


JSON_SCHEMA = json.dumps({"type": "object", "properties": {
    "id": {"type": "integer"},
    "inner": {"type": "object", "properties": {"zip": {"type": "string"}}}}})


def test_json_schema_inference_upper_cases_a_subjects_field_names(engine: Engine) -> None:
    assert engine.registry is not None
    engine.registry.register("js-value", SchemaRequest(JSON_SCHEMA,
                                                       schema_type=SchemaType.JSON))
    engine.execute("CREATE STREAM JS WITH (kafka_topic='js', partitions=1, "
                   "value_format='JSON_SR');")
    columns = [(c.name, str(c.type)) for c in source(engine, "JS").value_columns]
    assert columns == [("ID", "BIGINT"), ("INNER", "STRUCT<`ZIP` STRING>")]


def test_json_schema_named_by_id_keeps_its_field_names(engine: Engine) -> None:
    assert engine.registry is not None
    version = engine.registry.register("js-value", SchemaRequest(
        JSON_SCHEMA, schema_type=SchemaType.JSON))
    engine.execute("CREATE STREAM JS WITH (kafka_topic='js', partitions=1, "
                   f"value_format='JSON_SR', value_schema_id={version.id});")
    columns = [(c.name, str(c.type)) for c in source(engine, "JS").value_columns]
    assert columns == [("id", "BIGINT"), ("inner", "STRUCT<`zip` STRING>")]
