"""A pool voided for too few starters (POOL_VOIDED, spec §4.2) through the shipped SQL: its
refunds empty its gross, it declares no dividend at the result, and the race's other pools
are settled as the calculator settles them."""

from __future__ import annotations

from typing import Any

from tests.pools_sql.pipeline import PoolsPipeline, RaceWriter

from tote.pools import parse_case, settle, will_pays

WIN_STAKES = {1: 50_000, 2: 30_000, 3: 15_000, 4: 5_000}
BOX_123 = ["1-2-3", "1-3-2", "2-1-3", "2-3-1", "3-1-2", "3-2-1"]


def _race(pipe: PoolsPipeline, race_id: str) -> RaceWriter:
    """Six runners, a WIN pool and a TRIFECTA (a box of 1-2-3 and a straight 4-5-6); betting
    closes, then 6 and 5 are scratched late."""
    race = pipe.race(race_id, [1, 2, 3, 4, 5, 6])
    race.pool("WIN", takeout_bp=1500)
    race.pool("TRIFECTA", takeout_bp=2000, unbacked="CARRY_NET")
    for runner, cents in WIN_STAKES.items():
        race.bet("WIN", [str(runner)], cents)
    race.bet("TRIFECTA", BOX_123, 600)
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


def _board(pipe: PoolsPipeline, pool_id: str) -> dict[str, tuple[int | None, str | None, bool]]:
    return {
        c: (r["APPROXIMATE_CENTS"], r["ODDS"], r["VOIDED"])
        for c, r in pipe.approximates(pool_id).items()
    }


def _histories(pipe: PoolsPipeline) -> dict[str, list[dict[str, Any]]]:
    """Every approximates row so far, per combination, oldest first."""
    out: dict[str, list[dict[str, Any]]] = {}
    for row in pipe.rows("TOTE_APPROXIMATES"):
        out.setdefault(row["COMBINATION_ID"], []).append(row)
    return out


def _written_since(pipe: PoolsPipeline, before: dict[str, list[dict[str, Any]]]) -> list[Any]:
    return [
        row for key, rows in _histories(pipe).items() for row in rows[len(before.get(key, [])) :]
    ]


def test_a_void_pool_s_approximates_say_voided_and_carry_no_price(pipe: PoolsPipeline) -> None:
    """From its POOL_VOIDED on, every approximates row of the pool says VOIDED and has no
    price, as `will_pays` prices nothing; the race's WIN pool keeps its will-pays."""
    race = _race(pipe, "AV")
    pipe.run()
    assert _board(pipe, "AV/TRIFECTA") == {
        combination: (cents, odds, False)
        for combination, cents, odds in [(c, 480, "7-2") for c in BOX_123]
        + [("4-5-6", None, None)]  # refunded by the scratching of 6
    }  # net 480 (600 less 20%) on 100 a combination
    before = _histories(pipe)
    race.void_pool("TRIFECTA", 5, [1, 2, 3, 4])
    pipe.run()
    after = _written_since(pipe, before)
    # A row for every combination, none priced: not at the void, nor as the refunds empty it.
    assert {r["COMBINATION_ID"] for r in after} == {f"AV/TRIFECTA/{c}" for c in BOX_123} | {
        "AV/TRIFECTA/4-5-6"
    }
    assert all(
        (r["APPROXIMATE_CENTS"], r["ODDS"], r["VOIDED"]) == (None, None, True) for r in after
    )
    assert {r["NET_CENTS"] for r in pipe.approximates("AV/TRIFECTA").values()} == {0}
    case = parse_case(
        {
            "pool": "TRIFECTA",
            "takeout_bp": 2000,
            "bets": [{"id": "box", "box": [1, 2, 3], "stake_cents": 600}],
            "field_size": 6,
            "scratched": [6, 5],
            "min_starters": 5,
        }
    )
    assert will_pays(case) == (0, ())
    win = pipe.approximates("AV/WIN")
    assert {c: (r["APPROXIMATE_CENTS"], r["VOIDED"]) for c, r in win.items()} == {
        "1": (170, False),
        "2": (280, False),
        "3": (560, False),
        "4": (1700, False),
    }


def test_a_void_race_s_approximates_say_voided_in_every_pool(pipe: PoolsPipeline) -> None:
    race = pipe.race("RV", [1, 2, 3])
    race.pool("WIN", takeout_bp=1500)
    race.pool("EXACTA", takeout_bp=2000)
    race.bet("WIN", ["1"], 500)
    race.bet("WIN", ["2"], 300)
    race.bet("EXACTA", ["1-2", "2-1"], 400)
    race.close()
    pipe.run()
    before = _histories(pipe)
    assert race.void() == 1_200
    pipe.run()
    after = _written_since(pipe, before)
    assert {(r["POOL_ID"], r["COMBINATION"]) for r in after} == {
        ("RV/WIN", "1"),
        ("RV/WIN", "2"),
        ("RV/EXACTA", "1-2"),
        ("RV/EXACTA", "2-1"),
    }
    assert all(
        (r["APPROXIMATE_CENTS"], r["ODDS"], r["VOIDED"]) == (None, None, True) for r in after
    )
    for pool in ("WIN", "EXACTA"):
        assert {r["NET_CENTS"] for r in pipe.approximates(f"RV/{pool}").values()} == {0}
