"""Which targets `/inserts-stream` writes to, as ksqlDB 8's InsertsStreamEndpoint decides:
the target is an identifier (upper-cased unless quoted); tables and SOURCE streams are
written to; an unknown target (with ksqlDB's hint at a name differing only in case), a
windowed one and a malformed quoted name are a 400 with error code 40001 and ksqlDB 8's
message. A real server on a free port."""

from __future__ import annotations

import json

import httpx
import pytest
from tests.ksql.conftest import Ksql


def _send(ksql: Ksql, target: str, *rows: dict[str, object]) -> httpx.Response:
    lines = [json.dumps({"target": target}), *(json.dumps(r) for r in rows)]
    return ksql.client.post("/inserts-stream", content=("\n".join(lines) + "\n").encode())


def _acks(response: httpx.Response) -> list[dict[str, object]]:
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


def _written(ksql: Ksql, topic: str) -> int:
    return sum(p.end_offset for p in ksql.log.describe_topic(topic).partitions)


def test_a_table_and_a_source_stream_are_written_to(ksql: Ksql) -> None:
    for sql in ("CREATE TABLE t (id INT PRIMARY KEY, v STRING) WITH (kafka_topic='t', "
                "value_format='JSON', partitions=1);",
                "CREATE SOURCE STREAM ss (id INT KEY, v STRING) WITH (kafka_topic='ss', "
                "value_format='JSON', partitions=1);"):
        assert ksql.post(sql).status_code == 200
    assert _acks(_send(ksql, "t", {"ID": 1, "V": "a"}, {"ID": 2, "V": "b"})) == [
        {"status": "ok", "seq": 0}, {"status": "ok", "seq": 1}]
    assert _acks(_send(ksql, "SS", {"ID": 1, "V": "a"})) == [{"status": "ok", "seq": 0}]
    assert (_written(ksql, "t"), _written(ksql, "ss")) == (2, 1)


def test_a_quoted_target_keeps_its_case(ksql: Ksql) -> None:
    assert ksql.post('CREATE STREAM "Mixed" (id INT KEY, v STRING) WITH (kafka_topic=\'m\', '
                     "value_format='JSON', partitions=1);").status_code == 200
    assert _acks(_send(ksql, '"Mixed"', {"ID": 1})) == [{"status": "ok", "seq": 0}]
    _refused(_send(ksql, "Mixed", {"ID": 1}),
             "Cannot insert values into an unknown stream/table: `MIXED`\n"
             'Did you mean "Mixed"? Hint: wrap the source name in double quotes to make it '
             "case-sensitive.")
    assert _written(ksql, "m") == 1


@pytest.mark.parametrize(("target", "message"), [
    ("nope", "Cannot insert values into an unknown stream/table: `NOPE`"),
    ('"abc', "Invalid target name: Expected matching quote at end of value"),
    ('"a"b"', "Invalid target name: Un-escaped quote in middle of value at index 2"),
])
def test_a_target_that_names_no_source(ksql: Ksql, target: str, message: str) -> None:
    _refused(_send(ksql, target, {"ID": 1}), message)


def test_a_windowed_source_is_refused(ksql: Ksql) -> None:
    assert ksql.post("CREATE STREAM w (id INT KEY, v STRING) WITH (kafka_topic='w', "
                     "value_format='JSON', partitions=1, window_type='TUMBLING', "
                     "window_size='1 SECOND');").status_code == 200
    _refused(_send(ksql, "w", {"ID": 1}), "Cannot insert values into windowed stream/table")
    assert _written(ksql, "w") == 0


def _refused(response: httpx.Response, message: str) -> None:
    assert response.status_code == 400, response.text
    assert (response.json()["error_code"], response.json()["message"]) == (40001, message)
