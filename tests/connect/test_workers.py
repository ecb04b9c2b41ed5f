"""Several workers on one log share the tasks, and take over those of a worker that dies.

Two `tote serve connect` processes on the same SQLite log; a connector with two tasks
over a four-partition topic is spread over both. One worker is SIGKILLed while records
flow: once its heartbeats are older than the session timeout, the other runs both tasks,
resuming from the offsets stored in the database, and every record lands exactly once.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.connect.databases import DB_ERRORS, PostgresDatabase
from tests.connect.helpers import JDBC_SINK, register, wait_until
from tests.connect.process import ConnectProcess, start_connect

from tote.core.config import Config
from tote.core.records import Record
from tote.embedded import EmbeddedPostgres
from tote.log.open import open_log
from tote.serde.avro import AvroCodec

TOTAL = 20_000
SCHEMA = json.dumps({"type": "record", "name": "Bet", "namespace": "t", "fields": [
    {"name": "BET_ID", "type": "long"}]})
TIMEOUTS = ("--session-timeout-ms", "3000", "--heartbeat-ms", "300")


def count(db: PostgresDatabase) -> int:
    try:
        return int(db.rows("SELECT count(*) FROM bets")[0][0])
    except DB_ERRORS:  # no table until the sink creates it
        return 0


def owners(worker: ConnectProcess) -> dict[str, Any]:
    status = httpx.get(worker.url + "/connectors/shared/status", timeout=60).json()
    return {"connector": status["connector"]["worker_id"],
            "tasks": [(t["state"], t["worker_id"]) for t in status["tasks"]]}


@pytest.mark.slow
def test_a_dead_workers_tasks_move_to_the_living(tmp_path: Path,
                                                  postgres: EmbeddedPostgres) -> None:
    db = PostgresDatabase(postgres)
    home = tmp_path / "home"
    home.mkdir()
    log = open_log(Config(home=home, backend="sqlite"))
    schema_id = register(log, "bets-value", SCHEMA)
    codec = AvroCodec(SCHEMA)
    log.create_topic("bets", partitions=4)
    stop = threading.Event()

    def produce() -> None:
        for first in range(0, TOTAL, 200):
            log.append("bets", [Record(codec.encode_framed(schema_id, {"BET_ID": i}),
                                       str(i).encode()) for i in range(first, first + 200)])
            stop.wait(0.05)

    producer = threading.Thread(target=produce, name="producer")
    first, second = start_connect(home, {}, *TIMEOUTS), start_connect(home, {}, *TIMEOUTS)
    a, b = sorted([first, second], key=lambda w: f"127.0.0.1:{w.port}")
    ids = (f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}")
    try:
        httpx.post(a.url + "/connectors", timeout=60, json={"name": "shared", "config": {
            "connector.class": JDBC_SINK, "topics": "bets", "tasks.max": "2",
            "connection.url": db.url, "connection.user": "postgres",
            "connection.password": "example", "auto.create": "true"}}).raise_for_status()
        spread = {"connector": ids[0], "tasks": [("RUNNING", ids[1]), ("RUNNING", ids[0])]}
        wait_until(lambda: owners(a) == spread, "the work spread over both workers")
        assert owners(b) == spread
        producer.start()
        wait_until(lambda: count(db) > 2_000, "rows from both tasks")
        b.kill()
        alone = {"connector": ids[0], "tasks": [("RUNNING", ids[0]), ("RUNNING", ids[0])]}
        wait_until(lambda: owners(a) == alone, "both tasks on the surviving worker")
        producer.join()
        wait_until(lambda: count(db) >= TOTAL, f"{TOTAL} rows", timeout=180)
        assert db.rows('SELECT count(*), count(DISTINCT "BET_ID") FROM bets') == [
            (TOTAL, TOTAL)]
        assert db.rows("SELECT count(*), sum(next_offset) FROM __tote_connect_offsets") == [
            (4, TOTAL)]
    finally:
        stop.set()
        if producer.is_alive():
            producer.join()
        for worker in (a, b):
            worker.stop()
        log.close()
