"""PostgreSQL stops mid-stream: the task retries and catches up, nothing lost or doubled;
past `max.retries` it FAILS with the cause in its status, and a restart resumes exactly
where the database says it stopped.

Each test runs its own embedded PostgreSQL, since stopping the session's would disturb
the other tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.connect.conftest import FAST_PG
from tests.connect.databases import DB_ERRORS, PostgresDatabase
from tests.connect.helpers import JDBC_SINK, register, wait_task, wait_until
from tests.server_homes import server_home

from tote.connect.herder import Herder
from tote.core.records import Record
from tote.embedded import EmbeddedPostgres
from tote.log.memory import MemoryLog
from tote.serde.avro import AvroCodec

SCHEMA = json.dumps({"type": "record", "name": "Bet", "namespace": "t", "fields": [
    {"name": "BET_ID", "type": "long"}]})


@pytest.fixture
def server() -> Iterator[EmbeddedPostgres]:
    with server_home() as home:
        started = EmbeddedPostgres(home / "pg", password="example", settings=FAST_PG).start()
        yield started
        started.stop()


class Stream:
    """Bets with consecutive BET_IDs appended to topic `bets`."""

    def __init__(self, log: MemoryLog) -> None:
        self.log = log
        self.schema_id = register(log, "bets-value", SCHEMA)
        self.codec = AvroCodec(SCHEMA)
        self.sent = 0
        log.create_topic("bets")

    def send(self, count: int) -> None:
        self.log.append("bets", [Record(self.codec.encode_framed(self.schema_id,
                                                                  {"BET_ID": i}))
                                 for i in range(self.sent, self.sent + count)])
        self.sent += count


def count(db: PostgresDatabase) -> int:
    try:
        return int(db.rows("SELECT count(*) FROM bets")[0][0])
    except DB_ERRORS:  # no table yet, or the server is down
        return -1


def exact(total: int) -> list[tuple[int, int, int]]:
    return [(total, total, total - 1)]


def config(db: PostgresDatabase, **extra: str) -> dict[str, str]:
    return {"connector.class": JDBC_SINK, "topics": "bets", "connection.url": db.url,
            "connection.user": "postgres", "connection.password": "example",
            "auto.create": "true", "connection.backoff.ms": "100", **extra}


def test_the_task_retries_through_an_outage(server: EmbeddedPostgres, log: MemoryLog,
                                            herder: Herder) -> None:
    db = PostgresDatabase(server)
    stream = Stream(log)
    stream.send(2_000)
    herder.create("patient", config(db, **{"max.retries": "100", "retry.backoff.ms": "200"}))
    wait_until(lambda: count(db) == 2_000, "the first 2,000 rows")
    server.stop()
    stream.send(3_000)
    # The task is retrying, not failed, while the database is away.
    wait_until(lambda: count(db) == -1 and herder.task_status("patient", 0)["state"] ==
               "RUNNING" and True, "the outage to be seen")
    server.start()
    stream.send(1_000)
    wait_until(lambda: count(db) == 6_000, "all 6,000 rows after the outage")
    assert db.rows('SELECT count(*), count(DISTINCT "BET_ID"), max("BET_ID") FROM bets') == \
        exact(6_000)
    assert herder.task_status("patient", 0) == {"id": 0, "state": "RUNNING",
                                                "worker_id": "127.0.0.1:8083"}


def test_past_max_retries_the_task_fails_then_resumes(server: EmbeddedPostgres,
                                                      log: MemoryLog, herder: Herder) -> None:
    db = PostgresDatabase(server)
    stream = Stream(log)
    stream.send(1_000)
    herder.create("brittle", config(db, **{"max.retries": "2", "retry.backoff.ms": "100"}))
    wait_until(lambda: count(db) == 1_000, "the first 1,000 rows")
    server.stop()
    stream.send(500)
    status = wait_task(herder, "brittle", "FAILED")
    first_line = status["trace"].splitlines()[0]
    where = f"postgresql://127.0.0.1:{server.port}/{db.name}"
    assert first_line.startswith(
        f"tote.connect.errors.ConnectException: Write to {where} failed after 2 retries: "
        f"Could not connect to {where} after 1 attempt(s): psycopg.OperationalError: "
        "connection failed: ")
    assert first_line.endswith("Connection refused")
    server.start()
    herder.restart_task("brittle", 0)
    wait_task(herder, "brittle", "RUNNING")
    wait_until(lambda: count(db) == 1_500, "the 500 rows written during the outage")
    assert db.rows('SELECT count(*), count(DISTINCT "BET_ID"), max("BET_ID") FROM bets') == \
        exact(1_500)
