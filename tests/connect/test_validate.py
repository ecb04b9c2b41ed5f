"""`PUT /connector-plugins/<class>/config/validate`: Connect's ConfigInfos, key by key."""

from __future__ import annotations

from typing import Any

import httpx
from tests.connect.helpers import JDBC_SINK


def validate(api: httpx.Client, config: dict[str, Any], plugin: str = "JdbcSinkConnector"
             ) -> dict[str, Any]:
    answer = api.put(f"/connector-plugins/{plugin}/config/validate", json=config)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def errors(body: dict[str, Any]) -> dict[str, list[str]]:
    return {c["value"]["name"]: c["value"]["errors"] for c in body["configs"]
            if c["value"] and c["value"]["errors"]}


def test_a_valid_config_has_no_errors(api: httpx.Client) -> None:
    body = validate(api, {"connector.class": JDBC_SINK, "name": "s", "topics": "a",
                          "connection.url": "jdbc:postgresql://db:5432/totebets",
                          "connection.password": "secret"})
    assert (body["name"], body["error_count"]) == (JDBC_SINK, 0)
    assert body["groups"] == ["Common", "Transforms", "Predicates", "Error Handling",
                              "Connection", "Writes", "Data Mapping", "DDL Support", "Retries",
                              "Exactly Once"]
    password = next(c for c in body["configs"] if c["definition"]
                    and c["definition"]["name"] == "connection.password")
    assert password["value"] == {"name": "connection.password", "value": "[hidden]",
                                 "recommended_values": [], "errors": [], "visible": True}
    mode = next(c for c in body["configs"] if c["definition"]
                and c["definition"]["name"] == "insert.mode")
    assert mode["value"] == {"name": "insert.mode", "value": "insert",
                             "recommended_values": ["insert", "upsert", "update"],
                             "errors": [], "visible": True}


def test_every_bad_key_is_reported(api: httpx.Client) -> None:
    body = validate(api, {"connector.class": JDBC_SINK, "topics": "a", "topics.regex": "a.*",
                          "tasks.max": "x", "batch.size": "-1", "auto.create": "maybe",
                          "pk.mode": "kafka", "pk.fields": "a,b", "insert.mode": "upsert",
                          "delete.enabled": "true", "db.timezone": "Mars/Olympus",
                          "connection.url": "jdbc:oracle:thin:@h:1521:x",
                          "errors.tolerance": "some", "value.converter": "com.acme.Conv",
                          "transforms": "route", "extra": None})
    assert errors(body) == {
        "extra": ["Null value can not be supplied as the configuration value."],
        "name": ["Missing required configuration \"name\" which has no default value."],
        "tasks.max": ["Invalid value x for configuration tasks.max: Not a number of type INT"],
        "topics": ["topics and topics.regex are mutually exclusive options, but both are set."],
        "topics.regex": ["topics and topics.regex are mutually exclusive options, but both "
                         "are set."],
        "value.converter": ["Invalid value com.acme.Conv for configuration value.converter: "
                            "Class com.acme.Conv could not be found."],
        "transforms.route.type": ["Missing required configuration \"transforms.route.type\" "
                                  "which has no default value."],
        "errors.tolerance": ["Invalid value some for configuration errors.tolerance: String "
                             "must be one of: none, all"],
        "connection.url": ["Unsupported JDBC URL jdbc:oracle:thin:@h:1521:x: tote's JDBC sink "
                           "supports jdbc:postgresql, jdbc:mysql, jdbc:mariadb and "
                           "jdbc:sqlite"],
        "batch.size": ["Invalid value -1 for configuration batch.size: Value must be at "
                       "least 0"],
        "delete.enabled": ["Deletes are only supported for pk.mode record_key"],
        "pk.mode": ["Deletes are only supported for pk.mode record_key"],
        "pk.fields": ["PK mode kafka needs no pk.fields (for the defaults __connect_topic, "
                      "__connect_partition, __connect_offset) or exactly 3, got: a, b"],
        "db.timezone": ["Invalid value Mars/Olympus for configuration db.timezone: Invalid time "
                        "zone. See the list of valid time zones at https://docs.oracle.com/"
                        "javase/8/docs/api/java/time/ZoneId.html#shortIds"],
        "auto.create": ["Invalid value maybe for configuration auto.create: Expected value to "
                        "be either true or false"],
    }
    assert body["error_count"] == 15


def test_avro_needs_a_registry_url(api: httpx.Client) -> None:
    body = validate(api, {"connector.class": JDBC_SINK, "name": "s", "topics": "a",
                          "connection.url": "jdbc:sqlite:x.db",
                          "key.converter": "io.confluent.connect.avro.AvroConverter"})
    assert errors(body) == {"key.converter.schema.registry.url": [
        "Missing required configuration \"schema.registry.url\" which has no default value."]}


def test_the_class_in_the_body_must_match_the_path(api: httpx.Client) -> None:
    answer = api.put("/connector-plugins/FileStreamSink/config/validate",
                     json={"connector.class": JDBC_SINK})
    assert (answer.status_code, answer.json()) == (400, {
        "error_code": 400, "message": f"Included connector type {JDBC_SINK} does not match "
                                      "request type FileStreamSink"})


def test_topics_regex_is_read_as_java_reads_it(api: httpx.Client) -> None:
    """Connect compiles `topics.regex` with java.util.regex: Java-only syntax is valid and
    a bad pattern is reported in PatternSyntaxException's words."""
    base = {"connector.class": JDBC_SINK, "name": "s",
            "connection.url": "jdbc:postgresql://db:5432/totebets"}
    assert errors(validate(api, {**base, "topics.regex": r"\Qtote.\E\p{Alpha}+"})) == {}
    assert errors(validate(api, {**base, "topics.regex": "(tote"})) == {"topics.regex": [
        "Invalid value (tote for configuration topics.regex: Invalid regex: "
        "Unclosed group near index 5\n(tote"]}
