"""The sequencer opens, closes, results and voids races; what it refuses, and why."""

from __future__ import annotations

import pytest
from tests.pools_intake.desk import Desk

from tote.core.records import Record
from tote.log.partitioner import partition_for_key
from tote.pools.commands import PoolRules
from tote.pools.topics import (
    BETS,
    BETS_REJECTED,
    COMMANDS,
    POOLS_DEFINED,
    RACE_EVENTS,
)

# -- opening a race -----------------------------------------------------------------------------


def test_opening_a_race_writes_opened_and_one_pool_definition_per_pool(desk: Desk) -> None:
    outcome = desk.open_race(
        "R5",
        [3, 1, 2, 4, 5, 6, 7],
        [
            "WIN",
            "PLACE",
            PoolRules(
                "EXACTA",
                takeout_bp=1600,
                min_dividend_cents=104,
                split="POOL",
                unbacked="REFUND",
                part_backed="CARRY_UNWON",
            ),
        ],
    )
    assert outcome.ok
    assert outcome.body["status"] == "OPEN"
    [opened] = desk.events(RACE_EVENTS)
    command = desk.last_command()
    assert opened == {
        "race_id": "R5",
        "event_id": f"R5:{command.partition}:0",
        "kind": "OPENED",
        "runners": [1, 2, 3, 4, 5, 6, 7],
        "runner": None,
        "result": None,
        "occurred_at": command.timestamp,
        "meeting_id": None,
        "pool": None,
        "pool_id": None,
        "reason": None,
        "detail": None,
    }
    defaults = {
        "race_id": "R5",
        "unit_cents": 100,
        "breakage_step_cents": 10,
        "min_dividend_cents": None,
        "split": "PROFIT",
        "part_backed": "PAY_NET",
    }
    assert desk.events(POOLS_DEFINED) == [
        {
            **defaults,
            "pool_id": "R5/WIN",
            "pool": "WIN",
            "takeout_bp": 1450,
            "places": 1,
            "unbacked": "NEXT_FINISHER",
            "min_starters": 1,
        },
        # Seven runners: two places (AU rule), fixed when the pool opens; it stands while
        # more runners start than it pays places.
        {
            **defaults,
            "pool_id": "R5/PLACE",
            "pool": "PLACE",
            "takeout_bp": 1425,
            "places": 2,
            "unbacked": "NEXT_FINISHER",
            "min_starters": 3,
        },
        {
            **defaults,
            "pool_id": "R5/EXACTA",
            "pool": "EXACTA",
            "takeout_bp": 1600,
            "min_dividend_cents": 104,
            "split": "POOL",
            "places": 2,
            "unbacked": "REFUND",
            "part_backed": "CARRY_UNWON",
            "min_starters": 2,
        },
    ]


def test_every_record_of_a_race_lands_in_its_partition(r5: Desk) -> None:
    r5.send(
        r5.bet("k1", "R5", "WIN", 200, selection=[2]), r5.bet("k2", "R5", "WIN", 0, selection=[2])
    )
    r5.run()
    partition = partition_for_key(b"R5", 4)
    for topic in (COMMANDS, RACE_EVENTS, POOLS_DEFINED, BETS, BETS_REJECTED):
        records = r5.records(topic)
        assert records, topic
        assert {(r.partition, r.key) for r in records} == {(partition, b"R5")}, topic


@pytest.mark.parametrize(
    ("runners", "pools"),
    [
        (2, ["WIN", "EXACTA", "QUINELLA"]),
        (3, ["WIN", "PLACE", "EXACTA", "QUINELLA", "TRIFECTA"]),
        (4, ["WIN", "PLACE", "SHOW", "EXACTA", "QUINELLA", "TRIFECTA", "FIRST4"]),
    ],
)
def test_a_race_without_pools_gets_every_pool_type_its_field_suits(
    desk: Desk, runners: int, pools: list[str]
) -> None:
    assert desk.open_race("R1", list(range(1, runners + 1))).ok
    assert [p["pool"] for p in desk.events(POOLS_DEFINED)] == pools


