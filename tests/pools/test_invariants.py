"""Spec §9.3 invariants over random pools of every type: random stakes, boxes, dead heats,
scratchings, rules and policies. Every settlement must balance to the cent."""

from __future__ import annotations

from fractions import Fraction
from math import comb, perm
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.pools.poolkit import assert_balanced

from tote.pools import Outcome, PoolType, parse_case, settle

EXAMPLES = settings(max_examples=150, deadline=None)


@st.composite
def results(draw: st.DrawFn, runners: list[int]) -> list[list[int]]:
    """Some of `runners` finishing in a random order, with random dead heats."""
    order = draw(st.permutations(runners))
    finished = order[: draw(st.integers(0, len(order)))]
    groups: list[list[int]] = []
    for runner in finished:
        if groups and draw(st.integers(0, 3)) == 0:
            groups[-1].append(runner)
        else:
            groups.append([runner])
    return groups


@st.composite
def tickets(
    draw: st.DrawFn, pool: PoolType, runners: list[int], boxes: bool
) -> list[dict[str, Any]]:
    size = pool.selection_size
    drawn = []
    for number in range(draw(st.integers(0, 12))):
        stake = draw(st.integers(1, 60_000) | st.integers(1, 150))
        if boxes and draw(st.booleans()):
            chosen = draw(st.permutations(runners))[: draw(st.integers(size, len(runners)))]
            drawn.append({"id": f"b{number}", "box": chosen, "stake_cents": stake})
        else:
            chosen = draw(st.permutations(runners))[:size]
            drawn.append({"id": f"b{number}", "selection": chosen, "stake_cents": stake})
    return drawn


@st.composite
def pool_cases(
    draw: st.DrawFn, pools: tuple[PoolType, ...] = tuple(PoolType), boxes: bool = True
) -> dict[str, Any]:
    pool = draw(st.sampled_from(pools))
    runners = list(range(1, draw(st.integers(max(pool.selection_size, 2), 7)) + 1))
    scratched = draw(st.lists(st.sampled_from(runners), unique=True, max_size=2))
    policies = ["CARRY_GROSS", "CARRY_NET", "REFUND"]
    if pool.single_runner:
        policies.append("NEXT_FINISHER")
    document: dict[str, Any] = {
        "pool": pool.value,
        "takeout_bp": draw(st.sampled_from([0, 1425, 1500, 2500]) | st.integers(0, 10_000)),
        "unit_cents": draw(st.sampled_from([100, 200, 1_000])),
        "breakage_step_cents": draw(st.sampled_from([1, 5, 10, 20])),
        "split": draw(st.sampled_from(["PROFIT", "POOL"])),
        "unbacked": draw(st.sampled_from(policies)),
        "part_backed": draw(st.sampled_from(["PAY_NET", "CARRY_UNWON"])),
        "scratched": scratched,
        "bets": draw(tickets(pool, runners, boxes)),
        "result": draw(results([r for r in runners if r not in scratched])),
        "carry_in_cents": draw(st.sampled_from([0, 0, 1, 12_345])),
        "carry_in_net_cents": draw(st.sampled_from([0, 0, 7, 5_000])),
        "void": draw(st.integers(0, 9)) == 0,
    }
    minimum = draw(st.none() | st.integers(0, 250))
    if minimum is not None:
        document["min_dividend_cents"] = minimum
    if pool in (PoolType.PLACE, PoolType.SHOW):
        document["places"] = draw(st.integers(1, 4))
    if draw(st.booleans()):  # the field declared: a minimum of starters applies
        document["field_size"] = len(runners)
        if draw(st.booleans()):
            document["min_starters"] = draw(st.integers(pool.selection_size, len(runners)))
    return document


def combinations_of(document: dict[str, Any], runners: int) -> int:
    size = PoolType(document["pool"]).selection_size
    ordered = PoolType(document["pool"]).ordered
    return perm(runners, size) if ordered else comb(runners, size)


@EXAMPLES
@given(pool_cases())
def test_every_settlement_balances_to_the_cent(document: dict[str, Any]) -> None:
    assert_balanced(settle(parse_case(document)), document)


