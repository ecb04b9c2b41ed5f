"""A /ksql request is validated whole before any of it runs, as ksqlDB's KsqlResource
does (RequestValidator over a sandboxed engine): a statement refused anywhere leaves
nothing of the statements before it (no source, no topic, no command), and the answer is
that statement's error with no entities, since nothing ran."""

from __future__ import annotations

from typing import Any

from tests.ksql.conftest import Ksql

from tote.core.records import TopicPartition

CREATE_A = ("CREATE STREAM A (X INT) WITH (kafka_topic='a', partitions=1, "
            "value_format='json');")
BAD_CSAS = "CREATE STREAM B AS SELECT * FROM NOPE;"
BAD_E = "CREATE STREAM E AS SELECT * FROM NOPE;"
NO_FORMAT = ("Statement is missing the 'VALUE_FORMAT' property from the WITH clause. Either "
             "provide one or set a default via the 'ksql.persistence.default.format.value' "
             "config.")


def _names(ksql: Ksql) -> list[str]:
    body = ksql.post("SHOW STREAMS;").json()
    return sorted(s["name"] for s in body[0]["streams"])


def _refused(ksql: Ksql, sql: str, failing: str, message: str | None = None
             ) -> dict[str, Any]:
    """Post `sql`; check it is refused on `failing`, with `message` or else as `failing`
    alone is, then that nothing of it ran (no new command, source or topic)."""
    commands = ksql.server.follower.commands.next_offset()
    topics = ksql.log.list_topics()
    subjects = ksql.registry.subjects()
    if message is None:
        alone = ksql.post(failing)
        assert alone.status_code == 400, alone.text
        message = alone.json()["message"]
    response = ksql.post(sql)
    assert response.status_code == 400, response.text
    body: dict[str, Any] = response.json()
    assert body["@type"] == "statement_error"
    assert body["error_code"] == 40001
    assert body["message"] == message
    assert body["statementText"] == failing
    assert body["entities"] == []
    assert ksql.server.follower.commands.next_offset() == commands
    assert ksql.log.list_topics() == topics
    assert ksql.registry.subjects() == subjects
    return body


def test_a_later_refusal_leaves_nothing_of_earlier_statements(ksql: Ksql) -> None:
    _refused(ksql, f"{CREATE_A} {BAD_CSAS}", BAD_CSAS)
    assert _names(ksql) == []
    assert not ksql.log.topic_exists("a")
    assert ksql.server.statuses == {}


def test_schemas_the_request_would_register_are_not_registered(ksql: Ksql) -> None:
    sql = ("CREATE STREAM A (K INT KEY, X INT) WITH (kafka_topic='a', partitions=1, "
           "format='avro'); CREATE STREAM A2 (K INT KEY, X INT) WITH (kafka_topic='a', "
           "format='avro'); CREATE STREAM B AS SELECT * FROM A2;")
    _refused(ksql, f"{sql} {BAD_E}", BAD_E)
    assert ksql.registry.subjects() == []
    response = ksql.post(sql)
    assert response.status_code == 200, response.text
    assert ksql.registry.subjects() == ["B-key", "B-value", "a-key", "a-value"]


def test_statements_see_the_sources_earlier_ones_create(ksql: Ksql) -> None:
    sql = (f"{CREATE_A} CREATE STREAM B AS SELECT * FROM A; "
           "CREATE STREAM C AS SELECT X + 1 AS Y FROM B; INSERT INTO C SELECT X AS Y FROM A;")
    refused = sql + " CREATE STREAM D AS SELECT Z FROM C;"
    _refused(ksql, refused, "CREATE STREAM D AS SELECT Z FROM C;",
             "Line: 1, Col: 27: SELECT column 'Z' cannot be resolved.")
    assert _names(ksql) == []
    response = ksql.post(sql)
    assert response.status_code == 200, response.text
    assert [e["commandStatus"]["status"] for e in response.json()] == ["SUCCESS"] * 4
    assert _names(ksql) == ["A", "B", "C"]
    assert ksql.log.topic_exists("B") and ksql.log.topic_exists("C")


