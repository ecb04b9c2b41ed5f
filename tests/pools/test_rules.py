"""Dead heats in every pool type, scratched boxes, unbacked and insufficient results, carry-ins
and minus pools, with figures worked by hand in the comments."""

from __future__ import annotations

from fractions import Fraction

import pytest
from tests.pools.poolkit import bet, box, on_runners, settled

from tote.pools import (
    Outcome,
    PoolCaseError,
    Settlement,
    approximate_cents,
    breakage,
    dividend_per_unit,
    parse_case,
    settle,
    takeout_cents,
    will_pays,
)


def prices(settlement: Settlement) -> list[tuple[tuple[int, ...], int]]:
    return [(d.selection, d.per_unit_cents) for d in settlement.dividends]


def test_place_dead_heat_for_the_last_place_shares_that_place() -> None:
    # 2 places, 1 first, 2 and 3 dead-heat for second. net 36,000; placed stakes 20,000;
    # profit 16,000: half to runner 1 (1 + 8,000/10,000 = 1.80), a quarter each to 2 and 3
    # (1 + 4,000/4,000 = 2.00; 1 + 4,000/6,000 = 1.6667 -> 1.60).
    s = settled(
        {
            "pool": "PLACE",
            "takeout_bp": 1000,
            "places": 2,
            "bets": on_runners({1: 10_000, 2: 4_000, 3: 6_000, 4: 20_000}),
            "result": [[1], [2, 3], [4]],
        }
    )
    assert prices(s) == [((1,), 180), ((2,), 200), ((3,), 160)]
    assert [(p.id, p.cents) for p in s.payouts] == [("r1", 18_000), ("r2", 8_000), ("r3", 9_600)]
    assert s.breakage_cents == 400


def test_place_dead_heat_for_first_fills_both_places() -> None:
    # profit 36,000 - 14,000 = 22,000, half each: 1 + 11,000/10,000 = 2.10; 1 + 11,000/4,000.
    s = settled(
        {
            "pool": "PLACE",
            "takeout_bp": 1000,
            "places": 2,
            "bets": on_runners({1: 10_000, 2: 4_000, 3: 6_000, 4: 20_000}),
            "result": [[1, 2], [3]],
        }
    )
    assert prices(s) == [((1,), 210), ((2,), 370)]
    assert s.payout("r3") == 0


def test_an_unbacked_placegetter_hands_its_share_to_the_others() -> None:
    # net 40,000; backed placed stakes 20,000; profit 20,000 in halves: 1 + 10,000/10,000.
    s = settled(
        {
            "pool": "SHOW",
            "takeout_bp": 0,
            "bets": on_runners({1: 10_000, 2: 10_000, 3: 20_000}),
            "result": [[1], [2], [9], [3]],
        }
    )
    assert prices(s) == [((1,), 200), ((2,), 200)]
    assert s.breakage_cents == 0


def test_place_with_fewer_finishers_than_places_pays_the_places_that_exist() -> None:
    s = settled(
        {
            "pool": "PLACE",
            "takeout_bp": 0,
            "places": 3,
            "bets": on_runners({1: 10_000, 2: 30_000}),
            "result": [[1], [2]],
        }
    )
    assert prices(s) == [((1,), 100), ((2,), 100)]


def exacta_dead_heat_for_second(split: str) -> dict[str, object]:
    return {
        "pool": "EXACTA",
        "takeout_bp": 0,
        "split": split,
        "bets": [
            bet("12", 1, 2, cents=2_000),
            bet("13", 1, 3, cents=5_000),
            bet("21", 2, 1, cents=3_000),
        ],
        "result": [[1], [2, 3]],
    }


def test_exacta_dead_heat_pool_split_halves_the_net_pool() -> None:
    # 5,000 each: 5,000/2,000 = 2.50; 5,000/5,000 = 1.00.
    assert prices(settled(exacta_dead_heat_for_second("POOL"))) == [((1, 2), 250), ((1, 3), 100)]


def test_exacta_dead_heat_profit_split_halves_the_profit() -> None:
    # profit 10,000 - 7,000 = 3,000: 1 + 1,500/2,000 = 1.75; 1 + 1,500/5,000 = 1.30.
    assert prices(settled(exacta_dead_heat_for_second("PROFIT"))) == [((1, 2), 170), ((1, 3), 130)]


def test_quinella_dead_heat_for_first_changes_nothing() -> None:
    s = settled(
        {
            "pool": "QUINELLA",
            "takeout_bp": 0,
            "bets": [bet("a", 2, 1, cents=4_000), bet("b", 1, 3, cents=6_000)],
            "result": [[1, 2], [3]],
        }
    )
    assert prices(s) == [((1, 2), 250)]
    assert s.payout("a") == 10_000


