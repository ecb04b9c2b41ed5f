"""An ASSERT ... TIMEOUT that is still waiting does not hold up the server: as in ksqlDB
(AssertExecutor retries on the request's own thread, under no server-wide lock), other
requests' statements run meanwhile, and the assertion holds as soon as one of them makes
it true. The statements after it in its own request still run after it, in order."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.ksql.conftest import WAIT
from tests.ksql.sqlite_server import ksql_on_sqlite

FIRST = ("CREATE STREAM first (id INT KEY, v STRING) WITH (kafka_topic='first', "
         "value_format='JSON', partitions=1);")
LATER = ("CREATE STREAM later (id INT KEY, v STRING) WITH (kafka_topic='later', "
         "value_format='AVRO', partitions=1);")
TOPIC = "ASSERT TOPIC later TIMEOUT 30 SECONDS;"
SCHEMA = "ASSERT SCHEMA SUBJECT 'later-value' TIMEOUT 30 SECONDS;"


def _until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT
    pause = threading.Event()
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        pause.wait(0.02)


@pytest.mark.parametrize(("assertion", "entity"), [
    (TOPIC, {"@type": "assert_topic", "statementText": TOPIC, "warnings": [],
             "topicName": "later", "exists": True}),
    (SCHEMA, {"@type": "assert_schema", "statementText": SCHEMA, "warnings": [],
              "subject": "later-value", "id": None, "exists": True}),
], ids=["topic", "schema"])
def test_another_request_runs_while_an_assert_waits(tmp_path: Path, assertion: str,
                                                    entity: dict[str, Any]) -> None:
    with ksql_on_sqlite(tmp_path) as ksql, ThreadPoolExecutor(1) as pool, \
            httpx.Client(base_url=ksql.url, timeout=WAIT) as other:
        waiting = pool.submit(other.post, "/ksql",
                              json={"ksql": FIRST + assertion + "SHOW STREAMS;"})
        # Once FIRST's topic exists the request is at its ASSERT, which cannot hold
        # until the second request has made stream `later` (its topic and schema).
        _until(lambda: ksql.log.topic_exists("first"), "the first request's CREATE")
        created = ksql.post(LATER)
        assert created.status_code == 200, created.text
        answer = waiting.result(timeout=WAIT)
    assert answer.status_code == 200, answer.text
    first, asserted, listed = answer.json()
    assert first["@type"] == "currentStatus"
    assert asserted == entity
    # SHOW STREAMS ran after the ASSERT: it sees the stream the other request made.
    assert sorted(s["name"] for s in listed["streams"]) == ["FIRST", "LATER"]
