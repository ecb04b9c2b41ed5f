"""CREATE STREAM ... AS SELECT with VALUE_SCHEMA_ID on the real engine, SQLite log and
registry: the query's columns must fit the named schema in name, type and position."""

from __future__ import annotations

import json

import pytest

from tote.core.errors import SqlError
from tote.core.records import TopicPartition
from tote.registry import SchemaRequest
from tote.serde.avro import AvroCodec
from tote.serde.wire import unframe
from tote.sql.engine import Engine
from tote.sql.results import QueryList


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    return sqlite_engine  # (conftest: a SQLite log and its registry)


def _schema_id(engine: Engine, fields: list[dict[str, object]]) -> int:
    assert engine.registry is not None
    text = json.dumps({"type": "record", "name": "Out", "fields": fields})
    return engine.registry.register("other-value", SchemaRequest(text)).id


def _orders(engine: Engine) -> None:
    engine.execute("""
        SET 'auto.offset.reset' = 'earliest';
        CREATE STREAM ORDERS (ID INT KEY, `qty` INT) WITH (kafka_topic='orders',
            partitions=1, value_format='AVRO');""")


def test_a_reordered_schema_is_refused_naming_the_misplaced_column(engine: Engine) -> None:
    _orders(engine)
    schema_id = _schema_id(engine, [{"name": "note", "type": "string"},
                                    {"name": "qty", "type": "int"}])
    with pytest.raises(SqlError) as err:
        engine.execute(f"CREATE STREAM OUT WITH (value_schema_id={schema_id}) AS "
                       "SELECT * FROM ORDERS;")
    assert err.value.message == (
        "The following value columns are changed, missing or reordered: [`qty` INTEGER]. "
        "Schema from schema registry is [`note` STRING, `qty` INTEGER]")


def test_a_type_mismatch_is_refused(engine: Engine) -> None:
    _orders(engine)
    schema_id = _schema_id(engine, [{"name": "qty", "type": "string"}])
    with pytest.raises(SqlError, match="changed, missing or reordered: \\[`qty` INTEGER\\]"):
        engine.execute(f"CREATE STREAM OUT WITH (value_schema_id={schema_id}) AS "
                       "SELECT * FROM ORDERS;")



def _written(engine: Engine, topic: str) -> list[dict[str, object]]:
    assert engine.registry is not None
    out = []
    for record in engine.log.read(TopicPartition(topic, 0), 0):
        assert record.value is not None
        schema_id, payload = unframe(record.value)
        out.append(AvroCodec(engine.registry.get_schema(schema_id).schema).decode(payload))
    return out


def test_extra_optional_fields_are_written_as_null(engine: Engine) -> None:
    _orders(engine)
    schema_id = _schema_id(engine, [{"name": "qty", "type": ["null", "int"]},
                                    {"name": "note", "type": ["null", "string"],
                                     "default": None}])
    engine.execute(f"CREATE STREAM OUT WITH (value_schema_id={schema_id}) AS "
                   "SELECT * FROM ORDERS;")
    engine.execute("INSERT INTO ORDERS (ID, `qty`) VALUES (1, 5);")
    engine.run_until_idle()
    assert _written(engine, "OUT") == [{"qty": 5, "note": None}]


def test_a_row_the_named_schema_cannot_hold_stops_the_query(engine: Engine) -> None:
    """An extra field that is required: the statement is accepted (ksqlDB checks only the
    query's columns), the first row fails to serialise and the query stops there."""
    _orders(engine)
    schema_id = _schema_id(engine, [{"name": "qty", "type": ["null", "int"]},
                                    {"name": "note", "type": "string"}])
    engine.execute(f"CREATE STREAM OUT WITH (value_schema_id={schema_id}) AS "
                   "SELECT * FROM ORDERS;")
    engine.execute("INSERT INTO ORDERS (ID, `qty`) VALUES (1, 5);")
    engine.run_until_idle()
    assert _written(engine, "OUT") == []
    [listing] = engine.execute("SHOW QUERIES;")
    assert isinstance(listing, QueryList)
    # RUNNING, as in ksqlDB (retried after a back-off), but stopped on the row.
    assert [q.state for q in listing.queries] == ["RUNNING"]
    assert all(engine.runtime.queries[q.id].failure for q in listing.queries)
