"""The pools board in a real browser (Debian's chromium through Playwright): the page is
open while bets, a new race and a result arrive, and it follows them without a reload.
Screenshots go to test-artifacts/ui/."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from tests.ui.pools_world import PoolsWorld

from tote.pools.commands import PoolRules

pytestmark = pytest.mark.slow

Shoot = Callable[[Any, str], Path]
DOLLARS = re.compile(r"^\$\d+\.\d\d$")


def test_the_pools_page_follows_new_bets_live(tmp_path: Path, page: Any, shoot: Shoot) -> None:
    with PoolsWorld.start(tmp_path) as world:
        world.deploy()
        world.open_race(
            "L1",
            [1, 2, 3, 4, 5],
            PoolRules("WIN", takeout_bp=1500),
            PoolRules("EXACTA", takeout_bp=2000),
        )
        world.bets("L1", ("WIN", [1], 1_000), ("WIN", [2], 3_000), ("EXACTA", [1, 2], 500))
        world.poll("L1", "live: the pools topics", 'data-combination="1-2"')

        page.goto(world.ui_url + "/pools?race=L1")
        expect(page.locator("#pools-status")).to_have_text("LIVE")
        page.evaluate("window.__samePage = true")
        exacta = page.locator("#pool-EXACTA")
        new_row = exacta.locator("tr[data-combination='3-4']")
        expect(new_row).to_have_count(0)
        expect(exacta.locator(".gross")).to_have_text("$5.00")
        shoot(page, "pools-before-bet")

        world.bets("L1", ("EXACTA", [3, 4], 200))  # a new combination's approximates
        expect(new_row.locator(".stake")).to_have_text("$2.00")
        expect(new_row.locator(".will-pay")).to_have_text(DOLLARS)
        expect(exacta.locator(".gross")).to_have_text("$7.00")
        expect(exacta.locator(".tickets")).to_have_text("2 tickets")
        assert [
            row.get_attribute("data-combination") for row in exacta.locator("tbody tr").all()
        ] == ["1-2", "3-4"]  # by stake

        world.open_race("L2", [1, 2, 3], PoolRules("WIN"))  # the race list grows
        expect(page.locator("nav.races a[data-race='L2'] .race-status")).to_have_text("OPEN")

        world.close_betting("L1")
        world.result("L1", [[2], [1], [3]])
        expect(page.locator("#race-status")).to_have_text("RESULTED")
        win_dividend = page.locator("#pool-WIN .dividends tr[data-combination='2'] .dividend")
        expect(win_dividend).to_have_text("$1.10")  # net 3,400 on 3,000: 1.133 broken to 1.10
        expect(exacta.locator(".settlement")).to_have_attribute("data-outcome", "CARRIED")
        assert page.evaluate("window.__samePage") is True  # never reloaded
        assert int(page.locator("#pools").get_attribute("data-updates") or "0") >= 3
        shoot(page, "pools-live")
