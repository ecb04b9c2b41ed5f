"""INSERT VALUES and `/inserts-stream` refuse a source whose topic ksqlDB keeps read-only:
the processing log's (`<service id>ksql_processing_log`), ksqlDB's internal
`_confluent-ksql-...` topics and those matching `ksql.readonly.topics` (Java regexes, by
default Kafka's and Confluent's system topics), with ksqlDB 8's message and nothing
written. A real server on a free port."""

from __future__ import annotations

import httpx
import pytest
from tests.ksql.conftest import Ksql, serving


def _create(ksql: Ksql, name: str, topic: str) -> None:
    created = ksql.post(f"CREATE STREAM {name} (id INT KEY, v STRING) WITH "
                        f"(kafka_topic='{topic}', value_format='JSON', partitions=1);")
    assert created.status_code == 200, created.text


def _insert(ksql: Ksql, name: str) -> httpx.Response:
    return ksql.post(f"INSERT INTO {name} (id, v) VALUES (1, 'a');")


def _stream_in(ksql: Ksql, name: str) -> httpx.Response:
    return ksql.client.post("/inserts-stream", content=(
        '{"target":"' + name + '"}\n{"ID": 1, "V": "a"}\n').encode())


def _written(ksql: Ksql, topic: str) -> int:
    return sum(p.end_offset for p in ksql.log.describe_topic(topic).partitions)


def _refused(ksql: Ksql, name: str, topic: str) -> None:
    message = f"Cannot insert values into read-only topic: {topic}"
    statement = _insert(ksql, name)
    assert statement.status_code == 400, statement.text
    body = statement.json()
    assert (body["@type"], body["error_code"], body["message"]) == (
        "statement_error", 40001, message)
    streamed = _stream_in(ksql, name)
    assert streamed.status_code == 400, streamed.text
    assert (streamed.json()["error_code"], streamed.json()["message"]) == (40001, message)
    assert _written(ksql, topic) == 0


@pytest.mark.parametrize("topic", ["_confluent-monitoring", "_schemas", "connect-offsets",
                                   "_confluent-ksql-default_query_CSAS_X_1-Join-repartition",
                                   "default_ksql_processing_log"])
def test_system_internal_and_processing_log_topics_are_read_only(ksql: Ksql,
                                                                 topic: str) -> None:
    _create(ksql, "s", topic)
    _refused(ksql, "S", topic)


def test_the_configured_list_replaces_the_default_one() -> None:
    with serving({"ksql.readonly.topics": "audit\\..*, ro_[0-9]+",
                  "ksql.service.id": "svc_"}) as ksql:
        for name, topic in (("a", "audit.events"), ("r", "ro_42"),
                            ("p", "svc_ksql_processing_log"),
                            ("i", "_confluent-ksql-svc_configs")):
            _create(ksql, name, topic)
            _refused(ksql, name.upper(), topic)
        # no longer listed: writable, by both ways in
        _create(ksql, "w", "_confluent-monitoring")
        assert _insert(ksql, "w").status_code == 200
        acks = _stream_in(ksql, "W")
        assert acks.status_code == 200
        assert acks.text.splitlines() == ['{"status":"ok","seq":0}']
        assert _written(ksql, "_confluent-monitoring") == 2
        # a name must match as a whole
        _create(ksql, "x", "ro_42x")
        assert _insert(ksql, "x").status_code == 200


BAD_PATTERN = ("Invalid value [_confluent.*, (] for configuration ksql.readonly.topics: Not "
               "valid regular expression: Unclosed group near index 14\n_confluent.*|(")


def test_an_invalid_pattern_is_refused_where_it_is_set(ksql: Ksql) -> None:
    # As ksqlDB's validRegex: the list is checked when it is set, not at the INSERT.
    refused = ksql.post("SET 'ksql.readonly.topics' = '_confluent.*, (';")
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert (body["@type"], body["error_code"], body["message"]) == (
        "statement_error", 40001, BAD_PATTERN)
    coerced = ksql.post("SHOW STREAMS;", streamsProperties={
        "ksql.readonly.topics": "_confluent.*, ("})
    assert coerced.status_code == 400, coerced.text
    assert coerced.json()["message"] == (  # the cause wrapped at 80 columns, as ksqlDB's
        "Failed to coerce type of value '_confluent.*, (' for key 'ksql.readonly.topics'\n"
        "Caused by: Invalid value [_confluent.*, (] for configuration\n\tksql.readonly.topics: "
        "Not valid regular expression: Unclosed group near index\n\t14\n_confluent.*|(")
    assert ksql.post("SET 'ksql.readonly.topics' = 'audit\\..*, ro_[0-9]+';").status_code == 200