def test_quinella_dead_heat_for_second_declares_two_pairs() -> None:
    s = settled(
        {
            "pool": "QUINELLA",
            "takeout_bp": 0,
            "split": "POOL",
            "bets": [
                bet("a", 2, 1, cents=4_000),
                bet("b", 3, 1, cents=1_000),
                bet("c", 2, 3, cents=5_000),
            ],
            "result": [[1], [3, 2]],
        }
    )
    assert prices(s) == [((1, 2), 120), ((1, 3), 500)]  # 5,000/4,000 = 1.25 -> 1.20


def test_trifecta_and_first4_dead_heats_list_every_consistent_order() -> None:
    tri = settled(
        {
            "pool": "TRIFECTA",
            "takeout_bp": 0,
            "bets": [box("all", [1, 2, 3, 4], 2_400)],
            "result": [[1], [2], [3, 4]],
        }
    )
    assert [d.selection for d in tri.dividends] == [(1, 2, 3), (1, 2, 4)]
    first4 = settled(
        {
            "pool": "FIRST4",
            "takeout_bp": 0,
            "bets": [box("all", [1, 2, 3, 4], 2_400)],
            "result": [[1, 2], [3], [4]],
        }
    )
    assert [d.selection for d in first4.dividends] == [(1, 2, 3, 4), (2, 1, 3, 4)]
    # The box holds 1 unit on each of the 24 arrangements and wins on both: the whole pool back.
    assert first4.payout("all") == 2_400


def test_a_box_with_a_scratched_runner_refunds_the_combinations_holding_it() -> None:
    # Exacta box of 3 = 6 combinations for 1,000; runner 3 out leaves 1>2 and 2>1:
    # refund 1,000 x 4/6 = 666.67 -> 667 (rounded up); 333 stands, 166.5 on each.
    s = settled(
        {
            "pool": "EXACTA",
            "takeout_bp": 0,
            "scratched": [3],
            "bets": [box("box", [1, 2, 3], 1_000), bet("s", 1, 2, cents=1_667)],
            "result": [[1], [2]],
        }
    )
    assert [(r.id, r.cents) for r in s.refunds] == [("box", 667)]
    assert s.gross_cents == 2_000
    assert s.dividends[0].winning_units == Fraction(18_335, 1_000)
    assert s.dividend(1, 2) == 100  # 2,000 / 18.335 = 1.0908
    assert (s.payout("box"), s.payout("s")) == (166, 1_667)


def test_a_box_left_with_too_few_runners_is_refunded_in_full() -> None:
    s = settled(
        {
            "pool": "TRIFECTA",
            "takeout_bp": 0,
            "scratched": [3],
            "bets": [box("box", [1, 2, 3], 600), bet("s", 1, 2, 4, cents=100)],
            "result": [[1], [2], [4]],
        }
    )
    assert [(r.id, r.cents) for r in s.refunds] == [("box", 600)]


def test_next_finisher_walks_down_the_result_then_refunds() -> None:
    bets = on_runners({1: 60_000, 2: 40_000})
    s = settled(
        {
            "pool": "WIN",
            "takeout_bp": 1500,
            "unbacked": "NEXT_FINISHER",
            "bets": bets,
            "result": [[3], [4, 5], [2], [1]],
        }
    )
    assert prices(s) == [((2,), 210)]  # 85,000 / 40,000 = 2.125
    nobody = settled(
        {
            "pool": "WIN",
            "takeout_bp": 1500,
            "unbacked": "NEXT_FINISHER",
            "bets": bets,
            "result": [[3], [4]],
        }
    )
    assert nobody.outcome is Outcome.REFUNDED
    assert nobody.refunds_cents == 100_000


def test_an_exotic_with_too_few_finishers_is_refunded() -> None:
    s = settled(
        {
            "pool": "TRIFECTA",
            "takeout_bp": 2100,
            "unbacked": "CARRY_GROSS",
            "bets": [bet("a", 1, 2, 3, cents=500)],
            "result": [[1], [2]],
        }
    )
    assert (s.outcome, s.refunds_cents, s.takeout_cents) == (Outcome.REFUNDED, 500, 0)


def test_a_net_carry_in_is_untaxed_and_a_gross_one_is_taxed() -> None:
    base = {
        "pool": "WIN",
        "takeout_bp": 1500,
        "bets": on_runners({1: 70_000, 2: 30_000}),
        "result": [[2]],
    }
    gross_in = settled({**base, "carry_in_cents": 20_000})
    assert (gross_in.gross_cents, gross_in.takeout_cents, gross_in.net_cents) == (
        120_000,
        18_000,
        102_000,
    )
    assert gross_in.dividend(2) == 340
    net_in = settled({**base, "carry_in_net_cents": 20_000})
    assert (net_in.gross_cents, net_in.takeout_cents, net_in.net_cents) == (
        100_000,
        15_000,
        105_000,
    )
    assert net_in.dividend(2) == 350


