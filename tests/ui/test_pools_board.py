"""The pools board's state, fed the rows the tote domain's topics carry (field names in
upper case, as the feed hands them over): race status, runners, will-pays per runner or
top combinations, settlements, table semantics and rows it cannot read."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tote.pools.topics import POOLS_DEFINED, RACE_EVENTS
from tote.ui.live import LiveState
from tote.ui.pools_board import APPROXIMATES, DIVIDENDS, POOL_GROSS, PoolsBoard, natural_key
from tote.ui.pools_views import Payout, Placing, RunnerView, Settlement, WillPay

Row = tuple[str, str | None, dict[str, Any] | None]


def event(
    race: str,
    kind: str,
    *,
    runners: list[int] | None = None,
    runner: int | None = None,
    result: list[list[int]] | None = None,
) -> Row:
    return (
        RACE_EVENTS,
        race,
        {
            "RACE_ID": race,
            "EVENT_ID": f"{race}:{kind}",
            "KIND": kind,
            "RUNNERS": runners,
            "RUNNER": runner,
            "RESULT": result,
            "OCCURRED_AT": 1,
        },
    )


def defined(race: str, pool: str, takeout_bp: int, unit_cents: int = 100) -> Row:
    return (
        POOLS_DEFINED,
        race,
        {
            "RACE_ID": race,
            "POOL_ID": f"{race}/{pool}",
            "POOL": pool,
            "TAKEOUT_BP": takeout_bp,
            "UNIT_CENTS": unit_cents,
            "BREAKAGE_STEP_CENTS": 10,
            "MIN_DIVIDEND_CENTS": None,
            "SPLIT": "PROFIT",
            "PLACES": 1,
            "UNBACKED": "NEXT_FINISHER",
        },
    )


def gross(race: str, pool: str, cents: int, tickets: int) -> Row:
    return (
        POOL_GROSS,
        f"{race}/{pool}",
        {
            "RACE_ID": race,
            "POOL": pool,
            "GROSS_CENTS": cents,
            "TICKETS": tickets,
            "LAST_KIND": "BET",
            "RECENT_AT": [1],
        },
    )


def approx(
    race: str,
    pool: str,
    combination: str,
    stake_cents: float,
    cents: int | None,
    *,
    odds: str | None = None,
    net: int = 0,
    closed: bool = False,
) -> Row:
    pool_id = f"{race}/{pool}"
    return (
        APPROXIMATES,
        f"{pool_id}/{combination}",
        {
            "RACE_ID": race,
            "POOL": pool,
            "POOL_ID": pool_id,
            "COMBINATION": combination,
            "STAKE_MICROS": round(stake_cents * 1_000_000),
            "GROSS_CENTS": 0,
            "NET_CENTS": net,
            "APPROXIMATE_CENTS": cents,
            "ODDS": odds,
            "CLOSED": closed,
        },
    )


def dividend(
    race: str, pool: str, combination: str, per_unit: int | None, outcome: str, **amounts: int
) -> Row:
    row = {
        "RACE_ID": race,
        "POOL": pool,
        "POOL_ID": f"{race}/{pool}",
        "COMBINATION": combination,
        "PER_UNIT_CENTS": per_unit,
        "WINNING_UNITS": None,
        "OUTCOME": outcome,
    }
    for name in ("GROSS", "TAKEOUT", "NET", "BREAKAGE", "MINUS_POOL", "CARRY_OUT", "REFUND"):
        row[f"{name}_CENTS"] = amounts.get(name.lower(), 0)
    return DIVIDENDS, race, row


def board_of(*rows: Row) -> PoolsBoard:
    board = PoolsBoard()
    for topic, key, value in rows:
        board.apply(topic, key, value)
    return board


def statuses(board: PoolsBoard) -> dict[str, str]:
    return {r.race_id: r.status for r in board.races()}


TC1_STAKES = {"1": 50_000, "2": 30_000, "3": 15_000, "4": 5_000}


def test_a_win_race_from_opening_to_its_dividend() -> None:
    board = board_of(
        event("R1", "OPENED", runners=[5, 1, 2, 3, 4]),
        defined("R1", "WIN", 1500),
        *(approx("R1", "WIN", c, s, 100) for c, s in TC1_STAKES.items()),
        gross("R1", "WIN", 100_000, 4),
    )
    assert statuses(board) == {"R1": "OPEN"}
    view = board.view("R1")
    assert view is not None
    assert view.runners == tuple(RunnerView(n, False) for n in (1, 2, 3, 4, 5))
    (win,) = view.pools
    assert (win.pool, win.takeout_bp, win.gross_cents, win.tickets, win.final, win.by_runner) == (
        "WIN",
        1500,
        100_000,
        4,
        False,
        True,
    )
    # every runner in number order, stakes in cents; runner 5 has no money on it yet
    assert [(w.combination, w.stake_cents, w.approximate_cents) for w in win.will_pays] == [
        ("1", 50_000.0, 100),
        ("2", 30_000.0, 100),
        ("3", 15_000.0, 100),
        ("4", 5_000.0, 100),
        ("5", 0.0, None),
    ]

    board.apply(*event("R1", "CLOSED"))
    for combination, cents, odds in (
        ("1", 170, "3-5"),
        ("2", 280, "9-5"),
        ("3", 560, "9-2"),
        ("4", 1700, "16-1"),
    ):
        board.apply(
            *approx(
                "R1",
                "WIN",
                combination,
                TC1_STAKES[combination],
                cents,
                odds=odds,
                net=85_000,
                closed=True,
            )
        )
    assert statuses(board) == {"R1": "CLOSED"}
    (win,) = board.view("R1").pools  # type: ignore[union-attr]
    assert win.final and win.net_cents == 85_000 and win.settlement is None
    assert [(w.combination, w.odds) for w in win.will_pays] == [
        ("1", "3-5"),
        ("2", "9-5"),
        ("3", "9-2"),
        ("4", "16-1"),
        ("5", None),
    ]

    board.apply(*event("R1", "RESULT", result=[[2], [1], [3], [4]]))
    board.apply(
        *dividend(
            "R1", "WIN", "2", 280, "PAID", gross=100_000, takeout=15_000, net=85_000, breakage=1_000
        )
    )
    assert statuses(board) == {"R1": "RESULTED"}
    view = board.view("R1")
    assert view is not None
    assert view.placings == (Placing(1, (2,)), Placing(2, (1,)), Placing(3, (3,)), Placing(4, (4,)))
    assert view.pools[0].settlement == Settlement(
        "PAID", 100_000, 15_000, 85_000, 1_000, 0, 0, 0, (Payout("2", 280, None),)
    )


def test_exotics_show_the_top_combinations_by_stake_and_count_the_rest() -> None:
    stakes = {f"{a}-{b}": float(10 * a + b) for a in (1, 2, 3) for b in (1, 2, 3, 4, 5) if a != b}
    stakes["2-10"] = stakes["2-9"] = 25.0  # ties with 2-5: the natural order decides
    stakes["4-1"] = 0.0  # cancelled: no money on it, not counted
    board = board_of(
        event("R2", "OPENED", runners=list(range(1, 11))),
        *(approx("R2", "EXACTA", c, s, 1000) for c, s in stakes.items()),
    )
    (exacta,) = board.view("R2").pools  # type: ignore[union-attr]
    assert not exacta.by_runner
    assert [w.combination for w in exacta.will_pays] == [
        "3-5",
        "3-4",
        "3-2",
        "3-1",
        "2-5",
        "2-9",
        "2-10",
        "2-4",
        "2-3",
        "2-1",
    ]
    assert exacta.will_pays[0] == WillPay("3-5", 35.0, 1000, None)
    assert exacta.more == 4  # 1-5, 1-4, 1-3, 1-2


def test_tables_keep_the_latest_row_per_key_and_tombstones_remove_it() -> None:
    board = board_of(
        approx("R3", "WIN", "1", 10, 900),
        approx("R3", "WIN", "2", 10, 900),
        gross("R3", "WIN", 2_000, 2),
        approx("R3", "WIN", "1", 30, 300),
        gross("R3", "WIN", 4_000, 3),
    )
    (win,) = board.view("R3").pools  # type: ignore[union-attr]
    assert [(w.combination, w.stake_cents, w.approximate_cents) for w in win.will_pays] == [
        ("1", 30.0, 300),
        ("2", 10.0, 900),
    ]
    assert (win.gross_cents, win.tickets) == (4_000, 3)
    board.apply(APPROXIMATES, "R3/WIN/2", None)
    board.apply(POOL_GROSS, "R3/WIN", None)
    board.apply(APPROXIMATES, "R3/WIN/9", None)  # a key never seen: nothing to remove
    (win,) = board.view("R3").pools  # type: ignore[union-attr]
    assert [w.combination for w in win.will_pays] == ["1"]
    assert (win.gross_cents, win.tickets) == (None, None)


def test_a_late_scratching_is_marked_and_the_race_stays_closed() -> None:
    board = board_of(
        event("R4", "OPENED", runners=[1, 2, 3]),
        defined("R4", "WIN", 1500),
        approx("R4", "WIN", "3", 20, 150),
        event("R4", "CLOSED"),
        event("R4", "SCRATCHED", runner=3),
        approx("R4", "WIN", "3", 0, None),
    )
    assert statuses(board) == {"R4": "CLOSED"}
    view = board.view("R4")
    assert view is not None
    assert [(r.number, r.scratched) for r in view.runners] == [(1, False), (2, False), (3, True)]
    assert [(w.combination, w.scratched, w.approximate_cents) for w in view.pools[0].will_pays] == [
        ("1", False, None),
        ("2", False, None),
        ("3", True, None),
    ]


def test_a_void_race_stays_void_and_only_the_first_result_counts() -> None:
    board = board_of(
        event("V", "OPENED", runners=[1, 2]),
        event("V", "VOIDED"),
        event("V", "RESULT", result=[[1], [2]]),
        event("D", "OPENED", runners=[1, 2, 3, 4]),
        event("D", "RESULT", result=[[2, 4], [1]]),
        event("D", "RESULT", result=[[3], [1]]),
    )
    assert statuses(board) == {"D": "RESULTED", "V": "VOIDED"}
    view = board.view("D")
    assert view is not None
    assert view.placings == (Placing(1, (2, 4)), Placing(2, (1,)))  # a dead heat for first


def test_records_may_arrive_in_any_order_across_topics() -> None:
    board = board_of(approx("R5", "TRIFECTA", "1-2-3", 5, 4_000, closed=True))
    assert statuses(board) == {"R5": "CLOSED"}  # only the final board said so
    board.apply(*dividend("R5", "TRIFECTA", "1-2-3", 3_950, "PAID"))
    board.apply(*event("R5", "OPENED", runners=[1, 2, 3]))
    board.apply(*defined("R5", "TRIFECTA", 2100))
    board.apply(*defined("R5", "WIN", 1450))
    view = board.view("R5")
    assert view is not None
    assert view.status == "RESULTED"
    assert [r.number for r in view.runners] == [1, 2, 3]
    assert [(p.pool, p.takeout_bp) for p in view.pools] == [("WIN", 1450), ("TRIFECTA", 2100)]


def test_carried_and_refunded_pools_say_so() -> None:
    board = board_of(
        event("R6", "OPENED", runners=[1, 2, 3]),
        event("R6", "RESULT", result=[[3], [1], [2]]),
        dividend("R6", "EXACTA", "", None, "CARRIED", gross=5_000, takeout=825, carry_out=4_175),
        dividend("R6", "QUINELLA", "", None, "REFUNDED", gross=2_000, refund=2_000),
        dividend("R6", "WIN", "3", 140, "PAID", gross=1_000),
    )
    pools = {p.pool: p.settlement for p in board.view("R6").pools}  # type: ignore[union-attr]
    assert list(pools) == ["WIN", "EXACTA", "QUINELLA"]
    exacta, quinella = pools["EXACTA"], pools["QUINELLA"]
    assert exacta is not None and quinella is not None
    assert (exacta.outcome, exacta.carry_out_cents, exacta.payouts) == ("CARRIED", 4_175, ())
    assert (quinella.outcome, quinella.refund_cents, quinella.payouts) == ("REFUNDED", 2_000, ())


def test_a_pool_voided_for_too_few_starters_says_so_and_the_others_stand() -> None:
    voided = event("R7", "POOL_VOIDED", runners=[1, 2, 3, 4], runner=5)
    voided[2].update(
        POOL="TRIFECTA",
        POOL_ID="R7/TRIFECTA",
        REASON="FIELD_BELOW_MINIMUM",
        DETAIL="4 starters left; the TRIFECTA pool needs at least 5.",
    )
    board = board_of(
        event("R7", "OPENED", runners=[1, 2, 3, 4, 5]),
        defined("R7", "WIN", 1450),
        defined("R7", "TRIFECTA", 2100),
        event("R7", "SCRATCHED", runner=5),
        voided,
    )
    assert (board.skipped, board.applied) == (0, 5)
    view = board.view("R7")
    assert view is not None and view.status == "OPEN"
    assert [(p.pool, p.voided) for p in view.pools] == [
        ("WIN", None),
        ("TRIFECTA", "4 starters left; the TRIFECTA pool needs at least 5."),
    ]


def test_a_void_pool_shows_no_will_pays_whichever_record_comes_first() -> None:
    """Prices read before the void (topics arrive in any order) must not stay on the board:
    every ticket is refunded, so no will-pay will ever be paid."""
    pool_voided = event("R8", "POOL_VOIDED", runners=[1, 2], runner=3)
    pool_voided[2].update(
        POOL="EXACTA",
        POOL_ID="R8/EXACTA",
        DETAIL="2 starters left; the EXACTA pool needs at least 3.",
    )
    priced = (
        defined("R8", "WIN", 1450),
        defined("R8", "EXACTA", 2000),
        approx("R8", "WIN", "1", 1_000, 170, odds="7-10", net=1_710),
        approx("R8", "EXACTA", "1-2", 1_000, 800, net=800),
    )
    board = board_of(event("R8", "OPENED", runners=[1, 2, 3]), pool_voided, *priced)
    pools = {p.pool: p for p in board.view("R8").pools}  # type: ignore[union-attr]
    assert [(w.combination, w.approximate_cents) for w in pools["WIN"].will_pays] == [
        ("1", 170),
        ("2", None),
        ("3", None),
    ]  # the WIN pool stands
    exacta = pools["EXACTA"]
    assert (exacta.voided, exacta.will_pays, exacta.more) == (
        "2 starters left; the EXACTA pool needs at least 3.",
        (),
        0,
    )

    board.apply(*event("R8", "VOIDED"))  # now the whole race goes: no pool is priced
    view = board.view("R8")
    assert view is not None and view.status == "VOIDED"
    assert [(p.pool, p.voided, p.will_pays) for p in view.pools] == [
        ("WIN", "The race is void.", ()),
        ("EXACTA", "The race is void.", ()),
    ]


def test_races_in_natural_order_and_the_default_is_the_next_to_go() -> None:
    board = board_of(
        event("R10", "OPENED", runners=[1]),
        event("R2", "OPENED", runners=[1]),
        event("R1", "OPENED", runners=[1]),
        event("R1", "RESULT", result=[[1]]),
    )
    assert [r.race_id for r in board.races()] == ["R1", "R2", "R10"]
    assert board.default_race() == "R2"
    board.apply(*event("R2", "VOIDED"))
    board.apply(*event("R10", "RESULT", result=[[1]]))
    assert board.default_race() == "R10"  # all done: the last one
    assert PoolsBoard().default_race() is None
    assert sorted(["2-10", "2-9", "10-1", "1-10"], key=natural_key) == [
        "1-10",
        "2-9",
        "2-10",
        "10-1",
    ]


def test_rows_it_cannot_read_are_counted_and_leave_no_trace() -> None:
    board = board_of(
        (RACE_EVENTS, "X", {"KIND": "OPENED", "RUNNERS": [1]}),  # no race id
        (RACE_EVENTS, "X", {"RACE_ID": "X", "KIND": "STARTED"}),  # no such event
        (RACE_EVENTS, "X", {"RACE_ID": "X", "KIND": "SCRATCHED"}),  # no runner
        (RACE_EVENTS, "X", {"RACE_ID": "X", "KIND": "OPENED", "RUNNERS": ["one"]}),
        (
            APPROXIMATES,
            "X/WIN/1",
            {"RACE_ID": "X", "POOL": "WIN", "COMBINATION": "1", "STAKE_MICROS": "lots"},
        ),
        (DIVIDENDS, "X", {"RACE_ID": "X", "POOL": "WIN", "COMBINATION": "1"}),  # no outcome
        ("some_topic", None, {"RACE_ID": "X"}),
    )
    assert (board.skipped, board.applied, board.races()) == (7, 0, [])
    board.apply(*event("X", "OPENED", runners=[1]))
    assert (board.skipped, board.applied, statuses(board)) == (7, 1, {"X": "OPEN"})


def test_live_state_wakes_waiters_on_a_change_and_a_replacement() -> None:
    async def scenario() -> tuple[int, int, int, bool]:
        live: LiveState[PoolsBoard] = LiveState(PoolsBoard())
        start = live.version
        waiting = asyncio.create_task(live.wait_change(start, 60))
        await asyncio.sleep(0)
        fresh = board_of(event("R1", "OPENED", runners=[1]))
        live.replace(fresh)
        woke = await asyncio.wait_for(waiting, 60)
        live.set_status("live", live=True)
        live.set_status("live", live=True)  # the same status again is no change
        idle = await live.wait_change(live.version, 0.01)
        return woke - start, live.version - start, idle - start, live.current is fresh

    # On a thread of its own: the browser tests' Playwright keeps a loop on this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, scenario()).result() == (1, 2, 2, True)
