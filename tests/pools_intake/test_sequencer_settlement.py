"""At the result the sequencer settles every standing ticket (BetPaid): each ends PAID,
REFUNDED or LOST, and the money adds up with the spec's worked cases (§10)."""

from __future__ import annotations

from tests.pools_intake.desk import Desk

from tote.pools.commands import PoolRules
from tote.pools.topics import BETS_PAID


def _bets(
    desk: Desk, race_id: str, pool: str, tickets: list[tuple[dict[str, list[int]], int]]
) -> list[str]:
    ids = desk.send(
        *(
            desk.bet(f"{race_id}-{pool}-{n}", race_id, pool, cents, **ticket)
            for n, (ticket, cents) in enumerate(tickets)
        )
    )
    outcomes = desk.run()
    assert all(outcomes[i].ok for i in ids), [outcomes[i].body for i in ids]
    return [outcomes[i].body["bet_id"] for i in ids]


def _settled(desk: Desk, race_id: str) -> dict[str, tuple[str, int]]:
    return {
        e["bet_id"]: (e["outcome"], e["amount_cents"])
        for e in desk.events(BETS_PAID)
        if e["race_id"] == race_id
    }


def test_tc1_the_winners_are_paid_the_dividend_and_the_rest_lose(desk: Desk) -> None:
    assert desk.open_race("TC1", [1, 2, 3, 4], [PoolRules("WIN", takeout_bp=1500)]).ok
    r1, r2a, r2b, r3, r4 = _bets(
        desk,
        "TC1",
        "WIN",
        [
            ({"selection": [1]}, 50_000),
            ({"selection": [2]}, 20_000),
            ({"selection": [2]}, 10_000),
            ({"selection": [3]}, 15_000),
            ({"selection": [4]}, 5_000),
        ],
    )
    desk.do(desk.close_race("TC1"))
    assert desk.events(BETS_PAID) == []  # nothing before the result
    assert desk.result("TC1", [[2], [1], [3], [4]]).ok
    # $2.80 per $1 on R2's $300: 560 + 280; 840 + 150 takeout + 10 breakage = 1,000.
    assert _settled(desk, "TC1") == {
        r1: ("LOST", 0),
        r2a: ("PAID", 56_000),
        r2b: ("PAID", 28_000),
        r3: ("LOST", 0),
        r4: ("LOST", 0),
    }


def test_tc9_a_flexi_box_is_paid_its_share_of_the_dividend(desk: Desk) -> None:
    assert desk.open_race("TC9", [1, 2, 3, 7, 9], [PoolRules("TRIFECTA", takeout_bp=2100)]).ok
    box, straight, rest = _bets(
        desk,
        "TC9",
        "TRIFECTA",
        [
            ({"box": [1, 3, 7, 9]}, 1_200),
            ({"selection": [3, 1, 7]}, 750 + 50),
            ({"selection": [1, 2, 3]}, 498_000),
        ],
    )
    desk.do(desk.close_race("TC9"))
    assert desk.result("TC9", [[3], [1], [7], [9]]).ok
    # 8.5 units on 3-1-7 of a $5,000 pool at 21%: 3,950 / 8.5 = 464.70; the box's half
    # unit is paid 232.35, the straight's 8 units 3,717.60.
    assert _settled(desk, "TC9") == {
        box: ("PAID", 23_235),
        straight: ("PAID", 371_760),
        rest: ("LOST", 0),
    }


def test_a_scratched_runner_is_left_out_and_an_unbacked_pool_refunds(desk: Desk) -> None:
    assert desk.open_race(
        "TC7",
        [1, 2, 3, 4],
        [
            PoolRules("WIN", takeout_bp=1500, unbacked="REFUND"),
            PoolRules("EXACTA", takeout_bp=2000),
        ],
    ).ok
    win1, win2 = _bets(
        desk, "TC7", "WIN", [({"selection": [1]}, 60_000), ({"selection": [2]}, 40_000)]
    )
    box, other = _bets(
        desk, "TC7", "EXACTA", [({"box": [1, 2, 4]}, 600), ({"selection": [2, 1]}, 1_000)]
    )
    desk.do(desk.close_race("TC7"))
    assert desk.scratch("TC7", 4).ok  # the box keeps 1-2 and 2-1 (200 of its 600 cents)
    assert desk.result("TC7", [[3], [2], [1]]).ok
    settled = _settled(desk, "TC7")
    # Nobody backed the winner R3: the WIN pool refunds every stake (policy REFUND).
    assert (settled[win1], settled[win2]) == (("REFUNDED", 60_000), ("REFUNDED", 40_000))
    # EXACTA 3-2 is unbacked too: CARRY_NET (the default) carries the pool, pays nobody.
    assert (settled[box], settled[other]) == (("LOST", 0), ("LOST", 0))
    assert set(settled) == {win1, win2, box, other}
