"""The spec's worked cases TC1-TC10 (tote-domain.md §10), every figure asserted in cents."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from tests.pools.poolkit import bet, box, on_runners, settled

from tote.pools import Outcome, approximate_cents, breakage, parse_case, will_pays

TC1_STAKES = {1: 50_000, 2: 30_000, 3: 15_000, 4: 5_000}


def tc1(**extra: Any) -> dict[str, Any]:
    return {
        "pool": "WIN",
        "takeout_bp": 1500,
        "unit_cents": 100,
        "breakage_step_cents": 10,
        "bets": on_runners(TC1_STAKES),
        "result": [[2], [1], [3], [4]],
        **extra,
    }


def test_tc1_win_pool() -> None:
    s = settled(tc1())
    assert s.outcome is Outcome.PAID
    assert (s.gross_cents, s.takeout_cents, s.net_cents) == (100_000, 15_000, 85_000)
    assert [(d.selection, d.per_unit_cents) for d in s.dividends] == [((2,), 280)]
    assert [(p.id, p.cents) for p in s.payouts] == [("r2", 84_000)]
    assert s.breakage_cents == 1_000
    assert s.payouts_cents + s.takeout_cents + s.breakage_cents == 100_000
    assert (s.minus_pool_cents, s.carry_out_cents, s.refunds_cents) == (0, 0, 0)


def test_tc1_approximates_before_the_off() -> None:
    before_the_off = {key: value for key, value in tc1().items() if key != "result"}
    case = parse_case(before_the_off, result_required=False)
    net, prices = will_pays(case)
    assert net == 85_000
    assert [(p.selection, p.per_unit_cents) for p in prices] == [
        ((1,), 170),
        ((2,), 280),
        ((3,), 560),
        ((4,), 1_700),
    ]
    assert [approximate_cents(85_000, stake, 100, 10) for stake in TC1_STAKES.values()] == [
        170,
        280,
        560,
        1_700,
    ]
    assert approximate_cents(85_000, 0, 100, 10) is None


def tc2_place(extra_bets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    # A=1 400 (of which the each-way bettor's 10), B=2 250, C=3 150; unplaced 4 and 5 1,200.
    bets = [
        bet("a", 1, cents=39_000),
        *(extra_bets or []),
        bet("b", 2, cents=25_000),
        bet("c", 3, cents=15_000),
        bet("d", 4, cents=70_000),
        bet("e", 5, cents=50_000),
    ]
    return {
        "pool": "PLACE",
        "takeout_bp": 1500,
        "places": 3,
        "split": "PROFIT",
        "bets": bets,
        "result": [[1], [2], [3], [4], [5]],
    }


def test_tc2_place_profit_split() -> None:
    s = settled(tc2_place([bet("ew-place", 1, cents=1_000)]))
    assert (s.gross_cents, s.takeout_cents, s.net_cents) == (200_000, 30_000, 170_000)
    assert [(d.selection, d.per_unit_cents) for d in s.dividends] == [
        ((1,), 170),
        ((2,), 220),
        ((3,), 300),
    ]
    assert s.payout("a") + s.payout("ew-place") == 68_000
    assert (s.payout("b"), s.payout("c")) == (55_000, 45_000)
    assert s.payouts_cents == 168_000
    assert s.breakage_cents == 2_000
    assert s.payouts_cents + s.takeout_cents + s.breakage_cents == 200_000


def test_tc2_each_way_is_a_win_bet_plus_a_place_bet() -> None:
    # The WIN leg: TC1's pool with A (runner 1) the $2.80 winner holding 300, 10 of it each-way.
    win = settled(
        {
            "pool": "WIN",
            "takeout_bp": 1500,
            "bets": [
                bet("a", 1, cents=29_000),
                bet("ew-win", 1, cents=1_000),
                *on_runners({2: 50_000, 3: 15_000, 4: 5_000}),
            ],
            "result": [[1], [2]],
        }
    )
    place = settled(tc2_place([bet("ew-place", 1, cents=1_000)]))
    assert win.dividend(1) == 280
    assert place.dividend(1) == 170
    assert win.payout("ew-win") + place.payout("ew-place") == 4_500


def test_tc3_win_dead_heat_profit_split() -> None:
    s = settled(tc1(split="PROFIT", result=[[2, 4], [1]]))
    assert s.net_cents == 85_000
    assert [(d.selection, d.per_unit_cents) for d in s.dividends] == [((2,), 180), ((4,), 600)]
    assert (s.payout("r2"), s.payout("r4")) == (54_000, 30_000)
    assert s.payouts_cents == 84_000
    assert s.breakage_cents == 1_000


def test_tc3_win_dead_heat_pool_split() -> None:
    s = settled(tc1(split="POOL", result=[[2, 4], [1]]))
    assert [(d.selection, d.per_unit_cents) for d in s.dividends] == [((2,), 140), ((4,), 850)]
    assert (s.payout("r2"), s.payout("r4")) == (42_000, 42_500)
    assert s.payouts_cents == 84_500
    assert s.breakage_cents == 500


def test_tc4_win_with_a_late_scratching() -> None:
    document = tc1(scratched=[5])
    document["bets"].append(bet("r5", 5, cents=12_000))
    s = settled(document)
    assert [(r.id, r.cents) for r in s.refunds] == [("r5", 12_000)]
    assert s.refunds_cents == 12_000
    assert (s.accepted_cents, s.gross_cents) == (112_000, 100_000)
    assert s.dividend(2) == 280
    assert s.payouts_cents == 84_000
    assert s.payouts_cents + s.refunds_cents + s.takeout_cents + s.breakage_cents == 112_000
    assert (s.takeout_cents, s.breakage_cents) == (15_000, 1_000)


def test_tc5_exacta_with_a_scratched_runner() -> None:
    bets = [
        bet("e12", 1, 2, cents=6_000),
        bet("e21", 2, 1, cents=4_000),
        bet("e13", 1, 3, cents=5_000),
        bet("e31", 3, 1, cents=3_000),
        bet("e23", 2, 3, cents=2_000),
        bet("e41", 4, 1, cents=2_000),
    ]
    s = settled(
        {
            "pool": "EXACTA",
            "takeout_bp": 2000,
            "bets": bets,
            "scratched": [4],
            "result": [[1], [2], [3]],
        }
    )
    assert [(r.id, r.cents) for r in s.refunds] == [("e41", 2_000)]
    assert (s.gross_cents, s.takeout_cents, s.net_cents) == (20_000, 4_000, 16_000)
    assert [(d.selection, d.per_unit_cents, d.winning_units) for d in s.dividends] == [
        ((1, 2), 260, Fraction(60))
    ]
    assert [(p.id, p.cents) for p in s.payouts] == [("e12", 15_600)]
    assert s.breakage_cents == 400
    assert s.payouts_cents + s.takeout_cents + s.breakage_cents + s.refunds_cents == 22_000


def test_tc6_minimum_dividend_funded_as_a_minus_pool() -> None:
    # US: $2 unit, 16%, dime breakage (20c per $2), minimum $2.10 per $2.
    s = settled(
        {
            "pool": "WIN",
            "takeout_bp": 1600,
            "unit_cents": 200,
            "breakage_step_cents": 20,
            "min_dividend_cents": 210,
            "bets": on_runners({1: 820_000, 2: 100_000, 3: 80_000}),
            "result": [[1], [2], [3]],
        }
    )
    assert (s.gross_cents, s.takeout_cents, s.net_cents) == (1_000_000, 160_000, 840_000)
    # $1 unbroken 1.0244 → broken $1.00: $2.00 per $2, below the minimum.
    assert breakage(Fraction(840_000 * 200, 820_000), 20) == 200
    assert s.dividend(1) == 210
    assert s.payouts_cents == 861_000
    assert s.minus_pool_cents == 21_000
    assert s.takeout_cents - s.minus_pool_cents == 139_000  # what the operator keeps
    assert s.breakage_cents == 0
    assert s.payouts_cents + s.takeout_cents + s.breakage_cents == 1_000_000 + 21_000


def tc7(policy: str) -> dict[str, Any]:
    return {
        "pool": "WIN",
        "takeout_bp": 1500,
        "unbacked": policy,
        "bets": on_runners({1: 60_000, 2: 40_000}),
        "result": [[3], [1], [2]],
    }


def test_tc7_unbacked_winner_pays_the_next_finisher() -> None:
    s = settled(tc7("NEXT_FINISHER"))
    assert s.outcome is Outcome.PAID
    assert [(d.selection, d.per_unit_cents) for d in s.dividends] == [((1,), 140)]
    assert [(p.id, p.cents) for p in s.payouts] == [("r1", 84_000)]
    assert (s.takeout_cents, s.breakage_cents) == (15_000, 1_000)


def test_tc7_unbacked_winner_carries_the_gross() -> None:
    s = settled(tc7("CARRY_GROSS"))
    assert s.outcome is Outcome.CARRIED
    assert (s.takeout_cents, s.carry_out_cents, s.carry_out_net_cents) == (0, 100_000, 0)
    assert (s.dividends, s.payouts, s.refunds) == ((), (), ())


def test_tc7_unbacked_winner_carries_the_net() -> None:
    s = settled(tc7("CARRY_NET"))
    assert s.outcome is Outcome.CARRIED
    assert (s.takeout_cents, s.carry_out_cents, s.carry_out_net_cents) == (15_000, 85_000, 85_000)
    assert (s.dividends, s.payouts) == ((), ())


def test_tc7_unbacked_winner_refunds_everything() -> None:
    s = settled(tc7("REFUND"))
    assert s.outcome is Outcome.REFUNDED
    assert [(r.id, r.cents) for r in s.refunds] == [("r1", 60_000), ("r2", 40_000)]
    assert s.refunds_cents == 100_000
    assert (s.takeout_cents, s.breakage_cents, s.carry_out_cents) == (0, 0, 0)


def test_tc8_part_backed_trifecta_uk_rule() -> None:
    s = settled(
        {
            "pool": "TRIFECTA",
            "takeout_bp": 2500,
            "part_backed": "CARRY_UNWON",
            "unbacked": "CARRY_GROSS",
            "bets": [bet("lucky", 1, 2, 3, cents=50), bet("rest", 3, 2, 1, cents=99_950)],
            "result": [[1], [2], [3], [4]],
        }
    )
    assert (s.gross_cents, s.net_cents) == (100_000, 75_000)
    assert [(d.selection, d.per_unit_cents, d.winning_units) for d in s.dividends] == [
        ((1, 2, 3), 75_000, Fraction(1, 2))
    ]
    assert [(p.id, p.cents) for p in s.payouts] == [("lucky", 37_500)]
    assert s.takeout_cents == 12_500
    assert s.carry_out_cents == 50_000
    assert s.breakage_cents == 0
    assert s.payouts_cents + s.takeout_cents + s.carry_out_cents == 100_000


def test_tc9_flexi_boxed_trifecta() -> None:
    # Box of 4 = 24 combinations for $12: half a unit each. 3>1>7 holds 8 units in all.
    s = settled(
        {
            "pool": "TRIFECTA",
            "takeout_bp": 2100,
            "bets": [
                box("flexi", [1, 3, 7, 9], 1_200),
                bet("b2", 3, 1, 7, cents=750),
                bet("b3", 1, 2, 3, cents=498_050),
            ],
            "result": [[3], [1], [7], [2]],
        }
    )
    assert (s.gross_cents, s.takeout_cents, s.net_cents) == (500_000, 105_000, 395_000)
    assert [(d.selection, d.per_unit_cents, d.winning_units) for d in s.dividends] == [
        ((3, 1, 7), 49_370, Fraction(8))
    ]
    assert s.payouts_cents == 394_960
    assert s.breakage_cents == 40
    assert s.payout("flexi") == 24_685


def test_tc10_void_race_refunds_every_pool() -> None:
    pools: list[dict[str, Any]] = [
        {"pool": "WIN", "takeout_bp": 1500, "bets": on_runners(TC1_STAKES)},
        {
            "pool": "EXACTA",
            "takeout_bp": 2000,
            "bets": [bet("x1", 1, 2, cents=12_000), bet("x2", 2, 1, cents=8_000)],
        },
        {
            "pool": "TRIFECTA",
            "takeout_bp": 2100,
            "bets": [box("t1", [1, 2, 3, 4], 300_000), bet("t2", 4, 3, 2, cents=200_000)],
        },
    ]
    settlements = [settled({**pool, "void": True}) for pool in pools]
    assert [s.accepted_cents for s in settlements] == [100_000, 20_000, 500_000]
    assert all(s.outcome is Outcome.VOID for s in settlements)
    assert sum(s.refunds_cents for s in settlements) == 620_000
    for s, pool in zip(settlements, pools, strict=True):
        assert [(r.id, r.cents) for r in s.refunds] == [
            (b["id"], b["stake_cents"]) for b in pool["bets"]
        ]
        assert (s.takeout_cents, s.breakage_cents, s.gross_cents) == (0, 0, 0)
        assert (s.dividends, s.payouts) == ((), ())
