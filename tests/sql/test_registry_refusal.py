"""A CREATE ... AS SELECT whose schema the registry refuses leaves everything as it was: no
schema version registered before the refused one, and, for a CREATE OR REPLACE, the
replaced query still running. The error is ksqlDB's wording of the registry's refusal."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tote.log.memory import MemoryLog
from tote.registry import Registry, SchemaRequest
from tote.sql.engine import Engine
from tote.sql.errors import StatementError
from tote.sql.testing import produce, rows

CREATE_A = ("CREATE STREAM A (K INT KEY, X INT) WITH (kafka_topic='a', partitions=1, "
            "value_format='json');")
# X as a string: a BACKWARD-incompatible earlier version for any sink holding X INT.
STRING_X = SchemaRequest(json.dumps({
    "type": "record", "name": "KsqlDataSourceSchema",
    "namespace": "io.confluent.ksql.avro_schemas",
    "fields": [{"name": "X", "type": ["null", "string"], "default": None}]}))
REFUSED = ("Could not register schema for topic: Could not register schema for topic: "
           'Schema being registered is incompatible with an earlier schema for subject '
           '"b-value"')


@pytest.fixture
def engine() -> Iterator[Engine]:
    log = MemoryLog()
    registry = Registry(log)
    registry.start()
    engine = Engine(log, registry, properties={"auto.offset.reset": "earliest"})
    engine.execute(CREATE_A)
    yield engine
    engine.close()
    registry.close()


def _registry(engine: Engine) -> Registry:
    assert engine.registry is not None
    return engine.registry


def test_no_key_version_stays_when_the_value_schema_is_refused(engine: Engine) -> None:
    registry = _registry(engine)
    registry.set_config("b-key", "NONE")
    registry.register("b-key", SchemaRequest('"string"'))
    registry.register("b-value", STRING_X)
    with pytest.raises(StatementError) as refused:
        engine.execute("CREATE STREAM B WITH (kafka_topic='b', partitions=1, format='avro') "
                       "AS SELECT * FROM A;")
    assert registry.versions("b-key") == [1]
    assert registry.versions("b-value") == [1]
    assert engine.metastore.source("B") is None
    assert refused.value.message.startswith(REFUSED)
    assert refused.value.message.endswith("; error code: 409")


def test_a_refused_replacement_keeps_the_replaced_query_running(engine: Engine) -> None:
    engine.execute("CREATE STREAM B WITH (kafka_topic='b', partitions=1, value_format='avro') "
                   "AS SELECT * FROM A;")
    registry = _registry(engine)
    registry.set_config("b-value", "NONE")
    registry.register("b-value", STRING_X)
    registry.set_config("b-value", "BACKWARD")
    [qid] = engine.metastore.queries
    with pytest.raises(StatementError) as refused:
        engine.execute("CREATE OR REPLACE STREAM B WITH (kafka_topic='b', partitions=1, "
                       "value_format='avro') AS SELECT K, X, X + 1 AS Y FROM A;")
    assert list(engine.metastore.queries) == [qid]
    assert list(engine.runtime.queries) == [qid]
    produce(engine, "A", [((1,), (7,))])
    engine.run_until_idle()
    assert rows(engine, "B") == [(1, 7)]
    assert refused.value.message.startswith(REFUSED)
