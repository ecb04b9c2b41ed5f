"""The tote on `tote up`: `tote pools build` installs the pools pipeline; the spec's worked
cases posted over HTTP to the tote service end as dividends in PostgreSQL; a simulated race
card runs end to end and every dividend in the database is the settlement calculator's.

One stack for the module; tests run in file order and share it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from tests.e2e.seedflow import database_url
from tests.e2e.totecases import PAID, run_case, worked_cases
from tests.stack.helpers import Stack

from tote.pools import parse_case, settle
from tote.simulate.card import Race, race_card

pytestmark = pytest.mark.slow
WAIT_S = 240.0


@pytest.fixture(scope="module")
def stack(module_dir: Path) -> Iterator[Stack]:
    stack = Stack.create(module_dir)
    stack.first_up = stack.up()
    try:
        yield stack
    finally:
        stack.down()


def _dividends(stack: Stack, races: set[str]) -> dict[str, list[dict[str, Any]]]:
    with psycopg.connect(database_url(stack), connect_timeout=30) as conn:
        exists = conn.execute("SELECT to_regclass('public.tote_dividends')").fetchone()
        if exists is None or exists[0] is None:
            return {}
        cursor = conn.execute('SELECT * FROM tote_dividends')
        names = [c.name for c in cursor.description or ()]
        found: dict[str, list[dict[str, Any]]] = {}
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            if record["RACE_ID"] in races:
                found.setdefault(record["RACE_ID"], []).append(record)
        return found


def _wait_dividends(stack: Stack, races: set[str], done: Any) -> dict[str, list[dict[str, Any]]]:
    deadline = time.monotonic() + WAIT_S
    found = _dividends(stack, races)
    while not done(found) and time.monotonic() < deadline:
        time.sleep(1.0)
        found = _dividends(stack, races)
    assert done(found), found
    return found


def test_pools_build_installs_the_pipeline_once(stack: Stack) -> None:
    assert stack.first_up is not None and stack.first_up.returncode == 0, stack.first_up
    first = stack.tote("pools", "build", "--home", str(stack.home))
    assert first.returncode == 0, first.stdout + first.stderr
    assert "✗" not in first.stdout
    again = stack.tote("pools", "build", "--home", str(stack.home))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already exists" in again.stdout


def test_the_worked_cases_over_http_end_as_dividends_in_postgres(stack: Stack) -> None:
    cases = worked_cases()
    with httpx.Client(base_url=stack.url("tote"), timeout=60) as http:
        late = {case.race_id: run_case(http, case) for case in cases}
    assert [a["reason"] for a in late["TC10"]] == ["LATE"]  # after BettingClosed
    # Every resulted race declares at least one row; TC10 (void) none.
    resulted = {case.race_id for case in cases if case.result is not None}
    found = _wait_dividends(stack, resulted, lambda f: set(f) == resulted)
    paid = {(race, row["COMBINATION"]): row["PER_UNIT_CENTS"]
            for race, rows in found.items() for row in rows if row["OUTCOME"] == "PAID"}
    assert paid == PAID
    tc1 = found["TC1"][0]
    assert (tc1["GROSS_CENTS"], tc1["TAKEOUT_CENTS"], tc1["BREAKAGE_CENTS"]) == \
        (100_000, 15_000, 1_000)
    assert found["TC4"][0]["GROSS_CENTS"] == 100_000  # the scratched R5's 120 refunded
    assert found["TC6"][0]["MINUS_POOL_CENTS"] == 21_000
    assert found["TC9"][0]["BREAKAGE_CENTS"] == 40
    tc8 = found["TC8"][0]  # 375 paid + 125 deduction + 500 gross carried forward
    assert (tc8["TAKEOUT_CENTS"], tc8["CARRY_OUT_CENTS"]) == (12_500, 50_000)
    policy = {race[4:]: rows[0] for race, rows in found.items() if race.startswith("TC7-")}
    assert (policy["CARRY_GROSS"]["OUTCOME"], policy["CARRY_GROSS"]["CARRY_OUT_CENTS"]) == \
        ("CARRIED", 100_000)
    assert (policy["CARRY_NET"]["TAKEOUT_CENTS"], policy["CARRY_NET"]["CARRY_OUT_CENTS"]) == \
        (15_000, 85_000)
    assert (policy["REFUND"]["OUTCOME"], policy["REFUND"]["REFUND_CENTS"]) == \
        ("REFUNDED", 100_000)
    assert "TC10" not in _dividends(stack, {"TC10"})


def _expected(race: Race, pool: dict[str, Any]) -> dict[str, int | None]:
    """The calculator's dividends for one pool of a simulated race, from the card itself:
    the tickets the simulator posts (those on a scratched runner only before the scratch)."""
    third = len(race.bets) // 3
    scratched = set(race.scratched)
    bets = [{"id": bet.idempotency_key, "stake_cents": bet.stake_cents,
             **({"box": list(bet.box)} if bet.box else {"selection": list(bet.selection)})}
            for n, bet in enumerate(race.bets) if bet.pool == pool["pool"] and
            (n < third or not scratched & {*bet.selection, *bet.box})]
    rules = {k: pool[k] for k in ("takeout_bp", "unit_cents", "breakage_step_cents",
                                  "min_dividend_cents", "split", "unbacked")
             if pool.get(k) is not None}
    if pool["pool"] in ("PLACE", "SHOW"):
        rules["places"] = pool["places"]
    case = parse_case({"pool": pool["pool"], **rules, "bets": bets,
                       "scratched": list(race.scratched),
                       "result": [list(p) for p in race.result]})
    return {"-".join(map(str, d["selection"])): d["per_unit_cents"]
            for d in settle(case).to_json()["dividends"]}


def test_a_simulated_card_runs_end_to_end(stack: Stack) -> None:
    card = race_card(2, 300, seed=8, prefix="E2E")
    done = stack.tote("simulate", "--races", "2", "--bets-per-race", "300", "--seed", "8",
                      "--prefix", "E2E", "--bets-per-second", "2000",
                      "--url", stack.url("tote"), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    races = {race.race_id for race in card}
    pools: dict[str, list[dict[str, Any]]] = {}
    for race in card:
        answer = httpx.get(f"{stack.url('tote')}/v1/races/{race.race_id}", timeout=60).json()
        assert answer["status"] == "RESULTED"
        pools[race.race_id] = answer["pools"]
    count = {race_id: len(p) for race_id, p in pools.items()}
    found = _wait_dividends(stack, races, lambda f: all(
        len({r["POOL_ID"] for r in f.get(race, [])}) == count[race] for race in races))
    for race in card:
        for pool in pools[race.race_id]:
            rows = [r for r in found[race.race_id] if r["POOL"] == pool["pool"]]
            declared = {r["COMBINATION"]: r["PER_UNIT_CENTS"] for r in rows
                        if r["OUTCOME"] == "PAID"}
            assert declared == _expected(race, pool), (race.race_id, pool["pool"])
