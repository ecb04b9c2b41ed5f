"""The seed's own flow over HTTP against `tote up`: its statements, connector and payloads,
verbatim, end with exactly the rows of the seed README in PostgreSQL; then `tote down` and
`tote up` resume without doubling a row, and new bets flow through.

One stack for the module; tests run in file order and share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.e2e.seedflow import (
    BETS_TABLE,
    ODDS_TABLE,
    SEED_BETS,
    SEED_ODDS,
    SEED_ODDS_PRINTED,
    database_url,
    expected_odds,
    post_connector,
    post_payload,
    post_statements,
    rows,
    seed_statements,
    wait_caught_up,
    wait_for_count,
)
from tests.stack.helpers import Stack, wait_until

from tote.seed.files import packaged_file

pytestmark = pytest.mark.slow

SEED_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seed" / "poc-kafka-sql-registry"
SEED_FILES = ("statements.sql", "connect-jdbc-sink.json", "post_bets.payload.json",
              "post_bets_large.payload.json", "post_bets_zero.payload.json")
QUERY_IDS = ["CSAS_TOTE_WIN_BETS_RACE_KEYED_3", "CSAS_TOTE_WIN_BETS_RUNNER_KEYED_2",
             "CSAS_TOTE_WIN_BET_RACE_RUNNERS_ODDS_6", "CTAS_TOTE_RACE_POOL_5",
             "CTAS_TOTE_RUNNERS_POOL_4"]


@pytest.fixture(scope="module")
def stack(module_dir: Path) -> Iterator[Stack]:
    stack = Stack.create(module_dir)
    stack.first_up = stack.up()
    try:
        yield stack
    finally:
        stack.down()


@pytest.mark.skipif(not SEED_DIR.is_dir(), reason="the seed project is not beside this clone")
@pytest.mark.parametrize("name", SEED_FILES)
def test_the_packaged_seed_files_are_the_seeds_own(name: str) -> None:
    assert packaged_file(name) == (SEED_DIR / name).read_bytes()


def test_every_service_is_up(stack: Stack) -> None:
    assert stack.first_up is not None and stack.first_up.returncode == 0, stack.first_up
    states = {s["name"]: (s["state"], s["healthy"]) for s in stack.status()["services"]}
    assert states == {name: ("running", True) for name in
                      ("schema-registry", "rest-proxy", "connect", "ksqldb", "ui", "tote",
                       "postgres")}


def test_each_statement_posted_to_ksql_succeeds(stack: Stack) -> None:
    responses = post_statements(stack)
    assert [r.status_code for r in responses] == [200] * 7, [r.text for r in responses]
    assert responses[0].json() == []  # SET
    messages = [r.json()[0]["commandStatus"] for r in responses[1:]]
    assert [(m["status"], m["message"]) for m in messages] == [
        ("SUCCESS", "Stream created"),
        ("SUCCESS", "Created query with ID CSAS_TOTE_WIN_BETS_RUNNER_KEYED_2"),
        ("SUCCESS", "Created query with ID CSAS_TOTE_WIN_BETS_RACE_KEYED_3"),
        ("SUCCESS", "Created query with ID CTAS_TOTE_RUNNERS_POOL_4"),
        ("SUCCESS", "Created query with ID CTAS_TOTE_RACE_POOL_5"),
        ("SUCCESS", "Created query with ID CSAS_TOTE_WIN_BET_RACE_RUNNERS_ODDS_6"),
    ]
    assert len(seed_statements()) == 7


def test_the_bets_schema_is_id_1(stack: Stack) -> None:
    found = httpx.get(stack.registry + "/subjects/tote_win_bets-value/versions/1",
                      timeout=60).json()
    assert (found["subject"], found["id"], found["version"]) == ("tote_win_bets-value", 1, 1)


def test_the_connector_is_created_and_runs(stack: Stack) -> None:
    created = post_connector(stack)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "jdbc-sink-connector"
    status_url = stack.url("connect") + "/connectors/jdbc-sink-connector/status"

    def running() -> bool:
        body = httpx.get(status_url, timeout=60).json()
        return body["connector"]["state"] == "RUNNING" and \
            [t["state"] for t in body.get("tasks", [])] == ["RUNNING"]

    wait_until(running, "the connector and its task to run")


def test_the_payloads_end_with_the_seed_readmes_rows(stack: Stack) -> None:
    first = post_payload(stack, "post_bets.payload.json")
    second = post_payload(stack, "post_bets_large.payload.json")
    assert (first.status_code, second.status_code) == (200, 200), (first.text, second.text)
    assert [o["offset"] for o in first.json()["offsets"]] == [0, 1]
    assert [o["offset"] for o in second.json()["offsets"]] == list(range(2, 9))
    assert first.json()["value_schema_id"] == 1
    db = database_url(stack)
    wait_for_count(db, ODDS_TABLE, 9)
    wait_for_count(db, BETS_TABLE, 9)
    wait_caught_up(stack)
    odds = rows(db, ODDS_TABLE)
    assert odds == SEED_ODDS
    assert [round(row[3], 7) for row in odds] == SEED_ODDS_PRINTED
    assert rows(db, BETS_TABLE) == SEED_BETS


def test_status_shows_each_query_and_the_connector_caught_up(stack: Stack) -> None:
    lag = stack.status()["lag"]
    assert [(e["kind"], e["name"], e["state"], e["lag"]) for e in lag] == [
        *(("query", q, "RUNNING", 0) for q in QUERY_IDS),
        ("connector", "jdbc-sink-connector", "RUNNING", 0)]
    assert lag[-1]["group"] == "connect-jdbc-sink-connector"
    assert lag[0]["group"] == "_confluent-ksql-default_query_CSAS_TOTE_WIN_BETS_RACE_KEYED_3"
    assert status_rows(stack) == [
        *(["query", q, "RUNNING", "0"] for q in QUERY_IDS),
        ["connector", "jdbc-sink-connector", "RUNNING", "0"]]


def status_rows(stack: Stack) -> list[list[str]]:
    """The rows of `tote status`'s table of queries and connectors (kind, name, state, lag)."""
    table = stack.tote("status", "--home", str(stack.home))
    assert table.returncode == 0, table.stderr
    lines = [line.split("│")[1:-1] for line in table.stdout.splitlines()
             if line.startswith("│") and line.count("│") == 5]
    return [[c.strip() for c in line] for line in lines]


