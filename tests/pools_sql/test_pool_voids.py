"""A pool voided for too few starters (POOL_VOIDED, spec §4.2) through the shipped SQL: its
refunds empty its gross, it declares no dividend at the result, and the race's other pools
are settled as the calculator settles them."""

from __future__ import annotations

from tests.pools_sql.pipeline import PoolsPipeline, RaceWriter

from tote.pools import parse_case, settle

WIN_STAKES = {1: 50_000, 2: 30_000, 3: 15_000, 4: 5_000}


def _race(pipe: PoolsPipeline, race_id: str) -> RaceWriter:
    """Six runners, a WIN pool and a TRIFECTA (a box of 1-2-3 and a straight 4-5-6); betting
    closes, then 6 and 5 are scratched late."""
    race = pipe.race(race_id, [1, 2, 3, 4, 5, 6])
    race.pool("WIN", takeout_bp=1500)
    race.pool("TRIFECTA", takeout_bp=2000, unbacked="CARRY_NET")
    for runner, cents in WIN_STAKES.items():
        race.bet("WIN", [str(runner)], cents)
    race.bet("TRIFECTA", ["1-2-3", "1-3-2", "2-1-3", "2-3-1", "3-1-2", "3-2-1"], 600)
    race.bet("TRIFECTA", ["4-5-6"], 200)
    race.close()
    assert race.scratch(6) == 200
    assert race.scratch(5) == 0
    return race


def test_a_voided_pool_declares_nothing_and_the_race_s_other_pools_stand(
    pipe: PoolsPipeline,
) -> None:
    voided = _race(pipe, "PV")
    # The sequencer's rule says TRIFECTA needs 5 starters here: 4 are left.
    assert voided.void_pool("TRIFECTA", 5, [1, 2, 3, 4]) == 600
    voided.result([[1], [2], [3], [4]])
    standing = _race(pipe, "PS")  # the same race with the TRIFECTA standing
    standing.result([[1], [2], [3], [4]])
    pipe.run()

    win = settle(
        parse_case(
            {
                "pool": "WIN",
                "takeout_bp": 1500,
                "unbacked": "NEXT_FINISHER",
                "bets": [
                    {"id": str(r), "selection": [r], "stake_cents": c}
                    for r, c in WIN_STAKES.items()
                ],
                "result": [[1], [2], [3], [4]],
            }
        )
    )
    rows = pipe.dividends("PV")
    assert [(r["POOL_ID"], r["COMBINATION"], r["PER_UNIT_CENTS"], r["OUTCOME"]) for r in rows] == [
        ("PV/WIN", "1", win.dividend(1), "PAID")
    ]
    # Without the void the same TRIFECTA pays on 1-2-3: the void is what silenced it.
    assert {(r["POOL_ID"], r["COMBINATION"], r["OUTCOME"]) for r in pipe.dividends("PS")} == {
        ("PS/WIN", "1", "PAID"),
        ("PS/TRIFECTA", "1-2-3", "PAID"),
    }
    status = pipe.latest("TOTE_RACE_STATUS", "RACE_ID")["PV"]
    assert (status["STATUS"], status["RESULTS"], status["VOIDS"]) == ("RESULT", 1, 0)
    gross = pipe.latest("TOTE_POOL_GROSS", "POOL_ID")
    assert (gross["PV/TRIFECTA"]["GROSS_CENTS"], gross["PV/TRIFECTA"]["TICKETS"]) == (0, 2)
    assert gross["PV/WIN"]["GROSS_CENTS"] == sum(WIN_STAKES.values())
    assert pipe.latest("TOTE_VOIDED_POOLS", "POOL_ID") == {
        "PV/TRIFECTA": {
            "POOL_ID": "PV/TRIFECTA",
            "RACE_ID": "PV",
            "POOL": "TRIFECTA",
            "REASON": "FIELD_BELOW_MINIMUM",
            "DETAIL": "4 starters left",
            "VOIDS": 1,
        }
    }
