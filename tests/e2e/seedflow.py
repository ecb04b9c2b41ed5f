"""The seed's flow done by hand over HTTP, as its Makefile does with curl, and the rows
the seed README says PostgreSQL must end with.

The files are the seed's own (packaged with tote, byte-identical to the seed's). The
statements are split the naive way a shell script would (at `;` + end of line) and each
chunk, comments included, is posted as it is.
"""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import psycopg
from tests.stack.helpers import Stack

from tote.seed.files import packaged_file

AVRO_V2 = "application/vnd.kafka.avro.v2+json"
ODDS_TABLE = "tote_win_bet_race_runners_odds"
BETS_TABLE = "tote_win_bets"
WAIT_S = 180.0

# (RUNNER_ID, RUNNER_POOL_AMOUNT, RACE_POOL_AMOUNT, ODDS), in offset order: the seed README.
SEED_ODDS = [
    (1, 25.0, 25.0, 1.0), (2, 50.0, 75.0, 1.5), (1, 75.0, 125.0, 125 / 75),
    (2, 55.0, 130.0, 130 / 55), (2, 65.0, 140.0, 140 / 65), (2, 85.0, 160.0, 160 / 85),
    (2, 65.0, 140.0, 140 / 65), (1, 75.0, 140.0, 140 / 75), (2, 65.0, 140.0, 140 / 65),
]
# The ODDS column as the README prints it.
SEED_ODDS_PRINTED = [1.0, 1.5, 1.6666667, 2.3636364, 2.1538462, 1.8823529, 2.1538462,
                     1.8666667, 2.1538462]
# (RUNNER_ID, RACE_ID, AMOUNT) of the two payloads, in order.
SEED_BETS = [(1, 0, 25.0), (2, 0, 50.0), (1, 0, 50.0), (2, 0, 5.0), (2, 0, 10.0),
             (2, 0, 20.0), (2, 0, -20.0), (1, 0, 0.0), (2, 0, 0.0)]


def seed_statements() -> list[str]:
    text = packaged_file("statements.sql").decode()
    chunks = [c.strip() for c in re.split(r";[ \t]*(?:\r?\n|$)", text)]
    return [c + ";" for c in chunks if c]


def post_statements(stack: Stack) -> list[httpx.Response]:
    return [httpx.post(stack.url("ksqldb") + "/ksql",
                       json={"ksql": statement, "streamsProperties": {}}, timeout=120)
            for statement in seed_statements()]


def post_connector(stack: Stack) -> httpx.Response:
    return httpx.post(stack.url("connect") + "/connectors",
                      content=packaged_file("connect-jdbc-sink.json"),
                      headers={"Content-Type": "application/json"}, timeout=120)


def post_payload(stack: Stack, name: str) -> httpx.Response:
    return httpx.post(stack.proxy + "/topics/tote_win_bets", content=packaged_file(name),
                      headers={"Content-Type": AVRO_V2}, timeout=120)


def bets_payload(bets: list[tuple[int, int, float]]) -> dict[str, Any]:
    return {"value_schema_id": 1, "records": [
        {"value": {"RUNNER_ID": {"int": runner}, "RACE_ID": {"int": race},
                   "AMOUNT": {"double": amount}}} for runner, race, amount in bets]}


def database_url(stack: Stack) -> str:
    url: str = stack.status()["database_url"]
    return url


def rows(db_url: str, table: str) -> list[tuple[Any, ...]]:
    """Every row of a sink table in insertion (= offset) order; [] if it does not exist."""
    with psycopg.connect(db_url, connect_timeout=30) as conn:
        exists = conn.execute("SELECT to_regclass(%s)", (f'public."{table}"',)).fetchone()
        if exists is None or exists[0] is None:
            return []
        return list(conn.execute(f'SELECT * FROM "{table}" ORDER BY ctid').fetchall())


def count(db_url: str, table: str) -> int:
    try:
        with psycopg.connect(db_url, connect_timeout=30) as conn:
            exists = conn.execute("SELECT to_regclass(%s)", (f'public."{table}"',)).fetchone()
            if exists is None or exists[0] is None:
                return 0
            found = conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()
    except psycopg.OperationalError:  # the database is restarting
        return -1
    return int(found[0]) if found else 0


def wait_for_count(db_url: str, table: str, expected: int, timeout_s: float = WAIT_S) -> None:
    """Wait until `table` holds at least `expected` rows."""
    deadline = time.monotonic() + timeout_s
    while (now := count(db_url, table)) < expected:
        if time.monotonic() >= deadline:
            raise AssertionError(f"{table} has {now} of {expected} rows after {timeout_s:g} s")
        time.sleep(0.2)


def wait_caught_up(stack: Stack, timeout_s: float = WAIT_S) -> list[dict[str, Any]]:
    """Wait until `tote status` shows the seed's 5 queries and its connector with lag 0:
    everything posted so far is in the sink, so extra (doubled) rows would be there too."""
    deadline = time.monotonic() + timeout_s
    while True:
        lag: list[dict[str, Any]] = stack.status()["lag"] or []
        kinds = sorted(entry["kind"] for entry in lag)
        if kinds == ["connector", *["query"] * 5] and all(e["lag"] == 0 for e in lag):
            return lag
        if time.monotonic() >= deadline:
            raise AssertionError(f"not caught up after {timeout_s:g} s: {lag}")
        time.sleep(0.5)


def expected_odds(bets: list[tuple[int, int, float]]) -> list[tuple[int, float, float, float]]:
    """The odds rows the seed's statements give for `bets`, one per bet, in order: running
    SUMs per runner and per race, and the CASE of the odds query."""
    runner_pools: dict[int, float] = {}
    race_pools: dict[int, float] = {}
    result = []
    for runner, race, amount in bets:
        runner_pools[runner] = runner_pools.get(runner, 0.0) + amount
        race_pools[race] = race_pools.get(race, 0.0) + amount
        runner_pool, race_pool = runner_pools[runner], race_pools[race]
        odds = 0.0 if runner_pool == 0 else race_pool / runner_pool
        result.append((runner, runner_pool, race_pool, odds))
    return result