def test_a_create_on_the_topic_an_earlier_csas_creates(ksql: Ksql) -> None:
    """The walk "created" B's topic: the CREATE on it needs no PARTITIONS."""
    sql = (f"{CREATE_A} CREATE STREAM B AS SELECT * FROM A; "
           "CREATE STREAM B2 (X INT) WITH (kafka_topic='B', value_format='json');")
    _refused(ksql, f"{sql} {BAD_E}", BAD_E)
    assert _names(ksql) == [] and not ksql.log.topic_exists("B")
    response = ksql.post(sql)
    assert response.status_code == 200, response.text
    assert _names(ksql) == ["A", "B", "B2"]


def test_set_applies_to_the_later_statements_of_the_request(ksql: Ksql) -> None:
    create_b = "CREATE STREAM B2 (X INT) WITH (kafka_topic='b', partitions=1);"
    _refused(ksql, f"{CREATE_A} {create_b}", create_b, NO_FORMAT)
    assert _names(ksql) == []
    sql = f"{CREATE_A} SET 'ksql.persistence.default.format.value'='JSON'; {create_b}"
    response = ksql.post(sql)
    assert response.status_code == 200, response.text
    assert _names(ksql) == ["A", "B2"]
    unset = f"UNSET 'ksql.persistence.default.format.value'; {create_b}"
    _refused(ksql, "SET 'ksql.persistence.default.format.value'='JSON'; DROP STREAM B2; "
             + unset, create_b, NO_FORMAT)
    assert _names(ksql) == ["A", "B2"]


def test_drop_then_create_again_in_one_request(ksql: Ksql) -> None:
    assert ksql.post(CREATE_A).status_code == 200
    again = ("DROP STREAM A DELETE TOPIC; CREATE STREAM A (Y STRING) WITH (kafka_topic='a', "
             "partitions=2, value_format='json');")
    _refused(ksql, f"{again} {BAD_CSAS}", BAD_CSAS)
    source = ksql.post("DESCRIBE A;").json()[0]["sourceDescription"]
    assert [f["name"] for f in source["fields"]] == ["X"]
    assert ksql.log.describe_topic("a").spec.partitions == 1
    response = ksql.post(again)
    assert response.status_code == 200, response.text
    source = ksql.post("DESCRIBE A;").json()[0]["sourceDescription"]
    assert [f["name"] for f in source["fields"]] == ["Y"]
    assert ksql.log.describe_topic("a").spec.partitions == 2


def test_a_drop_refused_for_a_query_the_request_starts_runs_as_before(ksql: Ksql) -> None:
    """Its message names the query's id, which only running gives exactly: the walk stops
    there and the statements run, the DROP failing as it runs."""
    sql = f"{CREATE_A} CREATE STREAM B AS SELECT * FROM A; DROP STREAM A;"
    response = ksql.post(sql)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["message"].startswith("Cannot drop A.")
    assert "CSAS_B_" in body["message"]
    assert len(body["entities"]) == 2


def test_read_only_statements_are_validated_with_the_rest(ksql: Ksql) -> None:
    """ksqlDB's CustomValidators run DESCRIBE, DESCRIBE FUNCTION and EXPLAIN in the
    sandbox: one refused there leaves nothing of the CREATE before it."""
    for failing in ("DESCRIBE NOPE;", "DESCRIBE NOPE EXTENDED;", "DESCRIBE FUNCTION NOPE;",
                    "EXPLAIN CSAS_NOPE_7;", f"EXPLAIN {BAD_CSAS}"):
        _refused(ksql, f"{CREATE_A} {failing}", failing)
        assert _names(ksql) == [] and not ksql.log.topic_exists("a")
    taken = "EXPLAIN CREATE STREAM A AS SELECT X FROM A;"  # A is there by the EXPLAIN
    _refused(ksql, f"{CREATE_A} {taken}", taken,
             "Cannot add stream 'A': A stream with the same name already exists")
    assert _names(ksql) == [] and not ksql.log.topic_exists("a")
    sql = (f"{CREATE_A} DESCRIBE A EXTENDED; DESCRIBE FUNCTION ABS; DESCRIBE STREAMS; "
           "EXPLAIN CREATE STREAM B AS SELECT X FROM A;")
    response = ksql.post(sql)
    assert response.status_code == 200, response.text
    assert len(response.json()) == 5


