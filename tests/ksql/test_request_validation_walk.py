"""Request validation past a new schema version, a CREATE OR REPLACE of a running query
and an ASSERT: the walk takes the version as registered (registering nothing, as ksqlDB's
sandbox), replaces the query in its copy and passes the ASSERT (ksqlDB does not validate
it), so a refusal anywhere in the request still leaves nothing behind."""

from __future__ import annotations

import json

from tests.ksql.conftest import Ksql
from tests.ksql.test_request_validation import BAD_E, CREATE_A, _names, _refused

from tote.registry import SchemaRequest

# B's sink, Avro on topic 'b', whose value subject the tests register first.
CSAS_B = ("CREATE STREAM B WITH (kafka_topic='b', partitions=1, value_format='avro') AS "
          "SELECT * FROM A;")


def _value_schema(field_type: object) -> SchemaRequest:
    return SchemaRequest(json.dumps({
        "type": "record", "name": "KsqlDataSourceSchema",
        "namespace": "io.confluent.ksql.avro_schemas",
        "fields": [{"name": "X", "type": field_type, "default": None}]}))


def _queries(ksql: Ksql) -> list[tuple[str, str]]:
    queries = ksql.post("SHOW QUERIES;").json()[0]["queries"]
    return [(q["id"], q["queryString"]) for q in queries]


def test_an_incompatible_new_version_is_refused_as_it_runs(ksql: Ksql) -> None:
    """ksqlDB's sandbox registers into a cache of its own, so validation passes an
    incompatible schema: the statements before it run, then it is refused."""
    ksql.registry.register("b-value", _value_schema(["null", "string"]))
    response = ksql.post(f"{CREATE_A} {CSAS_B}")
    assert response.status_code == 400, response.text
    message = response.json()["message"]
    # ksqlDB's wording: its two layers each prefix the registry client's error.
    assert message.startswith("Could not register schema for topic: Could not register "
                              "schema for topic: Schema being registered is incompatible "
                              'with an earlier schema for subject "b-value"')
    assert message.endswith("; error code: 409")
    assert response.json()["statementText"] == CSAS_B
    assert _names(ksql) == ["A"]
    assert ksql.registry.versions("b-value") == [1]


def test_a_refusal_after_an_incompatible_new_version_leaves_nothing(ksql: Ksql) -> None:
    """Validation walks past the incompatible schema (as ksqlDB's) to the refused
    statement after it, so nothing of the request runs."""
    ksql.registry.register("b-value", _value_schema(["null", "string"]))
    _refused(ksql, f"{CREATE_A} {CSAS_B} {BAD_E}", BAD_E)
    assert _names(ksql) == []
    assert ksql.registry.versions("b-value") == [1]


def test_a_compatible_new_version_is_walked_without_registering(ksql: Ksql) -> None:
    ksql.registry.register("b-value", _value_schema(["null", "int"]))
    after = "CREATE STREAM C AS SELECT X + 1 AS Y FROM B;"
    _refused(ksql, f"{CREATE_A} {CSAS_B} {after} {BAD_E}", BAD_E)
    assert _names(ksql) == []
    assert ksql.registry.versions("b-value") == [1]
    response = ksql.post(f"{CREATE_A} {CSAS_B} {after}")
    assert response.status_code == 200, response.text
    assert _names(ksql) == ["A", "B", "C"]


def test_create_or_replace_of_a_running_query_is_walked(ksql: Ksql) -> None:
    """The copy holds the replaced query under its id and B's new column: a CSAS reading
    it and a DROP refused for that query (by its id) are walked, and nothing runs before
    a refusal."""
    assert ksql.post(f"{CREATE_A} CREATE STREAM B AS SELECT * FROM A;").status_code == 200
    [(qid, before)] = _queries(ksql)
    replace = "CREATE OR REPLACE STREAM B AS SELECT X, X + 1 AS Y FROM A;"
    reads = "CREATE STREAM C AS SELECT Y FROM B;"
    _refused(ksql, f"{replace} {reads} {BAD_E}", BAD_E)
    drop = "DROP STREAM A;"  # refused for the query reading A: the replacement, qid
    assert qid in _refused(ksql, f"{replace} {drop}", drop)["message"]
    assert _queries(ksql) == [(qid, before)]
    assert _names(ksql) == ["A", "B"]
    response = ksql.post(f"{replace} {reads}")
    assert response.status_code == 200, response.text
    queries = dict(_queries(ksql))
    assert queries[qid] == replace
    assert _names(ksql) == ["A", "B", "C"]


def test_the_walk_goes_on_past_an_assert(ksql: Ksql) -> None:
    asserts = "ASSERT TOPIC a; ASSERT NOT EXISTS SCHEMA SUBJECT 'a-value';"
    _refused(ksql, f"{CREATE_A} {asserts} {BAD_E}", BAD_E)
    assert _names(ksql) == [] and not ksql.log.topic_exists("a")
    response = ksql.post(f"{CREATE_A} {asserts}")
    assert response.status_code == 200, response.text
    assert [e["@type"] for e in response.json()] == ["currentStatus", "assert_topic",
                                                     "assert_schema"]
