"""The sequencer judges bets: validation, the close as a fence in the log, idempotency."""

from __future__ import annotations

import pytest
from tests.pools_intake.conftest import RUNNERS
from tests.pools_intake.desk import Desk

from tote.pools.topics import (
    BETS,
    BETS_REJECTED,
    RACE_EVENTS,
)


def _placed(desk: Desk) -> list[tuple[str, str, list[str], int]]:
    return [
        (e["bet_id"], e["idempotency_key"], e["combinations"], e["stake_cents"])
        for e in desk.events(BETS)
    ]


# -- bets ---------------------------------------------------------------------------------------


def test_accepted_bets_carry_canonical_combinations_and_their_log_position(r5: Desk) -> None:
    ids = r5.send(
        r5.bet("q", "R5", "QUINELLA", 300, selection=[7, 3]),
        r5.bet("e", "R5", "EXACTA", 600, box=[7, 1, 3]),
        r5.bet("w", "R5", "WIN", 1000, selection=[4]),
    )
    outcomes = r5.run()
    commands = [r5.command(i) for i in ids]
    bet_ids = [f"R5:{c.partition}:{c.offset}" for c in commands]
    assert _placed(r5) == [
        (bet_ids[0], "q", ["3-7"], 300),
        (bet_ids[1], "e", ["1-3", "1-7", "3-1", "3-7", "7-1", "7-3"], 600),
        (bet_ids[2], "w", ["4"], 1000),
    ]
    first = r5.events(BETS)[0]
    assert (first["race_id"], first["pool"], first["pool_id"], first["placed_at"]) == (
        "R5",
        "QUINELLA",
        "R5/QUINELLA",
        commands[0].timestamp,
    )
    assert outcomes[ids[0]].body == {"status": "ACCEPTED", **first}
    assert [outcomes[i].body["bet_id"] for i in ids] == bet_ids


def test_a_flexi_box_covers_every_arrangement(r5: Desk) -> None:
    outcome = r5.do(r5.bet("t", "R5", "TRIFECTA", 1200, box=[1, 3, 7, 8]))
    combinations = outcome.body["combinations"]
    assert len(combinations) == len(set(combinations)) == 24
    assert combinations[:3] == ["1-3-7", "1-3-8", "1-7-3"]


@pytest.mark.parametrize(
    ("bet", "expected"),
    [
        (
            ("R6", "WIN", 100, {"selection": [1]}),
            ("UNKNOWN_RACE", 42203, "No race 'R6' has been opened."),
        ),
        (
            ("R5", "PICK6", 100, {"selection": [1]}),
            (
                "UNKNOWN_POOL",
                42204,
                "Race R5 has no PICK6 pool (it has WIN, PLACE, SHOW, EXACTA, QUINELLA, TRIFECTA, "
                "FIRST4).",
            ),
        ),
        (
            ("R5", "EXACTA", 100, {"selection": [1]}),
            ("INVALID_SELECTION", 42205, "A EXACTA selection has 2 runners, not 1."),
        ),
        (
            ("R5", "QUINELLA", 100, {"selection": [2, 2]}),
            ("INVALID_SELECTION", 42205, "A selection cannot name a runner twice."),
        ),
        (
            ("R5", "TRIFECTA", 100, {"box": [1, 2]}),
            ("INVALID_SELECTION", 42205, "A TRIFECTA box needs at least 3 runners, not 2."),
        ),
        (
            ("R5", "WIN", 100, {"selection": [9]}),
            ("INVALID_SELECTION", 42205, "Runner 9 is not declared in race R5."),
        ),
        (
            ("R5", "WIN", 100, {"selection": [1], "box": [1, 2]}),
            (
                "INVALID_SELECTION",
                42205,
                "A bet has either a selection or a box, not both or neither.",
            ),
        ),
        (
            ("R5", "WIN", 0, {"selection": [1]}),
            ("BAD_STAKE", 42207, "The stake must be positive, not 0 cents."),
        ),
        (
            ("R5", "WIN", -500, {"selection": [1]}),
            ("BAD_STAKE", 42207, "The stake must be positive, not -500 cents."),
        ),
        (
            ("R5", "WIN", 150, {"selection": [1]}),
            (
                "BAD_STAKE",
                42207,
                "The stake must be a multiple of the pool's unit of 100 cents; 150 is not.",
            ),
        ),
    ],
)
def test_invalid_bets_are_rejected_with_the_contract_reason(
    r5: Desk, bet: tuple[str, str, int, dict[str, list[int]]], expected: tuple[str, int, str]
) -> None:
    race, pool, stake, runners = bet
    reason, code, detail = expected
    outcome = r5.do(r5.bet("key", race, pool, stake, **runners))
    assert outcome.error_code == code
    assert outcome.body == {
        "error_code": code,
        "message": detail,
        "status": "REJECTED",
        "reason": reason,
        "idempotency_key": "key",
        "race_id": race,
        "pool": pool,
    }
    command = r5.last_command()
    assert r5.events(BETS_REJECTED) == [
        {
            "idempotency_key": "key",
            "race_id": race,
            "pool": pool,
            "reason": reason,
            "detail": detail,
            "occurred_at": command.timestamp,
        }
    ]
    assert r5.events(BETS) == []


