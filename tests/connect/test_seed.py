"""The seed, verbatim: `connect-jdbc-sink.json` posted unchanged to `tote serve connect`
makes the tables of the seed's README appear in PostgreSQL and fill as records arrive.

The topics are produced here directly, as the seed's ksqlDB statements would write them:
`tote_win_bets` (schema `tote_win_bets-value`, id 1 on a fresh log) and
`tote_win_bet_race_runners_odds`, keyed by RACE_ID as a KAFKA-format INT. The seed's
`db` and `schema-registry` hosts resolve through the host alias table.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.connect.databases import DB_ERRORS, PostgresDatabase
from tests.connect.helpers import ODDS_COLUMNS, bet_schema, produce, register, wait_until
from tests.connect.process import ConnectProcess, start_connect

from tote.core.config import Config
from tote.embedded import EmbeddedPostgres
from tote.log.base import Log
from tote.log.open import open_log
from tote.serde.ksql_schemas import avro_schema_text

SEED = Path(__file__).parents[3] / "shared" / "seed" / "poc-kafka-sql-registry"
BETS = [(1, 25.0), (2, 50.0), (1, 50.0), (2, 5.0), (2, 10.0), (2, 20.0), (2, -20.0),
        (1, 0.0), (2, 0.0)]
ODDS = [(1, 25.0, 25.0, 1.0), (2, 50.0, 75.0, 1.5), (1, 75.0, 125.0, 1.6666667),
        (2, 55.0, 130.0, 2.3636364), (2, 65.0, 140.0, 2.1538462), (2, 85.0, 160.0, 1.8823529),
        (2, 65.0, 140.0, 2.1538462), (1, 75.0, 140.0, 1.8666667), (2, 65.0, 140.0, 2.1538462)]


@pytest.fixture
def stack(tmp_path: Path, postgres: EmbeddedPostgres) -> Iterator[tuple[ConnectProcess, Log]]:
    home = tmp_path / "home"
    home.mkdir()
    log = open_log(Config(home=home, backend="sqlite"))
    worker = start_connect(home, {"db": f"127.0.0.1:{postgres.port}"})
    yield worker, log
    worker.stop()
    log.close()


def test_the_seed_connector_posts_verbatim(stack: tuple[ConnectProcess, Log],
                                           postgres: EmbeddedPostgres) -> None:
    worker, log = stack
    db = PostgresDatabase(postgres, "totebets")
    bets_schema, odds_schema = bet_schema(), avro_schema_text(ODDS_COLUMNS)
    assert register(log, "tote_win_bets-value", bets_schema) == 1
    odds_id = register(log, "tote_win_bet_race_runners_odds-value", odds_schema)
    log.create_topic("tote_win_bets")
    log.create_topic("tote_win_bet_race_runners_odds")

    def publish(first: int, last: int) -> None:
        produce(log, "tote_win_bets", 1, bets_schema,
                [{"RUNNER_ID": r, "RACE_ID": 0, "AMOUNT": a} for r, a in BETS[first:last]])
        produce(log, "tote_win_bet_race_runners_odds", odds_id, odds_schema,
                [dict(zip(("RUNNER_ID", "RUNNER_POOL_AMOUNT", "RACE_POOL_AMOUNT", "ODDS"), o,
                          strict=True)) for o in ODDS[first:last]],
                keys=[struct.pack(">i", 0)] * (last - first))

    publish(0, 2)  # the first payload of `make play`
    body = (SEED / "connect-jdbc-sink.json").read_bytes()
    created = httpx.post(worker.url + "/connectors", content=body,
                         headers={"Content-Type": "application/json"}, timeout=60)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "jdbc-sink-connector"

    def table(name: str, count: int) -> list[tuple[object, ...]] | None:
        try:
            found = db.rows(f"SELECT * FROM {name} ORDER BY ctid")
        except DB_ERRORS:  # no table until the sink creates it
            return None
        return found if len(found) == count else None

    wait_until(lambda: table("tote_win_bets", 2), "the first two bets")
    publish(2, 9)  # the second payload
    bets = wait_until(lambda: table("tote_win_bets", 9), "all nine bets")
    odds = wait_until(lambda: table("tote_win_bet_race_runners_odds", 9), "all nine odds")
    assert bets == [(r, 0, a) for r, a in BETS]
    assert odds == ODDS
    assert db.columns("tote_win_bets") == [
        ("RUNNER_ID", "integer", True), ("RACE_ID", "integer", True),
        ("AMOUNT", "double precision", True)]
    assert db.columns("tote_win_bet_race_runners_odds") == [
        ("RUNNER_ID", "integer", True), ("RUNNER_POOL_AMOUNT", "double precision", True),
        ("RACE_POOL_AMOUNT", "double precision", True), ("ODDS", "double precision", True)]
    status = httpx.get(worker.url + "/connectors/jdbc-sink-connector/status").json()
    assert (status["connector"]["state"], [t["state"] for t in status["tasks"]]) == (
        "RUNNING", ["RUNNING"])
