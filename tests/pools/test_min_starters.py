"""A pool that scratchings leave with fewer starters than its `min_starters` is void (spec
§4.2): every stake refunded, no dividend, nothing kept. Exactly at the minimum it stands."""

from __future__ import annotations

from typing import Any

import pytest
from tests.pools.poolkit import bet, box, settled

from tote.pools import Outcome, PoolType, parse_case, void_reason, will_pays
from tote.pools.starters import default_min_starters


def triple_trio(scratched: list[int], **changes: Any) -> dict[str, Any]:
    """A TRIFECTA in a field of 6 that needs 5 starters (Queensland's Triple Trio rule)."""
    document: dict[str, Any] = {
        "pool": "TRIFECTA",
        "takeout_bp": 2500,
        "field_size": 6,
        "min_starters": 5,
        "unbacked": "CARRY_NET",
        "bets": [
            bet("s123", 1, 2, 3, cents=1_000),
            bet("s456", 4, 5, 6, cents=500),
            box("b1245", [1, 2, 4, 5], 2_400),
        ],
        "scratched": scratched,
        "result": [[1], [2], [3], [4]],
    }
    document.update(changes)
    return document


def test_a_late_scratching_below_the_minimum_voids_the_pool_and_refunds_every_stake() -> None:
    settlement = settled(triple_trio([6, 5]))
    assert settlement.outcome is Outcome.VOID
    assert settlement.dividends == () and settlement.payouts == ()
    assert {r.id: r.cents for r in settlement.refunds} == {
        "s123": 1_000,
        "s456": 500,
        "b1245": 2_400,
    }
    assert (settlement.takeout_cents, settlement.breakage_cents, settlement.carry_out_cents) == (
        0,
        0,
        0,
    )


def test_exactly_at_the_minimum_the_pool_stands_and_pays() -> None:
    settlement = settled(triple_trio([6]))
    assert settlement.outcome is Outcome.PAID
    assert settlement.dividend(1, 2, 3) > 0
    # Only the scratching's own refund: the straight on 6, nothing of the box.
    assert {r.id: r.cents for r in settlement.refunds} == {"s456": 500}
    # The same pool without its field declared has no minimum to fall below.
    no_field = triple_trio([6, 5])
    del no_field["field_size"], no_field["min_starters"]
    assert settled(no_field).outcome is Outcome.PAID


def test_a_void_pool_needs_no_result_and_carries_its_carry_in_on() -> None:
    document = triple_trio([6, 5, 4], carry_in_net_cents=5_000)
    del document["result"]
    settlement = settled(document)
    assert (settlement.outcome, settlement.carry_out_cents) == (Outcome.VOID, 5_000)


def test_a_pool_short_of_starters_prices_nothing_and_one_at_the_minimum_is_priced() -> None:
    short = parse_case(triple_trio([6, 5]), result_required=False)
    assert void_reason(short) == "4 starters left; the TRIFECTA pool needs at least 5."
    assert will_pays(short) == (0, ())
    standing = parse_case(triple_trio([6]), result_required=False)
    assert void_reason(standing) is None
    net, prices = will_pays(standing)
    assert net == 2_550  # 3,400 standing (the straight on 4-5-6 refunded) less 25%
    assert prices and all(price.per_unit_cents > 0 for price in prices)


def test_a_void_race_prices_no_pool_not_even_place() -> None:
    for pool in ("WIN", "PLACE"):
        case = parse_case(
            {"pool": pool, "takeout_bp": 1500, "bets": [bet("w1", 1, cents=100)], "void": True}
        )
        assert void_reason(case) == "The race is void."
        assert will_pays(case) == (0, ())


@pytest.mark.parametrize(
    ("document", "min_starters"),
    [
        ({"pool": "WIN", "field_size": 8}, 1),
        ({"pool": "EXACTA", "field_size": 8}, 2),
        ({"pool": "QUINELLA", "field_size": 8}, 2),
        ({"pool": "TRIFECTA", "field_size": 8}, 3),
        ({"pool": "FIRST4", "field_size": 8}, 4),
        # PLACE follows its places (AU rule from the field): more starters than places.
        ({"pool": "PLACE", "field_size": 8}, 4),
        ({"pool": "PLACE", "field_size": 7}, 3),
        ({"pool": "SHOW", "field_size": 8}, 4),
        ({"pool": "PLACE", "places": 4, "field_size": 4}, 4),  # never above the field
        ({"pool": "PLACE", "places": 2, "field_size": 7, "min_starters": 4}, 4),  # HKJC-like
        ({"pool": "WIN"}, 1),  # no field: no minimum applies
    ],
)
def test_minimum_starters_by_pool(document: dict[str, Any], min_starters: int) -> None:
    parsed = parse_case({**document, "takeout_bp": 0, "bets": [], "result": []})
    assert parsed.min_starters == min_starters


def test_place_is_void_once_no_more_starters_than_places_are_left() -> None:
    document: dict[str, Any] = {
        "pool": "PLACE",
        "takeout_bp": 1425,
        "field_size": 8,  # 3 places, so at least 4 starters
        "bets": [bet("p1", 1, cents=1_000), bet("p2", 2, cents=3_000)],
        "result": [[1], [2], [3]],
    }
    assert settled({**document, "scratched": [5, 6, 7, 8]}).outcome is Outcome.PAID
    void = settled({**document, "scratched": [4, 5, 6, 7, 8]})
    assert (void.outcome, void.refunds_cents) == (Outcome.VOID, 4_000)


def test_the_default_is_the_smallest_field_a_race_offers_the_pool_in() -> None:
    assert [default_min_starters(p, p.selection_size, 12) for p in PoolType] == [
        1,  # WIN
        2,  # PLACE with 1 place
        2,  # SHOW with 1 place
        2,  # EXACTA
        2,  # QUINELLA
        3,  # TRIFECTA
        4,  # FIRST4
    ]
