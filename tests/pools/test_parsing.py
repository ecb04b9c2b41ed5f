"""Bad settlement input is refused with a message naming what to fix."""

from __future__ import annotations

from typing import Any

import pytest

from tote.pools import PoolCaseError, PoolType, parse_case


def case(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "pool": "EXACTA",
        "takeout_bp": 2000,
        "bets": [{"id": "b1", "selection": [1, 2], "stake_cents": 500}],
        "result": [[1], [2]],
    }
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


def bets(*tickets: dict[str, Any]) -> list[dict[str, Any]]:
    return list(tickets)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            case(pool="TRIO"),
            "unknown pool 'TRIO' (one of WIN, PLACE, SHOW, EXACTA, QUINELLA, TRIFECTA, FIRST4)",
        ),
        (case(pool=None), "missing field 'pool'"),
        (case(takeout_bp=None), "missing field 'takeout_bp'"),
        (case(takeout_bp=12.5), "takeout_bp must be a whole number, not the number 12.5"),
        (case(takeout_bp=10_001), "takeout_bp must be at most 10000, not 10001"),
        (case(unit_cents=0), "unit_cents must be at least 1, not 0"),
        (case(takeout=1500), "unknown field 'takeout' (known fields: "),
        (case(result=None), "missing field 'result' (only a void pool may omit it)"),
        (case(bets=None), "missing field 'bets'"),
        (
            case(bets=bets({"id": "b1", "selection": [1, 2, 3], "stake_cents": 5})),
            "bet 'b1': a EXACTA selection has 2 runners, not 3",
        ),
        (
            case(bets=bets({"id": "b1", "selection": [4, 4], "stake_cents": 5})),
            "bet 'b1' names a runner twice: [4, 4]",
        ),
        (
            case(bets=bets({"id": "b1", "selection": [1, 2], "stake_cents": 0})),
            "bet 'b1': stake_cents must be at least 1, not 0",
        ),
        (
            case(bets=bets({"id": "b1", "selection": [1, 2], "stake_cents": -300})),
            "bet 'b1': stake_cents must be at least 1, not -300",
        ),
        (
            case(bets=bets({"id": "b1", "selection": [1, 2], "stake_cents": "500"})),
            "bet 'b1': stake_cents must be a whole number, not the string '500'",
        ),
        (
            case(bets=bets({"id": "b1", "selection": [1, 2]})),
            "bet 'b1': missing field 'stake_cents'",
        ),
        (
            case(bets=bets({"id": "b1", "box": [1], "stake_cents": 5})),
            "bet 'b1': a EXACTA box needs at least 2 runners, not 1",
        ),
        (
            case(bets=bets({"id": "b1", "box": [1, 2], "selection": [1, 2], "stake_cents": 5})),
            "bet 'b1' needs exactly one of 'selection' and 'box'",
        ),
        (
            case(bets=bets({"selection": [1, 2], "stake_cents": 5})),
            "bets[0]: id must be a non-empty string, not null",
        ),
        (
            case(
                bets=bets(
                    {"id": "b1", "selection": [1, 2], "stake_cents": 5},
                    {"id": "b1", "selection": [2, 1], "stake_cents": 5},
                )
            ),
            "bet id 'b1' is used twice",
        ),
        (
            case(bets=bets({"id": "b1", "selection": [0, 2], "stake_cents": 5})),
            "bet 'b1': a runner is a positive whole number, not 0",
        ),
        (case(scratched=[2]), "runner 2 is in the result but was scratched"),
        (case(result=[[1], [1]]), "runner 1 appears twice in the result"),
        (case(result=[[1], []]), "result position 2 has no runner"),
        (case(result=[1, 2]), "result position 1 must be a list of runners, not the number 1"),
        (case(unbacked="NEXT_FINISHER"), "unbacked NEXT_FINISHER applies to WIN, PLACE and SHOW"),
        (case(places=2), "places applies to PLACE and SHOW pools only, not EXACTA"),
        (case(split="HALVES"), "unknown split 'HALVES' (one of PROFIT, POOL)"),
        (case(void="yes"), "void must be true or false, not the string 'yes'"),
        (case(pool="PLACE", field_size=4, bets=[]), "no place pool with 4 starters"),
        (case(min_starters=3), "min_starters needs field_size (the runners declared)"),
        (
            case(field_size=6, min_starters=1),
            "min_starters must be from 2 to the 6 runners declared, not 1",
        ),
        (
            case(field_size=6, min_starters=7),
            "min_starters must be from 2 to the 6 runners declared, not 7",
        ),
        (
            case(field_size=6, min_starters="5"),
            "min_starters must be a whole number, not the string '5'",
        ),
        (case(field_size=0), "field_size must be at least 1, not 0"),
        (case(field_size=1), "a EXACTA pool needs a field_size of at least 2, not 1"),
        (
            case(field_size=2, scratched=[3, 4, 5]),
            "scratched lists 3 runners, more than the field_size of 2",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(document: dict[str, Any], message: str) -> None:
    with pytest.raises(PoolCaseError) as raised:
        parse_case(document)
    assert message in raised.value.message


def test_a_pool_case_must_be_an_object() -> None:
    with pytest.raises(PoolCaseError, match="must be a JSON object, not a list"):
        parse_case([1, 2])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("document", "places"),
    [
        ({"pool": "PLACE"}, 3),
        ({"pool": "PLACE", "field_size": 7}, 2),
        ({"pool": "PLACE", "field_size": 8}, 3),
        ({"pool": "PLACE", "places": 2, "field_size": 12}, 2),
        ({"pool": "SHOW"}, 3),
        ({"pool": "WIN"}, 1),
    ],
)
def test_place_counts(document: dict[str, Any], places: int) -> None:
    parsed = parse_case({**document, "takeout_bp": 0, "bets": [], "result": []})
    assert parsed.places == places


def test_defaults_and_canonical_quinella_selections() -> None:
    parsed = parse_case(
        {
            "pool": "quinella",
            "takeout_bp": 1475,
            "result": [[2, 5]],
            "bets": [{"id": "q", "selection": [7, 3], "stake_cents": 100}],
        }
    )
    assert parsed.pool is PoolType.QUINELLA
    assert (parsed.unit_cents, parsed.breakage_step_cents, parsed.min_dividend_cents) == (
        100,
        10,
        None,
    )
    assert parsed.tickets[0].runners == (3, 7)
    assert parsed.result == ((2, 5),)