def test_a_flexi_box_needs_one_percent_of_a_unit_per_combination(desk: Desk) -> None:
    assert desk.open_race("R1", list(range(1, 13)), ["FIRST4"]).ok
    # A box of 12 in FIRST4 is 11,880 combinations: more than a ticket may cover.
    too_big = desk.do(desk.bet("a", "R1", "FIRST4", 100_000, box=list(range(1, 13))))
    assert (too_big.body["reason"], too_big.body["message"]) == (
        "INVALID_SELECTION",
        "A ticket covers at most 10000 combinations; this box covers more.",
    )
    # A box of 8 is 1,680 combinations: $16.80 is 1c each, $16 is not.
    assert desk.do(desk.bet("b", "R1", "FIRST4", 1700, box=list(range(1, 9)))).ok
    thin = desk.do(desk.bet("c", "R1", "FIRST4", 1600, box=list(range(1, 9))))
    assert (thin.body["reason"], thin.body["message"]) == (
        "BAD_STAKE",
        "1600 cents over 1680 combinations is less than 1% of a 100-cent unit per combination.",
    )


# -- the close is a fence in the log ------------------------------------------------------------


def test_a_bet_sequenced_after_the_close_is_late_even_if_sent_before_it(r5: Desk) -> None:
    close_id, bet_id = r5.send(
        r5.close_race("R5", sent_at=2_000),
        r5.bet("raced", "R5", "WIN", 500, selection=[3], sent_at=1_000),
    )
    outcomes = r5.run()
    assert outcomes[close_id].body["status"] == "CLOSED"
    assert (outcomes[bet_id].error_code, outcomes[bet_id].body["reason"]) == (42201, "LATE")
    assert r5.events(BETS) == []
    assert [e["reason"] for e in r5.events(BETS_REJECTED)] == ["LATE"]


def test_a_bet_sequenced_before_the_close_stands_even_if_sent_after_it(r5: Desk) -> None:
    bet_id, close_id = r5.send(
        r5.bet("early", "R5", "WIN", 500, selection=[3], sent_at=3_000),
        r5.close_race("R5", sent_at=2_000),
    )
    outcomes = r5.run()
    assert outcomes[bet_id].body["status"] == "ACCEPTED"
    assert outcomes[close_id].body["status"] == "CLOSED"
    assert [key for _, key, _, _ in _placed(r5)] == ["early"]
    assert r5.events(BETS_REJECTED) == []
    assert [e["kind"] for e in r5.events(RACE_EVENTS)] == ["OPENED", "CLOSED"]


def test_after_a_void_the_pools_are_closed(r5: Desk) -> None:
    assert r5.void("R5").ok
    outcome = r5.do(r5.bet("k", "R5", "WIN", 100, selection=[1]))
    assert (outcome.body["reason"], outcome.body["message"]) == (
        "POOL_CLOSED",
        "Race R5 was voided; its pools are closed.",
    )


# -- idempotency --------------------------------------------------------------------------------


def test_a_retry_returns_the_original_bet_and_writes_nothing_new(r5: Desk) -> None:
    first, same_batch = r5.send(
        r5.bet("k1", "R5", "WIN", 500, selection=[3]), r5.bet("k1", "R5", "WIN", 500, selection=[3])
    )
    outcomes = r5.run()
    later = r5.do(r5.bet("k1", "R5", "WIN", 500, selection=[3]))
    assert outcomes[first].body["status"] == "ACCEPTED"
    assert outcomes[same_batch] == outcomes[first] == later
    assert len(r5.events(BETS)) == 1


def test_a_retried_rejection_stays_rejected_even_once_the_race_opens(desk: Desk) -> None:
    early = desk.do(desk.bet("k1", "R7", "WIN", 500, selection=[3]))
    assert desk.open_race("R7", RUNNERS).ok
    retry = desk.do(desk.bet("k1", "R7", "WIN", 500, selection=[3]))
    assert early.body["reason"] == retry.body["reason"] == "UNKNOWN_RACE"
    assert len(desk.events(BETS_REJECTED)) == 1
    assert desk.events(BETS) == []


def test_a_key_reused_for_another_bet_is_refused_and_writes_nothing(r5: Desk) -> None:
    assert r5.do(r5.bet("k1", "R5", "WIN", 500, selection=[3])).ok
    reused = r5.do(r5.bet("k1", "R5", "WIN", 500, selection=[4]))
    assert reused.body == {
        "error_code": 42208,
        "message": "Idempotency key 'k1' was already "
        "used for another bet on this race; use a new key for a new bet.",
        "idempotency_key": "k1",
        "race_id": "R5",
    }
    assert len(r5.events(BETS)) == 1 and r5.events(BETS_REJECTED) == []


def test_the_dedupe_table_survives_a_restart(r5: Desk) -> None:
    before = r5.do(r5.bet("k1", "R5", "WIN", 500, selection=[3]))
    r5.restart()
    after = r5.do(r5.bet("k1", "R5", "WIN", 500, selection=[3]))
    assert after == before
    assert len(r5.events(BETS)) == 1