@EXAMPLES
@given(pool_cases())
def test_refunds_are_exactly_the_scratched_stakes_or_everything(document: dict[str, Any]) -> None:
    settlement = settle(parse_case(document))
    refunds = {refund.id: refund.cents for refund in settlement.refunds}
    scratched = set(document["scratched"])
    for ticket in document["bets"]:
        refund, stake = refunds.get(ticket["id"], 0), ticket["stake_cents"]
        if settlement.outcome in (Outcome.VOID, Outcome.REFUNDED):
            assert refund == stake
        elif "selection" in ticket:
            assert refund == (stake if scratched & set(ticket["selection"]) else 0)
        else:
            box = ticket["box"]
            total = combinations_of(document, len(box))
            left = combinations_of(document, len(set(box) - scratched))
            exact = Fraction(stake * (total - left), total)
            assert exact <= refund < exact + 1 or refund == stake
    if settlement.outcome in (Outcome.VOID, Outcome.REFUNDED):
        assert (settlement.takeout_cents, settlement.breakage_cents) == (0, 0)
        assert settlement.dividends == ()


@EXAMPLES
@given(pool_cases())
def test_dividends_respect_the_minimum_the_step_and_breakage_bounds(
    document: dict[str, Any],
) -> None:
    settlement = settle(parse_case(document))
    step, minimum = document["breakage_step_cents"], document.get("min_dividend_cents")
    for dividend in settlement.dividends:
        assert dividend.per_unit_cents >= (minimum or 0)
        assert dividend.per_unit_cents % step == 0 or dividend.per_unit_cents == minimum
    assert settlement.breakage_cents >= 0
    if settlement.minus_pool_cents == 0:
        # < one step per winning unit for each price, plus under a cent per paid bet.
        bound = sum(step * dividend.winning_units for dividend in settlement.dividends)
        assert settlement.breakage_cents < bound + len(settlement.payouts) or (
            settlement.breakage_cents == 0
        )


@EXAMPLES
@given(pool_cases())
def test_a_profit_split_returns_every_winning_stake_when_there_is_profit(
    document: dict[str, Any],
) -> None:
    settlement = settle(parse_case(document))
    unit = document["unit_cents"]
    staked = sum(dividend.winning_units for dividend in settlement.dividends) * unit
    if (
        settlement.outcome is Outcome.PAID
        and document["split"] == "PROFIT"
        and settlement.carry_out_cents == 0
        and settlement.net_cents >= staked
    ):
        assert all(dividend.per_unit_cents >= unit for dividend in settlement.dividends)
        assert settlement.minus_pool_cents == 0


@EXAMPLES
@given(pool_cases())
def test_a_pool_is_void_when_its_race_is_or_too_few_starters_are_left(
    document: dict[str, Any],
) -> None:
    case = parse_case(document)
    starters = document.get("field_size", 0) - len(document["scratched"])
    short = "field_size" in document and starters < case.min_starters
    assert (settle(case).outcome is Outcome.VOID) == (document["void"] or short)


WIN_STRAIGHTS = pool_cases(pools=(PoolType.WIN,), boxes=False).map(
    lambda document: {**document, "void": False, "part_backed": "PAY_NET"}
)


@EXAMPLES
@given(WIN_STRAIGHTS)
def test_a_single_winner_is_priced_net_times_unit_over_stake(document: dict[str, Any]) -> None:
    settlement = settle(parse_case(document))
    if settlement.outcome is not Outcome.PAID or len(settlement.dividends) != 1:
        return  # a dead heat among the paying runners: shares, not net / stake
    (dividend,) = settlement.dividends
    winner_stake = sum(
        b["stake_cents"] for b in document["bets"] if b["selection"] == list(dividend.selection)
    )
    unit, step = document["unit_cents"], document["breakage_step_cents"]
    expected = settlement.net_cents * unit // winner_stake // step * step
    assert dividend.per_unit_cents == max(expected, document.get("min_dividend_cents") or 0)
    for bet in document["bets"]:
        if bet["selection"] == list(dividend.selection):
            assert settlement.payout(bet["id"]) == (
                dividend.per_unit_cents * bet["stake_cents"] // unit
            )
