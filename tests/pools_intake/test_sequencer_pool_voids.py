"""A scratching that leaves a pool fewer starters than its `min_starters` voids that pool
alone (spec §4.2): its tickets are refunded, it pays nothing at the result, it takes no
more bets, and the calculator settles the same pool the same way."""

from __future__ import annotations

from typing import Any

from tests.pools_intake.desk import Desk

from tote.pools import Outcome, parse_case, settle
from tote.pools.commands import PoolRules
from tote.pools.topics import BETS_PAID, BETS_REFUNDED, RACE_EVENTS

# Queensland's Triple Trio needs five runners a race: a TRIFECTA with that rule.
POOLS = ["WIN", "PLACE", "EXACTA", PoolRules("TRIFECTA", min_starters=5)]
TRIFECTA_BETS: list[tuple[str, dict[str, list[int]], int]] = [
    ("tri-box", {"box": [1, 2, 3]}, 600),
    ("tri-456", {"selection": [4, 5, 6]}, 200),
]
OTHER_BETS: list[tuple[str, str, dict[str, list[int]], int]] = [
    ("win", "WIN", {"selection": [1]}, 500),
    ("place", "PLACE", {"selection": [2]}, 400),
    ("exacta", "EXACTA", {"selection": [1, 2]}, 300),
]


def _open_with_bets(desk: Desk, race_id: str) -> dict[str, str]:
    """Race with runners 1-6 and POOLS, every bet above placed: bet ids by key."""
    assert desk.open_race(race_id, [1, 2, 3, 4, 5, 6], POOLS).ok
    bets = [(k, "TRIFECTA", t, c) for k, t, c in TRIFECTA_BETS] + OTHER_BETS
    ids = {}
    for key, pool, ticket, cents in bets:
        outcome = desk.do(desk.bet(key, race_id, pool, cents, **ticket))
        assert outcome.ok, outcome.body
        ids[key] = outcome.body["bet_id"]
    return ids


def _refunds(desk: Desk) -> list[tuple[str, str, int, str]]:
    return [
        (e["bet_id"], e["pool"], e["stake_cents"], e["reason"]) for e in desk.events(BETS_REFUNDED)
    ]


def test_a_late_scratching_voids_the_pool_it_leaves_short_and_only_that_pool(desk: Desk) -> None:
    ids = _open_with_bets(desk, "QT")
    desk.do(desk.close_race("QT"))
    # Six starters, then five: the TRIFECTA is exactly at its minimum and stands.
    at_minimum = desk.scratch("QT", 6)
    assert at_minimum.ok and at_minimum.body["voided_pools"] == []
    assert _refunds(desk) == [(ids["tri-456"], "TRIFECTA", 200, "SCRATCHED")]
    # Four starters (after the close): the TRIFECTA is void, the other pools stand.
    short = desk.scratch("QT", 5)
    assert short.ok
    assert short.body["voided_pools"] == ["TRIFECTA"]
    assert short.body["refunds"] == {"bets": 1, "stake_cents": 600}
    assert {p["pool"]: (p["voided"], p["stake_cents"]) for p in short.body["pools"]} == {
        "WIN": (False, 500),
        "PLACE": (False, 400),
        "EXACTA": (False, 300),
        "TRIFECTA": (True, 0),
    }
    assert _refunds(desk)[1:] == [(ids["tri-box"], "TRIFECTA", 600, "POOL_VOIDED")]
    scratched, voided = desk.events(RACE_EVENTS)[-2:]
    assert scratched["kind"] == "SCRATCHED"
    assert {k: v for k, v in voided.items() if k not in ("occurred_at", "meeting_id")} == {
        "race_id": "QT",
        "event_id": f"{scratched['event_id']}/TRIFECTA",
        "kind": "POOL_VOIDED",
        "runners": [1, 2, 3, 4],
        "runner": 5,
        "result": None,
        "pool": "TRIFECTA",
        "pool_id": "QT/TRIFECTA",
        "reason": "FIELD_BELOW_MINIMUM",
        "detail": "4 starters left; the TRIFECTA pool needs at least 5.",
    }
    # A later scratching voids nothing twice (PLACE: 2 places, stands with 3 starters).
    assert desk.scratch("QT", 4).body["voided_pools"] == []
    assert [e["kind"] for e in desk.events(RACE_EVENTS)].count("POOL_VOIDED") == 1

    assert desk.result("QT", [[1], [2], [3]]).ok
    paid = {e["bet_id"]: (e["pool"], e["outcome"]) for e in desk.events(BETS_PAID)}
    assert paid == {
        ids["win"]: ("WIN", "PAID"),
        ids["place"]: ("PLACE", "PAID"),
        ids["exacta"]: ("EXACTA", "PAID"),
    }

    # The calculator, given the same pool with its field and scratchings, voids it too and
    # refunds each ticket what the sequencer refunded it in all.
    case: dict[str, Any] = {
        "pool": "TRIFECTA",
        "takeout_bp": 2100,
        "unbacked": "CARRY_NET",
        "field_size": 6,
        "min_starters": 5,
        "scratched": [6, 5, 4],
        "bets": [{"id": ids[k], **t, "stake_cents": c} for k, t, c in TRIFECTA_BETS],
        "result": [[1], [2], [3]],
    }
    settlement = settle(parse_case(case))
    assert settlement.outcome is Outcome.VOID and settlement.dividends == ()
    refunded: dict[str, int] = {}
    for bet_id, pool, cents, _ in _refunds(desk):
        if pool == "TRIFECTA":
            refunded[bet_id] = refunded.get(bet_id, 0) + cents
    assert {r.id: r.cents for r in settlement.refunds} == refunded
    # ...and with only 6 scratched (five starters, its minimum) it stands and pays.
    case["scratched"] = [6]
    assert settle(parse_case(case)).outcome is Outcome.PAID


def test_bets_on_a_voided_pool_are_refused_while_the_others_take_bets(desk: Desk) -> None:
    # Four runners: PLACE pays two places and needs three starters by default.
    assert desk.open_race("PV", [1, 2, 3, 4], ["WIN", "PLACE"]).ok
    placed = desk.do(desk.bet("p1", "PV", "PLACE", 400, selection=[1]))
    assert desk.scratch("PV", 4).body["voided_pools"] == []  # 3 starters: at the minimum
    voided = desk.scratch("PV", 3)
    assert voided.body["voided_pools"] == ["PLACE"]
    assert _refunds(desk) == [(placed.body["bet_id"], "PLACE", 400, "POOL_VOIDED")]
    desk.restart()  # the void is in the sequencer's committed state, not in memory
    refused = desk.do(desk.bet("p2", "PV", "PLACE", 400, selection=[1]))
    assert (refused.error_code, refused.body) == (
        42202,
        {
            "error_code": 42202,
            "message": "The PLACE pool of race PV was voided: 2 starters left; "
            "the PLACE pool needs at least 3.",
            "status": "REJECTED",
            "reason": "POOL_CLOSED",
            "idempotency_key": "p2",
            "race_id": "PV",
            "pool": "PLACE",
        },
    )
    assert desk.do(desk.bet("w1", "PV", "WIN", 400, selection=[1])).ok
    # Voiding the race afterwards refunds the WIN bet; the PLACE ticket is not refunded twice.
    desk.void("PV")
    assert [(pool, cents, reason) for _, pool, cents, reason in _refunds(desk)] == [
        ("PLACE", 400, "POOL_VOIDED"),
        ("WIN", 400, "VOIDED"),
    ]
