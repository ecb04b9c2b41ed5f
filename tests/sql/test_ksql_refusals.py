"""Statements ksqlDB refuses that tote once accepted: each must fail with ksqlDB's wording
and leave no stream, table, topic, query or registry subject behind."""

from __future__ import annotations

import json

import pytest

from tote.registry.models import SchemaRequest
from tote.serde.schemas import SchemaType
from tote.sql.engine import Engine
from tote.sql.errors import StatementError
from tote.sql.testing import refused

BASE = (
    "CREATE STREAM S (K INT KEY, PAGE STRING, MS BIGINT) "
    "WITH (kafka_topic='s', partitions=1, value_format='JSON');"
    "CREATE TABLE T (K INT PRIMARY KEY, PAGE STRING, MS BIGINT) "
    "WITH (kafka_topic='t', partitions=1, value_format='JSON');"
    "CREATE STREAM C AS SELECT K, PAGE FROM S;"
)
WITH_S = "WITH (kafka_topic='s', partitions=1, value_format='JSON');"
S_SCHEMA = "`K` INTEGER KEY, `PAGE` STRING, `MS` BIGINT"


@pytest.fixture
def engine(engine: Engine) -> Engine:
    engine.execute(BASE)
    return engine


def _upgrade_error(name: str, old: str, new: str, changed: str) -> str:
    return (f"Cannot upgrade data source: DataSource '`{name}`' has schema = {old} which is "
            f"not upgradeable to {new}. (The following columns are changed, missing or "
            f"reordered: [{changed}])")


# -- CREATE OR REPLACE may only add columns at the end ---------------------------------------


@pytest.mark.parametrize(("columns", "new", "changed"), [
    ("K INT KEY, PAGE STRING", "`K` INTEGER KEY, `PAGE` STRING", "`MS` BIGINT"),
    ("K INT KEY, PAGE INT, MS BIGINT", "`K` INTEGER KEY, `PAGE` INTEGER, `MS` BIGINT",
     "`PAGE` STRING"),
    ("K INT KEY, MS BIGINT, PAGE STRING", "`K` INTEGER KEY, `MS` BIGINT, `PAGE` STRING",
     "`PAGE` STRING, `MS` BIGINT"),
], ids=["dropped", "retyped", "reordered"])
def test_replacing_a_stream_may_not_drop_retype_or_reorder_columns(
        engine: Engine, columns: str, new: str, changed: str) -> None:
    error = refused(engine, f"CREATE OR REPLACE STREAM S ({columns}) {WITH_S}")
    assert isinstance(error, StatementError)
    assert error.message == _upgrade_error("S", S_SCHEMA, new, changed)


def test_replacing_a_table_may_not_change_its_key(engine: Engine) -> None:
    error = refused(engine, "CREATE OR REPLACE TABLE T (K BIGINT PRIMARY KEY, PAGE STRING, "
                    "MS BIGINT) WITH (kafka_topic='t', partitions=1, value_format='JSON');")
    assert error.message == (
        "Cannot upgrade data source: DataSource '`T`' has schema = " + S_SCHEMA + " which is "
        "not upgradeable to `K` BIGINT KEY, `PAGE` STRING, `MS` BIGINT. (Key columns must be "
        "identical. The following key columns are changed, missing or reordered: "
        "[`K` INTEGER KEY])")


def test_replacing_a_query_sink_may_not_drop_a_column(engine: Engine) -> None:
    error = refused(engine, "CREATE OR REPLACE STREAM C AS SELECT K, MS FROM S;")
    assert error.message == _upgrade_error("C", "`K` INTEGER KEY, `PAGE` STRING",
                                           "`K` INTEGER KEY, `MS` BIGINT", "`PAGE` STRING")


def test_replacing_a_stream_with_a_table_is_refused(engine: Engine) -> None:
    error = refused(engine, "CREATE OR REPLACE TABLE S (K INT PRIMARY KEY, PAGE STRING, "
                    f"MS BIGINT) {WITH_S}")
    assert error.message == ("Cannot upgrade data source: DataSource '`S`' has type = KSTREAM "
                             "which is not upgradeable to KTABLE")


def test_replacing_may_add_columns_at_the_end(engine: Engine) -> None:
    engine.execute(f"CREATE OR REPLACE STREAM S (K INT KEY, PAGE STRING, MS BIGINT, X INT) "
                   f"{WITH_S}"
                   "CREATE OR REPLACE STREAM C AS SELECT K, PAGE, MS FROM S;")
    described = engine.execute("DESCRIBE S;")[0]
    names = [f.name for f in described.description.fields]  # type: ignore[attr-defined]
    assert names == ["K", "PAGE", "MS", "X"]


# -- GROUP BY with PARTITION BY -------------------------------------------------------------


@pytest.mark.parametrize("sql", [
    "CREATE TABLE X AS SELECT PAGE, COUNT(*) AS N FROM S GROUP BY PAGE PARTITION BY PAGE;",
    "CREATE STREAM X AS SELECT PAGE, COUNT(*) AS N FROM S GROUP BY PAGE PARTITION BY PAGE;",
], ids=["ctas", "csas"])
def test_group_by_and_partition_by_together_are_refused(engine: Engine, sql: str) -> None:
    error = refused(engine, sql)
    assert error.message == ("Failed to prepare statement: Queries only support one of "
                             "PARTITION BY and GROUP BY")


# -- empty quoted identifiers ---------------------------------------------------------------


