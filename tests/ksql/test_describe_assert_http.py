"""/ksql entities of DESCRIBE STREAMS|TABLES, SHOW TOPICS EXTENDED and ASSERT TOPIC|SCHEMA,
and ksqlDB's bare 417 error when an assertion fails."""

from __future__ import annotations

DDL = ("CREATE STREAM PAGES (ID INT KEY, PAGE STRING) WITH (kafka_topic='pages', "
       "partitions=2, value_format='JSON');"
       "CREATE TABLE USERS (ID INT PRIMARY KEY, NAME STRING) WITH (kafka_topic='users', "
       "partitions=1, value_format='AVRO');")


def test_describe_streams_and_tables_answer_source_descriptions(ksql) -> None:
    assert ksql.post(DDL).status_code == 200
    response = ksql.post("DESCRIBE STREAMS; DESCRIBE TABLES EXTENDED;")
    assert response.status_code == 200, response.text
    streams, tables = response.json()
    assert streams["@type"] == "source_descriptions"
    assert streams["statementText"] == "DESCRIBE STREAMS;"
    [pages] = streams["sourceDescriptions"]
    assert (pages["name"], pages["type"], pages["extended"], pages["partitions"]) == (
        "PAGES", "STREAM", False, 2)
    assert tables["@type"] == "source_descriptions"
    assert [(d["name"], d["extended"]) for d in tables["sourceDescriptions"]] == [
        ("USERS", True)]


def test_show_topics_extended_answers_kafka_topics_extended(ksql) -> None:
    ksql.log.create_topic("orders", partitions=2)
    consumer = ksql.log.consumer("billing", ["orders"])
    try:
        response = ksql.post("SHOW TOPICS EXTENDED;")
    finally:
        consumer.close()
    assert response.status_code == 200, response.text
    [listed] = response.json()
    assert listed["@type"] == "kafka_topics_extended"
    orders = next(t for t in listed["topics"] if t["name"] == "orders")
    assert orders == {"name": "orders", "replicaInfo": [1, 1], "consumerCount": 2,
                      "consumerGroupCount": 1}


def test_assert_topic_and_schema_entities(ksql) -> None:
    assert ksql.post(DDL).status_code == 200
    response = ksql.post("ASSERT TOPIC pages WITH (PARTITIONS=2); "
                         "ASSERT NOT EXISTS TOPIC nope TIMEOUT 0 SECONDS; "
                         "ASSERT SCHEMA SUBJECT 'users-value' ID 1;")
    assert response.status_code == 200, response.text
    topic, absent, schema = response.json()
    assert topic == {"@type": "assert_topic",
                     "statementText": "ASSERT TOPIC pages WITH (PARTITIONS=2);",
                     "warnings": [], "topicName": "pages", "exists": True}
    assert (absent["@type"], absent["topicName"], absent["exists"]) == (
        "assert_topic", "nope", False)
    assert {k: schema[k] for k in ("@type", "subject", "id", "exists")} == {
        "@type": "assert_schema", "subject": "users-value", "id": 1, "exists": True}


def test_failed_assertion_is_a_bare_417(ksql) -> None:
    response = ksql.post("SHOW STREAMS; ASSERT TOPIC nope TIMEOUT 100 MILLISECONDS;")
    assert response.status_code == 417
    assert response.json() == {"@type": "generic_error", "error_code": 41700,
                               "message": "Topic nope does not exist", "stackTrace": []}
    schema = ksql.post("ASSERT SCHEMA ID 42 TIMEOUT 0 SECONDS;")
    assert schema.status_code == 417
    assert schema.json()["message"] == "Schema with id 42 does not exist"