@pytest.mark.parametrize(
    ("runners", "pools", "message"),
    [
        ([], None, "A race needs at least one runner."),
        ([1, 1, 2], None, "Runner numbers must be distinct."),
        ([0, 1], None, "Runner numbers go from 1 to 999; got 0."),
        ([1, 2, 3], ["FIRST4"], "A FIRST4 pool needs at least 4 runners; the race declares 3."),
        (
            [1, 2, 3],
            ["DAILY_DOUBLE"],
            "Unknown pool type 'DAILY_DOUBLE'; expected one of WIN, "
            "PLACE, SHOW, EXACTA, QUINELLA, TRIFECTA, FIRST4.",
        ),
        ([1, 2, 3], ["WIN", "WIN"], "Pool WIN is listed twice."),
        ([1, 2, 3], [], "A race needs at least one pool."),
        (
            [1, 2, 3],
            [PoolRules("WIN", takeout_bp=10_000)],
            "WIN: takeout_bp must be from 0 to 9999, not 10000.",
        ),
        ([1, 2, 3], [PoolRules("WIN", unit_cents=0)], "WIN: unit_cents must be positive, not 0."),
        (
            [1, 2, 3],
            [PoolRules("PLACE", places=4)],
            "PLACE: places must be from 1 to the 3 runners declared, not 4.",
        ),
        (
            [1, 2, 3],
            [PoolRules("WIN", split="HALF")],
            "WIN: split must be PROFIT or POOL, not 'HALF'.",
        ),
        (
            [1, 2, 3],
            [PoolRules("WIN", part_backed="CARRY")],
            "WIN: part_backed must be PAY_NET or CARRY_UNWON, not 'CARRY'.",
        ),
        (
            [1, 2, 3, 4, 5],
            [PoolRules("TRIFECTA", min_starters=2)],
            "TRIFECTA: min_starters must be from 3 to the 5 runners declared, not 2.",
        ),
        (
            [1, 2, 3, 4, 5],
            [PoolRules("TRIFECTA", min_starters=6)],
            "TRIFECTA: min_starters must be from 3 to the 5 runners declared, not 6.",
        ),
    ],
)
def test_a_race_that_cannot_open_is_refused_and_writes_nothing(
    desk: Desk, runners: list[int], pools: list[PoolRules | str] | None, message: str
) -> None:
    outcome = desk.open_race("R9", runners, pools)
    assert (outcome.error_code, outcome.body["message"]) == (42210, message)
    assert desk.events(RACE_EVENTS) == [] and desk.events(POOLS_DEFINED) == []


def test_a_race_opens_once(r5: Desk) -> None:
    outcome = r5.open_race("R5", [1, 2])
    assert (outcome.error_code, outcome.body["message"]) == (
        40901,
        "Race R5 already exists (OPEN).",
    )
    assert len(r5.events(RACE_EVENTS)) == 1


# -- the rest of the lifecycle ------------------------------------------------------------------


def test_the_result_keeps_its_dead_heats(r5: Desk) -> None:
    r5.send(r5.close_race("R5"))
    r5.run()
    outcome = r5.result("R5", [[3], [1, 6], [2]])
    assert (outcome.body["status"], outcome.body["result"]) == ("RESULTED", [[3], [1, 6], [2]])
    assert r5.events(RACE_EVENTS)[-1]["result"] == [[3], [1, 6], [2]]
    assert r5.events(RACE_EVENTS)[-1]["kind"] == "RESULT"


@pytest.mark.parametrize(
    ("steps", "code", "message"),
    [
        (
            [("result", [[1]])],
            40902,
            "Race R5 is still OPEN; close betting before declaring its result.",
        ),
        ([("close", None), ("close", None)], 40902, "Race R5 is CLOSED; it cannot be closed."),
        ([("close", None), ("result", [[1], [1]])], 42210, "A runner appears twice in the result."),
        (
            [("close", None), ("result", [[1], []])],
            42210,
            "A result lists at least one finishing position, each with at least one runner.",
        ),
        (
            [("close", None), ("result", [[12]])],
            42210,
            "Runner 12 in the result is not declared in race R5.",
        ),
        (
            [("scratch", 4), ("close", None), ("result", [[4]])],
            42210,
            "Runner 4 in the result was scratched.",
        ),
        ([("scratch", 9)], 42210, "Runner 9 is not declared in race R5."),
        ([("scratch", 4), ("scratch", 4)], 40902, "Runner 4 of race R5 is already scratched."),
        (
            [("close", None), ("result", [[1]]), ("void", None)],
            40902,
            "Race R5 is RESULTED; it cannot be voided.",
        ),
        (
            [("void", None), ("scratch", 1)],
            40902,
            "Race R5 is VOIDED; it cannot be changed by a scratching.",
        ),
    ],
)
def test_lifecycle_commands_the_race_state_refuses(
    r5: Desk, steps: list[tuple[str, object]], code: int, message: str
) -> None:
    outcome = None
    for verb, arg in steps:
        if verb == "close":
            [cid] = r5.send(r5.close_race("R5"))
            outcome = r5.run()[cid]
        elif verb == "scratch":
            assert isinstance(arg, int)
            outcome = r5.scratch("R5", arg)
        elif verb == "result":
            assert isinstance(arg, list)
            outcome = r5.result("R5", arg)
        else:
            outcome = r5.void("R5")
    assert outcome is not None
    assert (outcome.error_code, outcome.body) == (code, {"error_code": code, "message": message})


def test_commands_for_an_unknown_race_are_not_found(desk: Desk) -> None:
    outcome = desk.void("R404")
    assert outcome.body == {"error_code": 40401, "message": "Race R404 not found."}
    assert desk.events(RACE_EVENTS) == []


def test_garbage_on_the_command_topic_is_skipped(r5: Desk) -> None:
    r5.log.append(COMMANDS, [Record(b"not json", b"R5"), Record(b'{"op": "bet"}', b"R5")])
    placed = r5.do(r5.bet("k", "R5", "WIN", 100, selection=[1]))
    assert placed.body["status"] == "ACCEPTED"
