"""Kill -9 the worker five times while 100,000 records flow: every record lands exactly once.

`tote serve connect` runs as a child process over a SQLite log; this process appends the
records (each with a unique BET_ID) at a steady pace while the worker is SIGKILLed and
restarted, each time after it has written more rows. The sink inserts without a primary
key, so a record written twice would show up as an extra row.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx
import pytest
from tests.connect.databases import DB_ERRORS, PostgresDatabase
from tests.connect.helpers import JDBC_SINK, register, wait_until
from tests.connect.process import start_connect

from tote.core.config import Config
from tote.core.records import Record
from tote.embedded import EmbeddedPostgres
from tote.log.open import open_log
from tote.serde.avro import AvroCodec

TOTAL = 100_000
BATCH = 500
KILLS = 5
SCHEMA = json.dumps({"type": "record", "name": "Bet", "namespace": "t", "fields": [
    {"name": "BET_ID", "type": "long"}, {"name": "RACE_ID", "type": "int"},
    {"name": "AMOUNT", "type": "double"}]})


def count(db: PostgresDatabase) -> int:
    try:
        return int(db.rows("SELECT count(*) FROM bets")[0][0])
    except DB_ERRORS:  # no table until the sink creates it
        return 0


@pytest.mark.slow
def test_sigkill_five_times_while_records_flow(tmp_path: Path,
                                                postgres: EmbeddedPostgres) -> None:
    db = PostgresDatabase(postgres)
    home = tmp_path / "home"
    home.mkdir()
    log = open_log(Config(home=home, backend="sqlite"))
    schema_id = register(log, "bets-value", SCHEMA)
    codec = AvroCodec(SCHEMA)
    log.create_topic("bets", partitions=2)

    def produce() -> None:
        for first in range(0, TOTAL, BATCH):
            if first >= TOTAL * 9 // 10:
                kills_done.wait()  # keep records flowing until the last kill
            log.append("bets", [Record(codec.encode_framed(schema_id, {
                "BET_ID": i, "RACE_ID": i % 7, "AMOUNT": 1.0}), str(i % 13).encode())
                for i in range(first, first + BATCH)])
            stop.wait(0.06)

    stop, kills_done = threading.Event(), threading.Event()
    producer = threading.Thread(target=produce, name="producer")
    worker = start_connect(home, {})
    try:
        httpx.post(worker.url + "/connectors", timeout=60, json={"name": "crashy", "config": {
            "connector.class": JDBC_SINK, "topics": "bets", "connection.url": db.url,
            "connection.user": "postgres", "connection.password": "example",
            "auto.create": "true", "batch.size": "700"}}).raise_for_status()
        producer.start()
        for kill in range(KILLS):
            seen = count(db)
            wait_until(lambda s=seen: count(db) > s + 2_000, f"progress before kill {kill + 1}")
            assert producer.is_alive()
            worker.kill()
            worker = start_connect(home, {}, port=worker.port)
        kills_done.set()
        producer.join()
        wait_until(lambda: count(db) >= TOTAL, f"{TOTAL} rows", timeout=300)
        assert db.rows('SELECT count(*), count(DISTINCT "BET_ID"), min("BET_ID"), '
                       'max("BET_ID") FROM bets') == [(TOTAL, TOTAL, 0, TOTAL - 1)]
        assert db.rows("SELECT sum(next_offset) FROM __tote_connect_offsets "
                       "WHERE connector = 'crashy'") == [(TOTAL,)]
        status = httpx.get(worker.url + "/connectors/crashy/status", timeout=60).json()
        assert [t["state"] for t in status["tasks"]] == ["RUNNING"]
    finally:
        stop.set()
        kills_done.set()
        if producer.is_alive():
            producer.join()
        worker.stop()
        log.close()