def test_a_void_pool_carries_its_carry_in_on() -> None:
    s = settled(
        {
            "pool": "WIN",
            "takeout_bp": 1500,
            "void": True,
            "carry_in_cents": 5_000,
            "carry_in_net_cents": 700,
            "bets": on_runners({1: 1_000}),
        }
    )
    assert (s.refunds_cents, s.carry_out_cents, s.carry_out_net_cents) == (1_000, 5_700, 700)


def test_part_backed_under_the_ordinary_rule_pays_the_whole_net_pool() -> None:
    s = settled(
        {
            "pool": "TRIFECTA",
            "takeout_bp": 2500,
            "bets": [bet("lucky", 1, 2, 3, cents=50), bet("rest", 3, 2, 1, cents=99_950)],
            "result": [[1], [2], [3]],
        }
    )
    assert s.dividend(1, 2, 3) == 150_000
    assert (s.payout("lucky"), s.carry_out_cents, s.takeout_cents) == (75_000, 0, 25_000)


def test_minimum_dividends_on_a_dead_heat_are_funded_per_price() -> None:
    # net 8,500 < 9,900 staked on the dead heat: profit -1,400, -700 each.
    # 1: 1 - 700/9,000 = 0.92; 2: 1 - 700/900 = 0.22 -> both raised to 1.05.
    # Owed 8,300 and 200; paid 9,450 and 945: minus pool 1,150 + 745.
    s = settled(
        {
            "pool": "WIN",
            "takeout_bp": 1500,
            "min_dividend_cents": 105,
            "bets": on_runners({1: 9_000, 2: 900, 3: 100}),
            "result": [[1, 2], [3]],
        }
    )
    assert prices(s) == [((1,), 105), ((2,), 105)]
    assert (s.payouts_cents, s.minus_pool_cents, s.breakage_cents) == (10_395, 1_895, 0)


def test_a_profit_split_with_no_profit_and_no_minimum_never_goes_below_zero() -> None:
    s = settled(
        {
            "pool": "WIN",
            "takeout_bp": 5000,
            "bets": on_runners({1: 9_000, 2: 100}),
            "result": [[1, 2]],
        }
    )
    # net 4,550; profit -4,550: runner 2's half (-2,275) exceeds its stake.
    assert prices(s) == [((1,), 70), ((2,), 0)]
    assert s.minus_pool_cents == 2_175  # runner 2 owed 100 - 2,275, paid 0


def test_the_udf_helpers() -> None:
    assert breakage(283, 10) == 280
    assert breakage(Fraction(28_333, 100), 10) == 280
    assert breakage(280, 10) == 280
    assert breakage(Fraction(204_878, 1_000), 20) == 200
    assert takeout_cents(99_999, 1425) == 14_249  # 14,249.86 floored
    assert dividend_per_unit(85_000, 30_000, 100, 10) == 280
    assert dividend_per_unit(840_000, 820_000, 200, 20, 210) == 210
    assert dividend_per_unit(395_000, Fraction(800), 100, 10, None) == 49_370
    assert approximate_cents(85_000, 15_000, 100, 10) == 560
    assert approximate_cents(85_000, 0, 100, 10) is None
    with pytest.raises(ValueError, match="unbacked"):
        dividend_per_unit(85_000, 0, 100, 10)
    with pytest.raises(TypeError, match="Fraction"):
        breakage(283.3, 10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="step"):
        breakage(283, 0)


def test_approximates_are_refused_for_place_pools() -> None:
    case = parse_case({"pool": "PLACE", "takeout_bp": 0, "bets": []}, result_required=False)
    with pytest.raises(PoolCaseError, match="no exact approximates"):
        will_pays(case)


def test_a_pool_with_no_bets_settles_by_its_unbacked_policy() -> None:
    s = settle(
        parse_case(
            {
                "pool": "WIN",
                "takeout_bp": 1500,
                "unbacked": "CARRY_GROSS",
                "carry_in_cents": 3_000,
                "bets": [],
                "result": [[1]],
            }
        )
    )
    assert (s.outcome, s.carry_out_cents, s.payouts) == (Outcome.CARRIED, 3_000, ())


def test_the_minus_pool_is_rounded_up_and_flooring_a_payout_is_breakage() -> None:
    # 1.50 units on the winner, nothing else: raw 1.00, minimum 1.05 -> owed 157.5.
    # The bet is paid 157 (floored); the operator's top-up 7.5 is rounded up to 8, and
    # the half cent dropped from the payout is breakage: 157 + 1 = 150 + 8.
    s = settled(
        {
            "pool": "WIN",
            "takeout_bp": 0,
            "min_dividend_cents": 105,
            "bets": on_runners({1: 150}),
            "result": [[1]],
        }
    )
    assert (s.dividend(1), s.payout("r1"), s.minus_pool_cents, s.breakage_cents) == (105, 157, 8, 1)
