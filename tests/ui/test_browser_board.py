"""The tote board in a real browser: bets posted to the REST Proxy reach the page through
ksqlDB's push query and the board's server-sent events, with no reload."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.ui.servers import Stack, bets

Shoot = Callable[[Any, str], Path]


@pytest.fixture(scope="module")
def built(stack: Stack) -> Stack:
    stack.build()
    stack.post_bets("post_bets.payload.json")
    return stack


def _runner(page: Any, runner: str) -> Any:
    return page.locator(f"#board-table tr[data-runner='{runner}']")


def _expect_runner(page: Any, runner: str, pool: str, share: str, odds: str) -> None:
    row = _runner(page, runner)
    expect(row.locator(".pool")).to_have_text(pool)
    expect(row.locator(".share")).to_have_text(share)
    expect(row.locator(".odds")).to_have_text(odds)


def test_board_updates_live_as_bets_arrive(built: Stack, page: Any, shoot: Shoot) -> None:
    page.goto(built.ui + "/")
    expect(page.locator("#board-status")).to_have_text("LIVE")
    expect(page.locator("#board-source")).to_contain_text("live: ksqlDB push query on "
                                                          "TOTE_WIN_BET_RACE_RUNNERS_ODDS")
    expect(page.locator("#race-pool")).to_have_text("75.00")
    _expect_runner(page, "1", "25.00", "33.3%", "3.00")
    _expect_runner(page, "2", "50.00", "66.7%", "1.50")
    page.evaluate("window.__notReloaded = true")
    before = int(page.locator("#board").get_attribute("data-updates"))
    shoot(page, "board-before-bets")

    built.post_bets("post_bets_large.payload.json")
    expect(page.locator("#race-pool")).to_have_text("140.00")
    _expect_runner(page, "1", "75.00", "53.6%", "1.87")
    _expect_runner(page, "2", "65.00", "46.4%", "2.15")
    assert page.evaluate("window.__notReloaded") is True
    assert int(page.locator("#board").get_attribute("data-updates")) > before
    # One chart point per update since the runner's first bet: 9 for runner 1, 8 for 2.
    for runner, points in (("1", 9), ("2", 8)):
        line = _runner(page, runner).locator("polyline").get_attribute("points")
        assert line is not None and len(line.split()) == points
    shoot(page, "board-live")

    built.post_bets(bets(7, (3, 10.0), (4, 30.0)))
    expect(page.locator("nav.races a")).to_have_text(["0", "7"])
    assert page.evaluate("window.__notReloaded") is True
    page.click("nav.races a:has-text('7')")
    expect(page.locator("#race-pool")).to_have_text("40.00")
    _expect_runner(page, "3", "10.00", "25.0%", "4.00")
    _expect_runner(page, "4", "30.00", "75.0%", "1.33")
    shoot(page, "board-race-7")
