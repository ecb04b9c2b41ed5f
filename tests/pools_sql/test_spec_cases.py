"""The worked cases of spec §10 through the shipped SQL: events on the log in, dividends out
of the `tote_dividends` topic (amounts in cents, dividends per unit; expected values are
the spec's own figures)."""

from __future__ import annotations

from typing import Any

from tests.pools_sql.pipeline import PoolsPipeline

DOLLARS = 100
# A trifecta box of runners 1, 3, 7 and 9: its 24 combinations, written out by hand.
BOX_1379 = [
    f"{a}-{b}-{c}"
    for a in (1, 3, 7, 9)
    for b in (1, 3, 7, 9)
    for c in (1, 3, 7, 9)
    if len({a, b, c}) == 3
]


def _by_combination(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found = {row["COMBINATION"]: row for row in rows}
    assert len(found) == len(rows), f"a combination declared twice: {rows}"
    return found


def _tc1_race(pipe: PoolsPipeline, race_id: str, **rules: Any) -> None:
    race = pipe.race(race_id, [1, 2, 3, 4])
    race.pool("WIN", takeout_bp=1500, **rules)
    for runner, stake in [(1, 500), (2, 300), (3, 150), (4, 50)]:
        race.bet("WIN", [str(runner)], stake * DOLLARS)
    race.close()


def test_tc1_win_dividend_and_approximates(pipe: PoolsPipeline) -> None:
    _tc1_race(pipe, "TC1")
    pipe.run()
    board = pipe.approximates("TC1/WIN")
    assert {c: r["APPROXIMATE_CENTS"] for c, r in board.items()} == {
        "1": 170,
        "2": 280,
        "3": 560,
        "4": 1700,
    }
    assert {c: r["ODDS"] for c, r in board.items()} == {
        "1": "3-5",
        "2": "9-5",
        "3": "9-2",
        "4": "16-1",
    }
    assert all(
        r["CLOSED"] and r["GROSS_CENTS"] == 100_000 and r["NET_CENTS"] == 85_000
        for r in board.values()
    )
    assert pipe.dividends() == []  # nothing before the result
    _result(pipe, "TC1", [[2], [1], [3], [4]])
    pipe.run()
    (row,) = pipe.dividends("TC1")
    assert row == {
        "RACE_KEY": "TC1",
        "RACE_ID": "TC1",
        "POOL": "WIN",
        "POOL_ID": "TC1/WIN",
        "COMBINATION": "2",
        "PER_UNIT_CENTS": 280,
        "WINNING_UNITS": "300",
        "OUTCOME": "PAID",
        "GROSS_CENTS": 100_000,
        "TAKEOUT_CENTS": 15_000,
        "NET_CENTS": 85_000,
        "BREAKAGE_CENTS": 1_000,
        "MINUS_POOL_CENTS": 0,
        "CARRY_OUT_CENTS": 0,
        "REFUND_CENTS": 0,
    }
    # 840 + 150 + 10 = 1,000
    assert 280 * 300 + row["TAKEOUT_CENTS"] + row["BREAKAGE_CENTS"] == row["GROSS_CENTS"]


def _result(pipe: PoolsPipeline, race_id: str, result: list[list[int]]) -> None:
    pipe.append(
        "tote_race_events",
        {
            "race_id": race_id,
            "event_id": f"{race_id}:RESULT",
            "kind": "RESULT",
            "runners": None,
            "runner": None,
            "result": result,
            "occurred_at": None,
        },
    )


def test_tc2_place_profit_split(pipe: PoolsPipeline) -> None:
    race = pipe.race("TC2", [1, 2, 3, 4, 5, 6, 7, 8])
    race.pool("PLACE", takeout_bp=1500, places=3)
    for runner, stake in [(1, 400), (2, 250), (3, 150), (4, 600), (5, 600)]:
        race.bet("PLACE", [str(runner)], stake * DOLLARS)
    race.close()
    race.result([[1], [2], [3], [4]])
    pipe.run()
    rows = _by_combination(pipe.dividends("TC2"))
    assert {c: r["PER_UNIT_CENTS"] for c, r in rows.items()} == {"1": 170, "2": 220, "3": 300}
    totals = rows["1"]
    assert (
        totals["GROSS_CENTS"],
        totals["TAKEOUT_CENTS"],
        totals["NET_CENTS"],
        totals["BREAKAGE_CENTS"],
    ) == (200_000, 30_000, 170_000, 2_000)
    assert pipe.approximates("TC2/PLACE")["1"]["APPROXIMATE_CENTS"] is None  # spec §6


def test_tc3_dead_heat_profit_and_pool_split(pipe: PoolsPipeline) -> None:
    for race_id, split in [("TC3P", "PROFIT"), ("TC3S", "POOL")]:
        race = pipe.race(race_id, [1, 2, 3, 4])
        race.pool("WIN", takeout_bp=1500, split=split)
        for runner, stake in [(1, 500), (2, 300), (3, 150), (4, 50)]:
            race.bet("WIN", [str(runner)], stake * DOLLARS)
        race.close()
        race.result([[2, 4], [1], [3]])
    pipe.run()
    profit = _by_combination(pipe.dividends("TC3P"))
    pool = _by_combination(pipe.dividends("TC3S"))
    assert {c: r["PER_UNIT_CENTS"] for c, r in profit.items()} == {"2": 180, "4": 600}
    assert {c: r["PER_UNIT_CENTS"] for c, r in pool.items()} == {"2": 140, "4": 850}
    assert profit["2"]["BREAKAGE_CENTS"] == 1_000  # payouts 540 + 300 = 840
    assert pool["2"]["BREAKAGE_CENTS"] == 500  # payouts 420 + 425 = 845


def test_tc4_late_scratching_refunds_then_tc1(pipe: PoolsPipeline) -> None:
    race = pipe.race("TC4", [1, 2, 3, 4, 5])
    race.pool("WIN", takeout_bp=1500)
    for runner, stake in [(1, 500), (2, 300), (3, 150), (4, 50), (5, 120)]:
        race.bet("WIN", [str(runner)], stake * DOLLARS)
    race.close()
    assert race.scratch(5) == 12_000
    race.result([[2], [1], [3], [4]])
    pipe.run()
    (row,) = pipe.dividends("TC4")
    assert (row["COMBINATION"], row["PER_UNIT_CENTS"], row["GROSS_CENTS"]) == ("2", 280, 100_000)
    # accepted 1,120 = payouts 840 + refunds 120 + takeout 150 + breakage 10
    assert 280 * 300 + 12_000 + row["TAKEOUT_CENTS"] + row["BREAKAGE_CENTS"] == 112_000
    totals = pipe.latest("TOTE_POOL_TOTALS", "COMBINATION_ID")
    assert totals["TC4/WIN/5"]["STAKE_MICROS"] == 0


def test_tc5_exacta_with_a_scratched_runner(pipe: PoolsPipeline) -> None:
    race = pipe.race("TC5", [1, 2, 3, 4])
    race.pool("EXACTA", takeout_bp=2000)
    for combination, stake in [
        ("1-2", 60),
        ("2-1", 40),
        ("1-3", 50),
        ("3-1", 30),
        ("2-3", 20),
        ("4-1", 20),
    ]:
        race.bet("EXACTA", [combination], stake * DOLLARS)
    race.close()
    assert race.scratch(4) == 2_000
    race.result([[1], [2], [3]])
    pipe.run()
    (row,) = pipe.dividends("TC5")
    assert (row["COMBINATION"], row["PER_UNIT_CENTS"]) == ("1-2", 260)
    assert (row["GROSS_CENTS"], row["TAKEOUT_CENTS"], row["NET_CENTS"], row["BREAKAGE_CENTS"]) == (
        20_000,
        4_000,
        16_000,
        400,
    )


def test_tc6_minimum_dividend_and_minus_pool(pipe: PoolsPipeline) -> None:
    race = pipe.race("TC6", [1, 2, 3])
    # US: $2 unit, dime breakage ($1 price to 10c, so 20c per $2), minimum $2.10 per $2.
    race.pool(
        "WIN", takeout_bp=1600, unit_cents=200, breakage_step_cents=20, min_dividend_cents=210
    )
    race.bet("WIN", ["1"], 8_200 * DOLLARS)
    race.bet("WIN", ["2"], 1_000 * DOLLARS)
    race.bet("WIN", ["3"], 800 * DOLLARS)
    race.close()
    race.result([[1], [2], [3]])
    pipe.run()
    (row,) = pipe.dividends("TC6")
    assert (
        row["PER_UNIT_CENTS"],
        row["MINUS_POOL_CENTS"],
        row["BREAKAGE_CENTS"],
        row["TAKEOUT_CENTS"],
    ) == (210, 21_000, 0, 160_000)
    # 8,610 + 1,600 + 0 = 10,000 + 210
    assert 210 * 820_000 // 200 + row["TAKEOUT_CENTS"] == row["GROSS_CENTS"] + 21_000


def test_tc7_unbacked_winner_under_each_policy(pipe: PoolsPipeline) -> None:
    policies = ["NEXT_FINISHER", "CARRY_GROSS", "CARRY_NET", "REFUND"]
    for policy in policies:
        race = pipe.race(f"TC7-{policy}", [1, 2, 3])
        race.pool("WIN", takeout_bp=1500, unbacked=policy)
        race.bet("WIN", ["1"], 600 * DOLLARS)
        race.bet("WIN", ["2"], 400 * DOLLARS)
        race.close()
        race.result([[3], [1], [2]])
    pipe.run()
    rows = {p: pipe.dividends(f"TC7-{p}") for p in policies}
    assert all(len(r) == 1 for r in rows.values()), rows
    nxt, gross, net, refund = (rows[p][0] for p in policies)
    assert (nxt["COMBINATION"], nxt["PER_UNIT_CENTS"], nxt["OUTCOME"], nxt["BREAKAGE_CENTS"]) == (
        "1",
        140,
        "PAID",
        1_000,
    )
    assert (
        gross["COMBINATION"],
        gross["PER_UNIT_CENTS"],
        gross["OUTCOME"],
        gross["TAKEOUT_CENTS"],
        gross["CARRY_OUT_CENTS"],
    ) == ("3", None, "CARRIED", 0, 100_000)
    assert (net["OUTCOME"], net["TAKEOUT_CENTS"], net["CARRY_OUT_CENTS"]) == (
        "CARRIED",
        15_000,
        85_000,
    )
    assert (
        refund["OUTCOME"],
        refund["REFUND_CENTS"],
        refund["TAKEOUT_CENTS"],
        refund["PER_UNIT_CENTS"],
    ) == ("REFUNDED", 100_000, 0, None)


def test_tc8_part_backed_trifecta_under_the_uk_rule(pipe: PoolsPipeline) -> None:
    race = pipe.race("TC8", [1, 2, 3, 7, 9])
    race.pool("TRIFECTA", takeout_bp=2500, unbacked="CARRY_NET", part_backed="CARRY_UNWON")
    box = BOX_1379
    race.bet("TRIFECTA", box, 1_200)  # 50p (half a unit) on 3-1-7, the only winning stake
    race.bet("TRIFECTA", ["1-2-3"], 98_800)  # the rest of the £1,000 pool
    race.close()
    race.result([[3], [1], [7], [9]])
    pipe.run()
    (row,) = pipe.dividends("TC8")
    # Dividend = the net pool, £750 per £1; paid 0.5 x 750 = 375; gross won 500, deduction
    # 125 taken on it, £500 gross carried forward: 375 + 125 + 500 = 1,000.
    assert (row["COMBINATION"], row["PER_UNIT_CENTS"], row["WINNING_UNITS"]) == (
        "3-1-7",
        75_000,
        "1/2",
    )
    assert (row["GROSS_CENTS"], row["TAKEOUT_CENTS"], row["CARRY_OUT_CENTS"]) == (
        100_000,
        12_500,
        50_000,
    )
    assert 75_000 // 2 + row["TAKEOUT_CENTS"] + row["CARRY_OUT_CENTS"] == row["GROSS_CENTS"]


def test_tc9_flexi_boxed_trifecta(pipe: PoolsPipeline) -> None:
    race = pipe.race("TC9", [1, 2, 3, 7, 9])
    race.pool("TRIFECTA", takeout_bp=2100)
    box = BOX_1379
    assert len(box) == 24
    race.bet("TRIFECTA", box, 1_200)  # $12 over 24 combinations: 50c (0.5 unit) each
    race.bet("TRIFECTA", ["3-1-7"], 750)
    race.bet("TRIFECTA", ["1-2-3"], 498_050)  # the rest of the $5,000 pool
    race.close()
    race.result([[3], [1], [7], [9]])
    pipe.run()
    (row,) = pipe.dividends("TC9")
    assert (row["COMBINATION"], row["PER_UNIT_CENTS"], row["WINNING_UNITS"]) == (
        "3-1-7",
        49_370,
        "8",
    )
    assert (row["GROSS_CENTS"], row["TAKEOUT_CENTS"], row["NET_CENTS"], row["BREAKAGE_CENTS"]) == (
        500_000,
        105_000,
        395_000,
        40,
    )
    totals = pipe.latest("TOTE_POOL_TOTALS", "COMBINATION_ID")
    assert totals["TC9/TRIFECTA/3-1-7"]["STAKE_MICROS"] == 800 * 1_000_000
    assert totals["TC9/TRIFECTA/9-7-3"]["STAKE_CENTS_EXACT"] == "50"


def test_tc10_void_race_refunds_everything_and_declares_nothing(pipe: PoolsPipeline) -> None:
    race = pipe.race("TC10", [1, 2, 3])
    race.pool("WIN", takeout_bp=1500)
    race.pool("EXACTA", takeout_bp=2000)
    race.pool("TRIFECTA", takeout_bp=2100)
    race.bet("WIN", ["1"], 1_000 * DOLLARS)
    race.bet("EXACTA", ["1-2"], 200 * DOLLARS)
    race.bet("TRIFECTA", ["1-2-3", "2-1-3"], 5_000 * DOLLARS)
    race.close()
    pipe.append(
        "tote_bets_rejected",
        {
            "idempotency_key": "late",
            "race_id": "TC10",
            "pool": "WIN",
            "reason": "LATE",
            "detail": "after BettingClosed",
            "occurred_at": None,
        },
    )
    assert race.void() == 620_000
    race.result([[1], [2], [3]])  # a result after the void is ignored
    pipe.run()
    assert pipe.dividends("TC10") == []
    gross = pipe.latest("TOTE_POOL_GROSS", "POOL_ID")
    assert {p: gross[f"TC10/{p}"]["GROSS_CENTS"] for p in ("WIN", "EXACTA", "TRIFECTA")} == {
        "WIN": 0,
        "EXACTA": 0,
        "TRIFECTA": 0,
    }
    totals = pipe.latest("TOTE_POOL_TOTALS", "COMBINATION_ID")
    assert all(r["STAKE_CENTS_EXACT"] == "0" for k, r in totals.items() if k.startswith("TC10/"))
