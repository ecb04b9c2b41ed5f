"""PRINT over `/query` and in `tote sql`; SHOW FUNCTIONS and DESCRIBE FUNCTION over `/ksql`
and in the shell, with ksqlDB's entities and text."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
import time

from tote.core.records import Record
from tote.registry import SchemaRequest
from tote.serde.schemas import SchemaType
from tote.serde.wire import frame

TIMEOUT = 60


def _avro_stream(ksql) -> None:
    response = ksql.post(
        "CREATE STREAM S (ID INT KEY, NAME STRING, V DOUBLE) WITH (kafka_topic='s', "
        "partitions=1, value_format='AVRO');"
        "INSERT INTO S (ID, NAME, V, ROWTIME) VALUES (1, 'a', 2.5, 1700000000123);"
        "INSERT INTO S (ID, NAME, V, ROWTIME) VALUES (2, 'b', 3.0, 1700000000124);"
    )
    assert response.status_code == 200, response.text


def _print(ksql, sql: str) -> list[str]:
    response = ksql.client.post("/query", json={"ksql": sql})
    assert response.status_code == 200, response.text
    return response.text.splitlines()


def test_print_guesses_formats_and_prints_records_like_ksqldb(ksql) -> None:
    _avro_stream(ksql)
    assert _print(ksql, "PRINT 's' FROM BEGINNING LIMIT 2;") == [
        "Key format: KAFKA_INT or KAFKA_STRING",
        "Value format: AVRO or KAFKA_STRING",
        'rowtime: 2023/11/14 22:13:20.123 Z, key: 1, value: {"NAME": "a", "V": 2.5}, partition: 0',
        'rowtime: 2023/11/14 22:13:20.124 Z, key: 2, value: {"NAME": "b", "V": 3.0}, partition: 0',
    ]


def test_print_interval_and_limit(ksql) -> None:
    ksql.log.ensure_topic("words", 1, 1)
    ksql.log.append(
        "words", [Record(f'{{"n":{i}}}'.encode(), struct.pack(">q", i), (), i) for i in range(6)]
    )
    lines = _print(ksql, "PRINT words FROM BEGINNING INTERVAL 2 LIMIT 3;")
    assert lines[:2] == [
        "Key format: KAFKA_BIGINT or KAFKA_DOUBLE or KAFKA_STRING",
        "Value format: JSON or KAFKA_STRING",
    ]
    assert [line.split(", value: ")[1] for line in lines[2:]] == [
        '{"n":0}, partition: 0',
        '{"n":2}, partition: 0',
        '{"n":4}, partition: 0',
    ]


def test_print_writes_a_lone_surrogate_as_its_escape(ksql) -> None:
    """A JSON_SR value whose string holds `\\ud800` (no UTF-8 form) prints as written
    instead of ending the response."""
    schema = SchemaRequest(schema='{"type":"object"}', schema_type=SchemaType.JSON)
    schema_id = ksql.registry.register("p-value", schema).id
    ksql.log.ensure_topic("p", 1, 1)
    ksql.log.append("p", [Record(frame(schema_id, b'{"s":"a\\ud800"}'), None, (), 1)])
    lines = _print(ksql, "PRINT p FROM BEGINNING LIMIT 1;")
    assert lines[1:] == ["Value format: JSON_SR or KAFKA_STRING", "rowtime: 1970/01/01 "
                         '00:00:00.001 Z, key: <null>, value: {"s":"a\\ud800"}, partition: 0']


def test_print_without_from_beginning_follows_new_records(ksql) -> None:
    ksql.log.ensure_topic("live", 1, 1)
    ksql.log.append("live", [Record(b"old", None, (), 1)])
    lines: list[str] = []

    def read() -> None:
        with ksql.client.stream("POST", "/query", json={"ksql": "PRINT live LIMIT 1;"}) as r:
            lines.extend(r.iter_lines())

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + TIMEOUT
    while reader.is_alive() and time.monotonic() < deadline:
        ksql.log.append("live", [Record(b"new", None, (), 2)])
        reader.join(0.5)
    assert not reader.is_alive()
    shown = [line for line in lines if line]
    assert shown[0] == "Key format: ¯\\_(ツ)_/¯ - no data processed"
    assert shown[1] == "Value format: KAFKA_STRING"
    assert shown[2] == "rowtime: 1970/01/01 00:00:00.002 Z, key: <null>, value: new, partition: 0"


def test_print_errors_are_ksqldb_bodies(ksql) -> None:
    unknown = ksql.client.post("/query", json={"ksql": "PRINT nope;"})
    assert unknown.status_code == 400
    assert unknown.json()["message"].startswith("Could not find topic 'nope'")
    on_ksql = ksql.post("PRINT 's';")
    assert on_ksql.status_code == 400
    assert on_ksql.json()["error_code"] == 40002


def test_describe_function_entity(ksql) -> None:
    response = ksql.post("DESCRIBE FUNCTION substring;")
    assert response.status_code == 200, response.text
    (found,) = response.json()
    assert found["@type"] == "describe_function"
    assert (found["name"], found["type"], found["author"], found["path"]) == (
        "SUBSTRING",
        "SCALAR",
        "Confluent",
        "internal",
    )
    assert found["description"]
    first = found["functions"][0]
    assert first["returnType"] == "VARCHAR"
    assert first["argumentTypes"] == ["VARCHAR", "INT"]
    assert first["arguments"][0] == {
        "name": "str",
        "type": "VARCHAR",
        "description": "",
        "isVariadic": False,
    }
    assert ksql.post("DESCRIBE FUNCTION sum;").json()[0]["type"] == "AGGREGATE"
    assert ksql.post("DESCRIBE FUNCTION explode;").json()[0]["type"] == "TABLE"
    unknown = ksql.post("DESCRIBE FUNCTION nope;")
    assert unknown.status_code == 400
    assert unknown.json()["message"] == "Can't find any functions with the name 'NOPE'"


def test_show_functions_lists_every_kind(ksql) -> None:
    response = ksql.post("SHOW FUNCTIONS;")
    assert response.status_code == 200, response.text
    (listing,) = response.json()
    assert listing["@type"] == "function_names"
    kinds = {f["name"]: f["type"] for f in listing["functions"]}
    assert (kinds["UCASE"], kinds["COUNT"], kinds["EXPLODE"]) == ("SCALAR", "AGGREGATE", "TABLE")
    names = [f["name"] for f in listing["functions"]]
    assert names == sorted(names)


def _shell(url: str, statement: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tote", "sql", "--server", url, "-e", statement],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env=dict(os.environ, COLUMNS="120"),
    )


def test_shell_prints_topics_and_describes_functions(ksql) -> None:
    _avro_stream(ksql)
    printed = _shell(ksql.url, "PRINT 's' FROM BEGINNING LIMIT 2;")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines() == [
        "Key format: KAFKA_INT or KAFKA_STRING",
        "Value format: AVRO or KAFKA_STRING",
        'rowtime: 2023/11/14 22:13:20.123 Z, key: 1, value: {"NAME": "a", "V": 2.5}, partition: 0',
        'rowtime: 2023/11/14 22:13:20.124 Z, key: 2, value: {"NAME": "b", "V": 3.0}, partition: 0',
        "Topic printing ceased",
    ]
    described = _shell(ksql.url, "DESCRIBE FUNCTION ucase;")
    assert described.returncode == 0, described.stderr
    text = described.stdout
    assert "Name        : UCASE" in text
    assert "Type        : SCALAR" in text
    assert "Variation   : UCASE(input VARCHAR)" in text
    assert "Returns     : VARCHAR" in text
