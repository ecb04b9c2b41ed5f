"""The board's model: pools, shares and odds after each odds row, and the odds charts."""

from __future__ import annotations

import asyncio

import pytest

from tote.ui.board import Board, OddsUpdate, RunnerView, sparkline
from tote.ui.services import ServiceFailed, StreamHeader, parse_stream_line

# The seed's odds rows (README): race, runner, runner pool, race pool.
SEED_ROWS = [(0, 1, 25, 25), (0, 2, 50, 75), (0, 1, 75, 125), (0, 2, 55, 130), (0, 2, 65, 140),
             (0, 2, 85, 160), (0, 2, 65, 140), (0, 1, 75, 140), (0, 2, 65, 140)]


def _board(rows: list[tuple[int, int, float, float]]) -> Board:
    board = Board()
    for race, runner, pool, total in rows:
        board.apply(OddsUpdate(str(race), str(runner), pool, total))
    return board


def test_the_seed_rows_give_the_final_pools_shares_and_odds() -> None:
    view = _board(SEED_ROWS).view("0")
    assert view is not None
    assert (view.race, view.race_pool, view.updates) == ("0", 140.0, 9)
    one, two = view.runners
    assert one == RunnerView("1", 75.0, 75 / 140, 140 / 75, (
        1.0, 3.0, 125 / 75, 130 / 75, 140 / 75, 160 / 75, 140 / 75, 140 / 75, 140 / 75))
    assert two == RunnerView("2", 65.0, 65 / 140, 140 / 65, (
        1.5, 2.5, 130 / 55, 140 / 65, 160 / 85, 140 / 65, 140 / 65, 140 / 65))


def test_races_are_separate_and_ordered_numerically() -> None:
    board = _board([(10, 1, 5, 5), (2, 7, 3, 3), (2, 8, 0, 3)])
    assert board.races() == ["2", "10"]
    view = board.view("2")
    assert view is not None
    assert [(r.runner, r.share, r.odds) for r in view.runners] == [
        ("7", 1.0, 1.0), ("8", 0.0, None)]
    assert board.view("3") is None


def test_waiters_wake_on_a_change() -> None:
    async def scenario() -> tuple[int, int]:
        board = Board()
        start = board.version
        waiting = asyncio.create_task(board.wait_change(start, 60))
        await asyncio.sleep(0)
        board.apply(OddsUpdate("0", "1", 1, 1))
        woke = await asyncio.wait_for(waiting, 60)
        idle = await board.wait_change(woke, 0.01)
        return woke - start, idle - start
    assert asyncio.run(scenario()) == (1, 1)


def test_sparkline_scales_into_the_box_and_skips_gaps() -> None:
    assert sparkline((2.0, None, 4.0), width=100, height=20, pad=0) == "0.0,20.0 100.0,0.0"
    assert sparkline((3.0,), width=100, height=20, pad=0) == "100.0,10.0"
    assert sparkline((None,)) == ""


def test_query_stream_lines() -> None:
    header = parse_stream_line('{"queryId":"q1","columnNames":["A"],"columnTypes":["INTEGER"]}')
    assert header == StreamHeader("q1", ("A",), ("INTEGER",))
    assert parse_stream_line("[0,1,25.0]\n") == [0, 1, 25.0]
    assert parse_stream_line("\n") is None
    with pytest.raises(ServiceFailed) as error:
        parse_stream_line('{"@type":"generic_error","error_code":40001,"message":"no such"}')
    assert (error.value.error_code, error.value.message) == (40001, "no such")
