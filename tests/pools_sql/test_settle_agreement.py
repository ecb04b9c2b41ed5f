"""The SQL pipeline's dividends agree with the calculator, `tote.pools.settle`, on random
pools: every pool type, flexi boxes whose shares are not whole cents (1/3, 1/7...),
cancellations, scratchings that re-spread a box's standing stake, dead heats, both splits,
minimum dividends, unit and step sizes, and every unbacked policy.

One engine run settles many races; each pool is then settled again by the calculator from
the same bets, and the declared rows must match it: dividends, winning units, totals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from tests.pools_sql.pipeline import PoolsPipeline, RaceWriter

from tote.pools import Outcome, Settlement, parse_case, settle
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


def _plan_race(rng: random.Random, pipe: PoolsPipeline, index: int) -> list[PoolPlan]:
    field_size = rng.randint(4, 8)
    runners = list(range(1, field_size + 1))
    backed = runners[:-1] if rng.random() < 0.3 else runners  # the last may run unbacked
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
    scratched = rng.sample(runners, rng.choice([0, 0, 1, 2]))
    for runner in scratched:
        race.scratch(runner)
    for plan in plans:
        plan.scratch_refunds = sum(
            bet["stake_cents"] - race.tickets[bet["id"]].standing_cents
            if bet["id"] in race.tickets
            else bet["stake_cents"]
            for bet in plan.bets
        )
    starters = [r for r in runners if r not in scratched]
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


def _text(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def test_random_pools_settle_as_the_calculator_does(pipe: PoolsPipeline) -> None:
    rng = random.Random(20260611)
    plans = [plan for index in range(40) for plan in _plan_race(rng, pipe, index)]
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
    assert rows == {}, f"rows for pools nobody defined: {sorted(rows)}"
    assert seen >= {"PAID", "CARRIED", "REFUNDED", "FLEXI UNITS"}
