"""The SQL pipeline's dividends agree with the calculator, `tote.pools.settle`, on random
pools: every pool type, flexi boxes whose shares are not whole cents (1/3, 1/7...),
cancellations, scratchings that re-spread a box's standing stake, dead heats, both splits,
minimum dividends, unit and step sizes, and every unbacked policy; and void pools (the race
void, or one pool voided for too few starters), which declare nothing.

One engine run settles many races; each pool is then settled again by the calculator from
the same bets, and the declared rows must match it: dividends, winning units, totals. The
board's final approximates must match the calculator's will-pays too (none for a void pool:
its rows say VOIDED and carry no price).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from tests.pools_sql.pipeline import PoolsPipeline, RaceWriter

from tote.pools import Outcome, Settlement, parse_case, settle, will_pays
from tote.pools.case import PoolType
from tote.pools.tickets import expand

SINGLE = ("WIN", "PLACE", "SHOW")
POOLS = ("WIN", "PLACE", "SHOW", "EXACTA", "QUINELLA", "TRIFECTA", "FIRST4")


@dataclass
class PoolPlan:
    """One random pool: its rules as a calculator case, and what happened to its bets."""

    pool_id: str
    case: dict[str, Any]
    bets: list[dict[str, Any]] = field(default_factory=list)
    scratch_refunds: int = 0


def _rules(rng: random.Random, pool: str) -> dict[str, Any]:
    unit = rng.choice([100, 100, 200, 50])
    rules: dict[str, Any] = {
        "pool": pool,
        "takeout_bp": rng.choice([0, 1425, 1500, 2000, 2250, 3333]),
        "unit_cents": unit,
        "breakage_step_cents": rng.choice([10, 10, 5, 20]),
        "min_dividend_cents": rng.choice([None, None, unit + 5, unit + 10]),
        "split": rng.choice(["PROFIT", "POOL"]),
        "unbacked": rng.choice(
            ["NEXT_FINISHER", "CARRY_GROSS", "CARRY_NET", "REFUND"]
            if pool in SINGLE
            else ["CARRY_GROSS", "CARRY_NET", "REFUND"]
        ),
    }
    if pool in ("PLACE", "SHOW"):
        rules["places"] = rng.choice([2, 3])
    return rules


def _plan_race(
    rng: random.Random, pipe: PoolsPipeline, index: int, void: str | None = None
) -> list[PoolPlan]:
    """A random race; `void` "RACE" voids it before the result, "POOL" voids its first pool
    alone (after at least one scratching, with a rule one starter more than are left)."""
    field_size = rng.randint(4, 8)
    runners = list(range(1, field_size + 1))
    # The last may run unbacked (not in a field of 4: a FIRST4 needs every runner backed).
    backed = runners[:-1] if rng.random() < 0.3 and field_size > 4 else runners
    race = pipe.race(f"RND{index}", runners)
    plans = []
    for pool in rng.sample(POOLS, rng.randint(1, 3)):
        rules = _rules(rng, pool)
        pool_id = race.pool(
            pool,
            takeout_bp=rules["takeout_bp"],
            unit_cents=rules["unit_cents"],
            breakage_step_cents=rules["breakage_step_cents"],
            min_dividend_cents=rules["min_dividend_cents"],
            split=rules["split"],
            places=rules.get("places"),
            unbacked=rules["unbacked"],
        )
        plans.append(PoolPlan(pool_id, rules))
    for plan in plans:
        _bets(rng, race, plan, backed)
    for plan in plans:  # cancellations, while betting is open
        for bet in rng.sample(plan.bets, len(plan.bets) // 6):
            race.cancel(bet["id"])
            plan.bets.remove(bet)
    race.close()
    scratched = rng.sample(runners, rng.choice([1, 2] if void == "POOL" else [0, 0, 1, 2]))
    for runner in scratched:
        race.scratch(runner)
    starters = [r for r in runners if r not in scratched]
    if void == "RACE":
        race.void()
        for plan in plans:
            plan.case["void"] = True
    elif void == "POOL":
        voided = plans[0]
        size = PoolType(voided.case["pool"]).selection_size
        voided.case.update(field_size=field_size, min_starters=max(size, len(starters) + 1))
        race.void_pool(voided.case["pool"], scratched[-1], starters)
    for plan in plans:
        plan.scratch_refunds = sum(
            bet["stake_cents"] - race.tickets[bet["id"]].standing_cents
            if bet["id"] in race.tickets
            else bet["stake_cents"]
            for bet in plan.bets
        )
    rng.shuffle(starters)
    finishing = starters[: rng.randint(1, len(starters))] if rng.random() < 0.9 else starters[:1]
    result: list[list[int]] = []
    for runner in finishing:
        if result and rng.random() < 0.2:
            result[-1].append(runner)  # a dead heat
        else:
            result.append([runner])
    race.result(result)
    for plan in plans:
        plan.case.update({"bets": plan.bets, "scratched": scratched, "result": result})
    return plans


def _bets(rng: random.Random, race: RaceWriter, plan: PoolPlan, backed: list[int]) -> None:
    pool = PoolType(plan.case["pool"])
    size = pool.selection_size
    for _ in range(rng.randint(0, 14)):
        stake = rng.randint(1, 60) * rng.choice([1, 10, 100])
        if rng.random() < 0.35 and len(backed) > size:
            box = rng.sample(backed, rng.randint(max(size, 2), min(len(backed), size + 2)))
            combinations = expand(pool, None, box)
            bet = {"box": box}
        else:
            selection = rng.sample(backed, size)
            combinations = expand(pool, selection, None)
            bet = {"selection": selection}
        bet_id = race.bet(plan.case["pool"], combinations, stake)
        plan.bets.append({"id": bet_id, **bet, "stake_cents": stake})


def _check(plan: PoolPlan, rows: list[dict[str, Any]]) -> None:
    expected: Settlement = settle(parse_case(plan.case))
    if expected.outcome is Outcome.VOID:
        assert rows == [], f"{plan.pool_id}: a void pool declared {rows}"
        return
    assert rows, f"{plan.pool_id}: no row declared; the calculator says {expected.outcome}"
    where = f"{plan.pool_id} {plan.case}"
    first = rows[0]
    assert {r["OUTCOME"] for r in rows} == {expected.outcome.value}, where
    assert first["GROSS_CENTS"] == expected.gross_cents, where
    assert first["TAKEOUT_CENTS"] == expected.takeout_cents, where
    assert first["NET_CENTS"] == expected.net_cents, where
    assert first["MINUS_POOL_CENTS"] == expected.minus_pool_cents, where
    assert first["CARRY_OUT_CENTS"] == expected.carry_out_cents, where
    if expected.outcome is not Outcome.PAID:
        assert all(r["PER_UNIT_CENTS"] is None for r in rows), where
        assert first["REFUND_CENTS"] == expected.refunds_cents - plan.scratch_refunds, where
        return
    declared = {r["COMBINATION"]: (r["PER_UNIT_CENTS"], r["WINNING_UNITS"]) for r in rows}
    assert len(declared) == len(rows), where
    assert declared == {
        "-".join(map(str, d.selection)): (d.per_unit_cents, _text(d.winning_units))
        for d in expected.dividends
    }, where
    # Breakage: the calculator floors each ticket's payout, the pipeline each combination's;
    # both are exact when every payout is a whole number of cents.
    lost = expected.breakage_cents - first["BREAKAGE_CENTS"]
    assert 0 <= lost < max(1, len(expected.payouts)), where


def _check_board(plan: PoolPlan, board: dict[str, dict[str, Any]]) -> bool:
    """The final board against `will_pays`: the same net and the same price on every backed
    combination, none elsewhere (PLACE and SHOW have none); a void pool (net 0, no
    will-pays) has every row VOIDED and unpriced. True if the pool is void."""
    where = f"{plan.pool_id} {plan.case}"
    case = parse_case(plan.case)
    void = settle(case).outcome is Outcome.VOID
    prices: dict[str, int] = {}
    if void or case.pool not in (PoolType.PLACE, PoolType.SHOW):
        net, will = will_pays(case)
        prices = {"-".join(map(str, w.selection)): w.per_unit_cents for w in will}
        assert all(r["NET_CENTS"] == net for r in board.values()), where
        assert not void or (net, prices) == (0, {}), where
    assert all(r["VOIDED"] is void for r in board.values()), where
    shown = {
        c: r["APPROXIMATE_CENTS"] for c, r in board.items() if r["APPROXIMATE_CENTS"] is not None
    }
    assert shown == prices, where
    return void


def _text(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def test_random_pools_settle_as_the_calculator_does(pipe: PoolsPipeline) -> None:
    rng = random.Random(20260611)
    plans = [plan for index in range(40) for plan in _plan_race(rng, pipe, index)]
    for index, void in enumerate(["RACE", "POOL"] * 4, start=40):
        plans += _plan_race(rng, pipe, index, void)
    pipe.run()
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in pipe.dividends():
        rows.setdefault(row["POOL_ID"], []).append(row)
    flexi = sum(1 for p in plans for b in p.bets if "box" in b)
    assert len(plans) > 60 and flexi > 50  # the sample covers what it claims to
    seen: set[str] = set()
    for plan in plans:
        declared = rows.pop(plan.pool_id, [])
        _check(plan, declared)
        seen.update(r["OUTCOME"] for r in declared)
        seen.update("FLEXI UNITS" for r in declared if "/" in (r["WINNING_UNITS"] or ""))
        if _check_board(plan, pipe.approximates(plan.pool_id)):
            seen.add("VOID RACE" if plan.case.get("void") else "VOID POOL")
    assert rows == {}, f"rows for pools nobody defined: {sorted(rows)}"
    assert seen >= {"PAID", "CARRIED", "REFUNDED", "FLEXI UNITS", "VOID RACE", "VOID POOL"}
