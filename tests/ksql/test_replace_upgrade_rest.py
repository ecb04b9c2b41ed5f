"""A CREATE OR REPLACE whose plan ksqlDB cannot upgrade, over /ksql: a statement_error
(40001) in ksqlDB's words, the old query left running, and, within a request, refused by
validation before any statement of it runs."""

from __future__ import annotations

from tests.ksql.conftest import Ksql
from tests.ksql.test_request_validation import CREATE_A, _names, _refused

CREATE_A2 = ("CREATE STREAM A2 (X INT) WITH (kafka_topic='a2', partitions=1, "
             "value_format='json');")
CSAS_B = "CREATE STREAM B AS SELECT * FROM A;"
REPLACE_B = "CREATE OR REPLACE STREAM B AS SELECT * FROM A2;"
ANOTHER_SOURCE = ("Query is not upgradeable. Plan step of type StreamSource must have matching "
                  "topicName. Values differ: a vs. a2")


def _queries(ksql: Ksql) -> list[tuple[str, str]]:
    queries = ksql.post("SHOW QUERIES;").json()[0]["queries"]
    return [(q["id"], q["queryString"]) for q in queries]


def test_a_replacement_reading_another_source_is_refused(ksql: Ksql) -> None:
    assert ksql.post(f"{CREATE_A} {CREATE_A2} {CSAS_B}").status_code == 200
    before = _queries(ksql)
    response = ksql.post(REPLACE_B)
    assert response.status_code == 400, response.text
    body = response.json()
    assert (body["@type"], body["error_code"]) == ("statement_error", 40001)
    assert body["message"] == ANOTHER_SOURCE
    assert body["statementText"] == REPLACE_B
    assert _queries(ksql) == before


def test_validation_refuses_the_replacement_of_a_query_the_request_starts(ksql: Ksql) -> None:
    _refused(ksql, f"{CREATE_A} {CREATE_A2} {CSAS_B} {REPLACE_B}", REPLACE_B, ANOTHER_SOURCE)
    assert _names(ksql) == []
    assert _queries(ksql) == []


def test_a_refusal_naming_queries_the_request_starts_names_their_real_ids(ksql: Ksql) -> None:
    """Validation cannot know the ids of the queries a request starts for sure, so it stops
    before a replacement refused for listing them: it is refused as it runs."""
    insert = "INSERT INTO B SELECT * FROM A2;"
    replace = "CREATE OR REPLACE STREAM B AS SELECT * FROM A;"
    response = ksql.post(f"{CREATE_A} {CREATE_A2} {CSAS_B} {insert} {replace}")
    assert response.status_code == 400, response.text
    ids = ", ".join(sorted(qid for qid, _ in _queries(ksql)))
    assert response.json()["message"] == (
        "REPLACE for sink `B` is not supported because there are multiple queries writing "
        f"into it: [{ids}]")