def test_insert_values_is_validated_without_writing(ksql: Ksql) -> None:
    bad = "INSERT INTO A (X) VALUES ('abc');"
    assert ksql.post(CREATE_A).status_code == 200
    alone = ksql.post(bad)  # its error once A is there, as it is by the INSERT below
    assert alone.status_code == 400, alone.text
    message = alone.json()["message"]
    assert ksql.post("DROP STREAM A DELETE TOPIC;").status_code == 200
    _refused(ksql, f"{CREATE_A} {bad}", bad, message)
    assert _names(ksql) == [] and not ksql.log.topic_exists("a")
    good = "INSERT INTO A (X) VALUES (1);"
    _refused(ksql, f"{CREATE_A} {good} {BAD_CSAS}", BAD_CSAS)
    assert not ksql.log.topic_exists("a")
    response = ksql.post(f"{CREATE_A} {good} {good}")
    assert response.status_code == 200, response.text
    assert len(ksql.log.read(TopicPartition("a", 0), 0)) == 2


def test_query_controls_are_validated_and_walked(ksql: Ksql) -> None:
    for failing in ("TERMINATE CSAS_NOPE_7;", "PAUSE CSAS_NOPE_7;", "RESUME CSAS_NOPE_7;"):
        _refused(ksql, f"{CREATE_A} {failing}", failing)
        assert _names(ksql) == []
    assert ksql.post(f"{CREATE_A} CREATE STREAM B AS SELECT * FROM A;").status_code == 200
    qid = ksql.post("SHOW QUERIES;").json()[0]["queries"][0]["id"]
    # The walk terminates the query in its copy: the DROP after it is accepted there, and
    # the refusal after both leaves the query running and B in place.
    _refused(ksql, f"PAUSE {qid}; TERMINATE {qid}; DROP STREAM B; {BAD_E}", BAD_E)
    queries = ksql.post("SHOW QUERIES;").json()[0]["queries"]
    assert [(q["id"], q["state"]) for q in queries] == [(qid, "RUNNING")]
    assert _names(ksql) == ["A", "B"]
    response = ksql.post(f"TERMINATE {qid}; DROP STREAM B;")
    assert response.status_code == 200, response.text
    assert _names(ksql) == ["A"]


def test_query_ids_the_request_starts_stop_the_walk(ksql: Ksql) -> None:
    """Their numbers when run may differ from the walk's: an id the walk does not know
    while it started a query is not refused there, but checked as it runs; TERMINATE
    ALL needs no id and is walked."""
    start = f"{CREATE_A} CREATE STREAM B AS SELECT * FROM A;"
    response = ksql.post(f"{start} EXPLAIN CSAS_B_99;")
    assert response.status_code == 400, response.text
    assert response.json()["message"].startswith("Query with id:CSAS_B_99 does not exist")
    assert len(response.json()["entities"]) == 2
    assert ksql.post("TERMINATE ALL; DROP STREAM B; DROP STREAM A;").status_code == 200
    _refused(ksql, f"{start} TERMINATE ALL; DROP STREAM B; {BAD_E}", BAD_E)
    assert _names(ksql) == []
    response = ksql.post(f"{start} TERMINATE ALL; DROP STREAM B;")
    assert response.status_code == 200, response.text
    assert _names(ksql) == ["A"]