def test_down_then_up_resumes_without_doubling_and_new_bets_flow(stack: Stack) -> None:
    assert stack.down().returncode == 0
    again = stack.up()
    assert again.returncode == 0, again.stderr
    rebuilt = stack.tote("build", "--home", str(stack.home))
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert rebuilt.stdout.splitlines() == [
        f"ksqlDB {stack.url('ksqldb')}: 7 statements",
        "  ✓ SET 'auto.offset.reset' = 'earliest': done",
        *(f"  • CREATE {kind} {name}: already exists (skipped)" for kind, name in [
            ("STREAM", "tote_win_bets"), ("STREAM", "tote_win_bets_runner_keyed"),
            ("STREAM", "tote_win_bets_race_keyed"), ("TABLE", "tote_runners_pool"),
            ("TABLE", "tote_race_pool"), ("STREAM", "tote_win_bet_race_runners_odds")]),
        f"Connect {stack.url('connect')}: jdbc-sink-connector",
        "  • connector jdbc-sink-connector: already exists (left as it is)",
    ]
    db = database_url(stack)
    wait_caught_up(stack)
    assert rows(db, ODDS_TABLE) == SEED_ODDS
    assert rows(db, BETS_TABLE) == SEED_BETS
    played = stack.tote("play", "--home", str(stack.home))
    assert played.returncode == 0, played.stderr
    assert played.stdout.splitlines() == [
        f"REST proxy {stack.proxy}: 2 payloads",
        "  ✓ post_bets.payload.json → tote_win_bets: 2 bets at offsets 9-10",
        "  ✓ post_bets_large.payload.json → tote_win_bets: 7 bets at offsets 11-17",
        "Posted 9 bets.",
    ]
    wait_for_count(db, ODDS_TABLE, 18)
    wait_caught_up(stack)
    assert rows(db, ODDS_TABLE) == expected_odds(SEED_BETS * 2)
    assert rows(db, BETS_TABLE) == SEED_BETS * 2


# A DECIMAL(4,1) SUM past 999.9 cannot be computed: the query stops there, and is retried
# after ksqlDB's back-off; ksqlDB's status of it stays RUNNING, EXPLAIN lists its errors.
OVERFLOWING = [
    "CREATE STREAM stakes (who VARCHAR KEY, amount DECIMAL(4,1)) "
    "WITH (kafka_topic='stakes', value_format='JSON', partitions=1);",
    "CREATE TABLE stake_totals AS SELECT who, SUM(amount) AS total FROM stakes GROUP BY who;",
    "INSERT INTO stakes (who, amount) VALUES ('ann', 600.0);",
    "INSERT INTO stakes (who, amount) VALUES ('ann', 500.0);",
]


def test_status_shows_a_query_with_errors_and_a_paused_connector(stack: Stack) -> None:
    replies = [httpx.post(stack.url("ksqldb") + "/ksql",
                          json={"ksql": sql, "streamsProperties": {}}, timeout=120)
               for sql in OVERFLOWING]
    assert [r.status_code for r in replies] == [200] * 4, [r.text for r in replies]
    query_id = replies[1].json()[0]["commandStatus"]["message"].rsplit(" ", 1)[1]
    paused = httpx.put(stack.url("connect") + "/connectors/jdbc-sink-connector/pause",
                       timeout=60)
    assert paused.status_code == 202, paused.text

    def states() -> dict[str, str | None]:
        return {e["name"]: e["state"] for e in stack.status()["lag"] or []}

    # (The first retry comes 30 s after the failure: one error meanwhile; on a loaded
    # machine the checks below may see a retry's error too.)
    wait_until(lambda: states().get(query_id) == "RUNNING, 1 error"
               and states().get("jdbc-sink-connector") == "PAUSED",
               "the overflowing query to stop and the connector to pause")
    found = states()
    assert re.fullmatch(r"RUNNING, (1 error|\d+ errors)", str(found.pop(query_id)))
    assert found == {**dict.fromkeys(QUERY_IDS, "RUNNING"), "jdbc-sink-connector": "PAUSED"}
    rows_by_name = {row[1]: row for row in status_rows(stack)}
    # The lag: the stopping record (each retry stops on it again).
    kind, name, state, lag = rows_by_name[query_id]
    assert (kind, name, lag) == ("query", query_id, "1")
    assert re.fullmatch(r"RUNNING, (1 error|\d+ errors)", state)
    assert rows_by_name["jdbc-sink-connector"][:3] == ["connector", "jdbc-sink-connector",
                                                       "PAUSED"]
