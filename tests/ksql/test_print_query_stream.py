"""PRINT over `POST /query-stream`, as ksqlDB's QueryStreamHandler serves it: delimited
only (406 with an empty body otherwise), the record lines alone (no format lines, no
keep-alive lines), no content type. (Its idle wait outside the request thread pool is
checked with the legacy endpoint's in test_push_wake.py.)"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from tests.ksql.conftest import Ksql
from tests.ksql.test_http2 import WAIT

from tote.core.records import Record


def _records(ksql: Ksql, topic: str, *values: bytes) -> None:
    ksql.log.ensure_topic(topic, 1, 1)
    ksql.log.append(topic, [Record(v, None, (), i + 1) for i, v in enumerate(values)])


def _line(millis: int, value: str) -> str:
    return (f"rowtime: 1970/01/01 00:00:00.{millis:03d} Z, key: <null>, value: {value}, "
            "partition: 0")


def test_print_from_beginning_streams_record_lines_only(ksql: Ksql) -> None:
    _records(ksql, "p", b'{"n":1}', b'{"n":2}', b'{"n":3}')
    response = ksql.client.post("/query-stream",
                                json={"sql": "PRINT p FROM BEGINNING INTERVAL 2 LIMIT 2;"})
    assert response.status_code == 200, response.text
    assert "content-type" not in response.headers
    assert response.text == _line(1, '{"n":1}') + "\n" + _line(3, '{"n":3}') + "\n"


@pytest.mark.parametrize("headers", [{}, {"Accept": "application/vnd.ksqlapi.delimited.v1"},
                                     {"Accept": "*/*"}])
def test_print_is_served_delimited(ksql: Ksql, headers: dict[str, str]) -> None:
    _records(ksql, "d", b"a")
    response = ksql.client.post("/query-stream", headers=headers,
                                json={"sql": "PRINT 'd' FROM BEGINNING LIMIT 1;"})
    assert response.status_code == 200, response.text
    assert response.text == _line(1, "a") + "\n"


@pytest.mark.parametrize("accept", ["application/json", "application/vnd.ksql.v1+json"])
def test_print_in_another_format_is_not_acceptable(ksql: Ksql, accept: str) -> None:
    _records(ksql, "j", b"a")
    response = ksql.client.post("/query-stream", headers={"Accept": accept},
                                json={"sql": "PRINT j FROM BEGINNING LIMIT 1;"})
    assert response.status_code == 406
    assert response.content == b""
    assert "content-type" not in response.headers


def test_print_of_a_missing_topic(ksql: Ksql) -> None:
    for accept in ("application/vnd.ksqlapi.delimited.v1", "application/json"):
        response = ksql.client.post("/query-stream", headers={"Accept": accept},
                                    json={"sql": "PRINT nope;"})
        assert response.status_code == 400
        assert response.json() == {"@type": "generic_error", "error_code": 40001,
                                   "message": "Topic does not exist: nope", "stackTrace": []}


def test_earliest_offset_reset_prints_from_the_beginning(ksql: Ksql) -> None:
    """ksqlDB's PRINT consumer starts at `latest` unless the request's properties say
    otherwise."""
    _records(ksql, "e", b"old")
    response = ksql.client.post("/query-stream", json={
        "sql": "PRINT e LIMIT 1;", "properties": {"auto.offset.reset": "earliest"}})
    assert response.status_code == 200
    assert response.text == _line(1, "old") + "\n"


def test_print_without_from_beginning_follows_new_records(ksql: Ksql) -> None:
    _records(ksql, "live", b"old")
    got: list[Any] = []

    def read() -> None:
        got.append(ksql.client.post("/query-stream", json={"sql": "PRINT live LIMIT 1;"}))

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + WAIT
    while reader.is_alive() and time.monotonic() < deadline:  # until the PRINT sees one
        ksql.log.append("live", [Record(b"new", None, (), 2)])
        reader.join(0.5)
    assert not reader.is_alive()
    assert got[0].status_code == 200
    assert got[0].text == _line(2, "new") + "\n"