@pytest.mark.parametrize("sql", [
    f"CREATE STREAM `` (K INT KEY, V STRING) {WITH_S}",
    f'CREATE STREAM "" (K INT KEY, V STRING) {WITH_S}',
    f"CREATE STREAM E (K INT KEY, `` STRING) {WITH_S}",
    'CREATE STREAM X AS SELECT K, PAGE AS "" FROM S;',
    "CREATE STREAM X AS SELECT K, `` FROM S;",
], ids=["backquoted source", "quoted source", "column", "alias", "column reference"])
def test_empty_quoted_identifiers_are_refused(engine: Engine, sql: str) -> None:
    assert refused(engine, sql).message == "Failed to prepare statement: name is empty"


@pytest.mark.parametrize(("sql", "name"), [
    ("CREATE STREAM ` X` (K INT KEY) " + WITH_S, " X"),
    ('CREATE STREAM X AS SELECT K, PAGE AS "P " FROM S;', "P "),
    ("CREATE STREAM X AS SELECT K, `PAGE\t` FROM S;", "PAGE\t"),
])
def test_quoted_identifiers_with_surrounding_blanks_are_refused(engine: Engine, sql: str,
                                                                 name: str) -> None:
    assert refused(engine, sql).message == \
        f"Failed to prepare statement: name is not trimmed: '{name}'"


def test_a_doubled_quote_is_not_an_empty_identifier(engine: Engine) -> None:
    engine.execute('CREATE STREAM X AS SELECT K, PAGE AS """" FROM S;')
    described = engine.execute("DESCRIBE X;")[0]
    assert [f.name for f in described.description.fields] == ["K", '"']  # type: ignore[attr-defined]


# -- WITH properties of type string given another literal ------------------------------------


@pytest.mark.parametrize(("value", "java_class"), [
    ("1", "java.lang.Integer"), ("10000000000", "java.lang.Long"),
    ("1.5", "java.math.BigDecimal"), ("true", "java.lang.Boolean"),
])
def test_a_non_string_kafka_topic_is_refused(engine: Engine, value: str,
                                             java_class: str) -> None:
    error = refused(engine, f"CREATE STREAM E (K INT KEY, V STRING) WITH (kafka_topic={value}, "
                    "partitions=1, value_format='JSON');")
    assert isinstance(error, StatementError)
    assert error.message == (f"Invalid value {value} for property KAFKA_TOPIC: Expected value "
                             f"to be a string, but it was a {java_class}")


def test_a_non_string_value_format_is_refused(engine: Engine) -> None:
    error = refused(engine, "CREATE STREAM E (K INT KEY, V STRING) WITH (kafka_topic='e', "
                    "partitions=1, value_format=2);")
    assert error.message == ("Invalid value 2 for property VALUE_FORMAT: Expected value to be "
                             "a string, but it was a java.lang.Integer")


# -- CREATE TYPE with a built-in type's name: ksqlDB accepts it, built-ins still win -------


def test_a_custom_type_named_like_a_built_in_does_not_shadow_it(engine: Engine) -> None:
    engine.execute("CREATE TYPE INT AS STRING;"
                   "CREATE STREAM E (K INT KEY, V INT) WITH (kafka_topic='e', partitions=1, "
                   "value_format='JSON');")
    described = engine.execute("DESCRIBE E;")[0]
    types = [f.type for f in described.description.fields]  # type: ignore[attr-defined]
    assert types == ["INTEGER", "INTEGER"]


# -- schema inference from a schema of another format ---------------------------------------

AVRO_VALUE = json.dumps({"type": "record", "name": "V",
                         "fields": [{"name": "A", "type": ["null", "string"]}]})


def _register_avro(engine: Engine, subject: str) -> int:
    assert engine.registry is not None
    return engine.registry.register(subject, SchemaRequest(AVRO_VALUE, SchemaType.AVRO)).id


def test_protobuf_source_over_an_avro_subject_is_refused(engine: Engine) -> None:
    _register_avro(engine, "p-value")
    error = refused(engine, "CREATE STREAM P WITH (kafka_topic='p', partitions=1, "
                    "value_format='PROTOBUF');")
    assert isinstance(error, StatementError)
    assert error.message == (
        "Value schema is not in the expected format. You may want to set VALUE_FORMAT to "
        "'AVRO'.\ntopic: p\nexpected format: PROTOBUF\nactual format from Schema Registry: "
        "AVRO")


def test_protobuf_key_from_an_avro_schema_id_is_refused(engine: Engine) -> None:
    schema_id = _register_avro(engine, "other-key")
    error = refused(engine, "CREATE STREAM P (V STRING) WITH (kafka_topic='p', partitions=1, "
                    f"key_format='PROTOBUF', value_format='JSON', key_schema_id={schema_id});")
    assert error.message == (
        "Key schema is not in the expected format. You may want to set KEY_FORMAT to "
        f"'AVRO'.\ntopic: p, schema id: {schema_id}\nexpected format: PROTOBUF\n"
        "actual format from Schema Registry: AVRO")


def test_avro_source_over_an_avro_subject_still_infers(engine: Engine) -> None:
    _register_avro(engine, "p-value")
    engine.execute("CREATE STREAM P WITH (kafka_topic='p', partitions=1, value_format='AVRO');")
    described = engine.execute("DESCRIBE P;")[0]
    assert [f.name for f in described.description.fields] == ["A"]  # type: ignore[attr-defined]


def test_a_bad_function_call_is_reported_before_a_missing_key(engine: Engine) -> None:
    # ksqlDB types the whole projection before it looks for the key column.
    error = refused(engine, "CREATE STREAM X AS SELECT ABS(PAGE) AS A FROM S;")
    assert error.message.startswith("Function 'Abs' does not accept parameters (STRING).")
