"""Scratchings, cancellations and voids: what each ticket gets back, and when."""

from __future__ import annotations

from tests.pools_intake.desk import Desk

from tote.pools.sequencer_state import read_race
from tote.pools.topics import (
    BETS_CANCELLED,
    BETS_REFUNDED,
    RACE_EVENTS,
)

# -- scratchings, cancellations and voids -------------------------------------------------------


def test_a_scratching_refunds_only_the_combinations_with_the_runner(r5: Desk) -> None:
    outcomes = [
        r5.do(r5.bet(k, "R5", pool, stake, **sel))
        for k, pool, stake, sel in [
            ("win5", "WIN", 500, {"selection": [5]}),
            ("box", "EXACTA", 100, {"box": [1, 5, 7]}),
            ("tri", "TRIFECTA", 300, {"selection": [1, 2, 3]}),
        ]
    ]
    win5, box, tri = (o.body["bet_id"] for o in outcomes)
    scratched = r5.scratch("R5", 5)
    assert scratched.body["scratched"] == [5]
    assert scratched.body["refunds"] == {"bets": 2, "stake_cents": 567}
    # 4 of the box's 6 combinations hold runner 5: ceil(100 x 4 / 6) = 67 cents back.
    refunds = [
        (e["bet_id"], e["pool"], e["combinations"], e["stake_cents"], e["reason"])
        for e in r5.events(BETS_REFUNDED)
    ]
    assert sorted(refunds) == sorted(
        [
            (win5, "WIN", ["5"], 500, "SCRATCHED"),
            (box, "EXACTA", ["1-5", "5-1", "5-7", "7-5"], 67, "SCRATCHED"),
        ]
    )
    # Scratching 7 as well takes the box's last two combinations: the 33 cents left.
    r5.scratch("R5", 7)
    assert [(e["bet_id"], e["combinations"], e["stake_cents"]) for e in r5.events(BETS_REFUNDED)][
        2:
    ] == [(box, ["1-7", "7-1"], 33)]
    assert tri not in {e["bet_id"] for e in r5.events(BETS_REFUNDED)}
    # The race's standing totals, as GET /v1/races shows them.
    state = read_race(r5.log, "R5")
    assert state is not None
    totals = {name: (t.bets, t.stake_cents) for name, t in state.totals.items()}
    assert totals == {"WIN": (1, 0), "EXACTA": (1, 0), "TRIFECTA": (1, 300)}


def test_bets_on_a_scratched_runner_are_rejected(r5: Desk) -> None:
    r5.scratch("R5", 5)
    outcome = r5.do(r5.bet("k", "R5", "EXACTA", 1200, box=[1, 5, 7]))
    assert (outcome.body["reason"], outcome.body["message"]) == (
        "SCRATCHED",
        "Runner 5 of race R5 is scratched.",
    )


def test_a_late_scratching_after_the_close_still_refunds(r5: Desk) -> None:
    placed = r5.do(r5.bet("k", "R5", "WIN", 800, selection=[2]))
    r5.send(r5.close_race("R5"))
    r5.run()
    assert r5.scratch("R5", 2).body["refunds"] == {"bets": 1, "stake_cents": 800}
    [refund] = r5.events(BETS_REFUNDED)
    assert (refund["bet_id"], refund["stake_cents"]) == (placed.body["bet_id"], 800)


def test_void_refunds_what_every_ticket_has_left(r5: Desk) -> None:
    stakes = {
        "w": ("WIN", 700, {"selection": [1]}),
        "e": ("EXACTA", 1200, {"box": [1, 2, 3]}),
        "f": ("FIRST4", 2400, {"box": [1, 2, 3, 4, 5]}),
    }
    for key, (pool, stake, sel) in stakes.items():
        assert r5.do(r5.bet(key, "R5", pool, stake, **sel)).ok
    r5.scratch("R5", 3)
    voided = r5.void("R5")
    assert voided.body["status"] == "VOIDED"
    refunds = r5.events(BETS_REFUNDED)
    # Spec §9.3 (8): a void pool refunds its whole gross; here every accepted cent is back.
    assert sum(e["stake_cents"] for e in refunds) == 700 + 1200 + 2400
    assert [e["reason"] for e in refunds][-3:] == ["VOIDED"] * 3
    assert voided.body["refunds"]["bets"] == 3
    assert [e["kind"] for e in r5.events(RACE_EVENTS)] == ["OPENED", "SCRATCHED", "VOIDED"]


def test_a_cancellation_while_open_returns_the_stake_once(r5: Desk) -> None:
    bet_id = r5.do(r5.bet("k", "R5", "QUINELLA", 400, selection=[1, 2])).body["bet_id"]
    cancelled = r5.cancel("R5", bet_id)
    assert cancelled.body["status"] == "CANCELLED"
    assert r5.cancel("R5", bet_id) == cancelled
    [event] = r5.events(BETS_CANCELLED)
    assert {
        k: event[k] for k in ("bet_id", "pool_id", "combinations", "stake_cents", "reason")
    } == {
        "bet_id": bet_id,
        "pool_id": "R5/QUINELLA",
        "combinations": ["1-2"],
        "stake_cents": 400,
        "reason": "CANCELLED",
    }
    # A cancelled bet is not refunded again by a void.
    r5.void("R5")
    assert r5.events(BETS_REFUNDED) == []


def test_cancellations_are_refused_after_the_close_or_for_unknown_bets(r5: Desk) -> None:
    bet_id = r5.do(r5.bet("k", "R5", "WIN", 400, selection=[1])).body["bet_id"]
    unknown = r5.cancel("R5", "R5:0:999")
    assert (unknown.error_code, unknown.body["message"]) == (
        40402,
        "Bet R5:0:999 is not a standing bet of race R5.",
    )
    r5.send(r5.close_race("R5"))
    r5.run()
    late = r5.cancel("R5", bet_id)
    assert (late.error_code, late.body["message"]) == (
        40902,
        "Race R5 is CLOSED; bets can only be cancelled while betting is open.",
    )
    assert r5.events(BETS_CANCELLED) == []
