"""The pools board over HTTP against a real log: the sequencer takes spec §10's TC1 (WIN,
15% takeout, R1 $500, R2 $300, R3 $150, R4 $50; R2 wins) and pools.sql prices it; the
page shows the spec's approximates at the close, then the $2.80 dividend. Before any of
that, the board says which topics it is waiting for."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from tests.ui.pools_world import PoolsWorld

from tote.pools.commands import PoolRules
from tote.ui.pools_board import TOPICS

ROW = re.compile(
    r'<tr data-combination="([^"]*)" class="([^"]*)"><td class="combination">(.*?)</td>'
    r'<td class="num stake">(.*?)</td><td class="num will-pay">(.*?)</td>'
    r'<td class="num odds">(.*?)</td></tr>'
)


def compact(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


def pool_section(html: str, pool: str) -> str:
    """The inside of a pool's section ("" if the page has no such pool)."""
    found = re.search(
        rf'<section class="pool" id="pool-{pool}" data-pool="{pool}">(.*?)</section>',
        compact(html),
        re.S,
    )
    return found.group(1) if found else ""


def will_pays(html: str, pool: str) -> list[tuple[str, str, str, str]]:
    """(runner or combination, stake, will-pay, odds) per row of a pool's table."""
    return [(m[0], m[3], m[4], m[5]) for m in ROW.findall(pool_section(html, pool))]


def first_event(url: str) -> tuple[str, str]:
    """The name and data of the first server-sent event at `url`."""
    name, data = "", []
    with httpx.stream("GET", url, timeout=30) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                data.append(line[len("data: ") :])
            elif not line and name:
                break
    return name, "\n".join(data)


def test_tc1_approximates_then_the_dividend(tmp_path: Path) -> None:
    with PoolsWorld.start(tmp_path) as world:
        waiting = f"waiting for {', '.join(TOPICS)} (not on the log yet)"
        text = world.poll(None, waiting)
        assert '<span id="pools-status" class="badge waiting">WAITING</span>' in text
        assert waiting in text and "No races yet." in text

        world.deploy()
        world.open_race("TC1", [1, 2, 3, 4], PoolRules("WIN", takeout_bp=1500))
        world.bets(
            "TC1",
            ("WIN", [1], 50_000),
            ("WIN", [2], 30_000),
            ("WIN", [3], 15_000),
            ("WIN", [4], 5_000),
        )
        stakes = [("1", "$500.00"), ("2", "$300.00"), ("3", "$150.00"), ("4", "$50.00")]
        text = compact(
            world.poll(
                "TC1",
                "live: the pools topics",
                "$1,000.00",
                lambda t: [r[:2] for r in will_pays(t, "WIN")] == stakes,
            )
        )
        assert '<span id="pools-status" class="badge live">LIVE</span>' in text
        assert (
            '<a href="/pools?race=TC1" class="on" data-race="TC1">TC1 '
            '<span class="race-status status-open">OPEN</span></a>'
        ) in text
        win = pool_section(text, "WIN")
        assert '<strong class="gross">$1,000.00</strong>' in win
        assert '<span class="muted tickets">4 tickets</span>' in win
        assert "takeout 15.00%" in win
        assert [row[:2] for row in will_pays(text, "WIN")] == stakes

        world.close_betting("TC1")
        final = [
            ("1", "$500.00", "$1.70", "3-5"),
            ("2", "$300.00", "$2.80", "9-5"),
            ("3", "$150.00", "$5.60", "9-2"),
            ("4", "$50.00", "$17.00", "16-1"),
        ]
        text = compact(world.poll("TC1", "CLOSED", lambda t: will_pays(t, "WIN") == final))
        assert '<span class="race-status status-closed" id="race-status">CLOSED</span>' in text
        assert will_pays(text, "WIN") == final
        assert "net $850.00" in pool_section(text, "WIN")
        assert 'class="settlement' not in text

        world.result("TC1", [[2], [1], [3], [4]])
        text = compact(world.poll("TC1", 'class="settlement', 'class="placings"'))
        assert '<span class="race-status status-resulted" id="race-status">RESULTED</span>' in text
        assert (
            '<span class="placing" data-position="1"><em>1st</em> 2</span>'
            '<span class="placing" data-position="2"><em>2nd</em> 1</span>'
        ) in text
        win = pool_section(text, "WIN")
        assert (
            '<tr data-combination="2"><td class="combination">2</td>'
            '<td class="num dividend">$2.80</td><td class="num">300</td></tr>'
        ) in win
        assert ("Gross $1,000.00 · takeout $150.00 · net $850.00 · breakage $10.00</p>") in win

        # The page holds the same fragment, and so does the first event of its stream.
        page = httpx.get(world.ui_url + "/pools", params={"race": "TC1"}, timeout=30).text
        assert '<a href="/pools" class="on">Pools</a>' in page
        assert '<div id="pools" data-stream="/pools/stream?race=TC1" data-updates="0">' in page
        assert compact(world.fragment("TC1")) in compact(page)
        name, data = first_event(world.ui_url + "/pools/stream?race=TC1")
        assert (name, compact(data)) == ("pools", compact(world.fragment("TC1")))


def test_scratchings_voids_and_unknown_races(tmp_path: Path) -> None:
    with PoolsWorld.start(tmp_path) as world:
        world.deploy()
        world.open_race("R1", [1, 2, 3], PoolRules("WIN"))
        world.open_race("R2", [1, 2], PoolRules("WIN"))
        world.bets("R1", ("WIN", [1], 1_000), ("WIN", [2], 1_000), ("WIN", [3], 1_000))
        world.scratch("R1", 2)
        world.bets("R2", ("WIN", [1], 1_000))
        world.void("R2")
        repriced = [("1", "$10.00", "$1.70"), ("2", "$0.00", "—"), ("3", "$10.00", "$1.70")]
        text = compact(
            world.poll(
                "R1",
                "live: the pools topics",
                "scratched",
                "VOIDED",
                lambda t: [r[:3] for r in will_pays(t, "WIN")] == repriced,
            )
        )
        assert (
            '<span class="runner scratched" data-runner="2">2 <small>scratched</small></span>'
        ) in text
        # runner 2's $10 refunded: net $20 less 14.5% = $17.10 on $10 each, broken to $1.70
        assert [row[:3] for row in will_pays(text, "WIN")] == repriced
        assert '<tr data-combination="2" class="scratched">' in text
        assert '<span class="race-status status-voided">VOIDED</span></a>' in text
        # The void race's WIN pool says so and prices nothing: its ticket is refunded.
        voided = pool_section(world.poll("R2", "The race is void."), "WIN")
        assert "Voided, every ticket refunded: The race is void." in voided
        assert '<span class="board-state">void</span>' in voided
        assert 'class="approximates"' not in voided and "No bets yet" not in voided

        text = world.poll("<script>", "live: the pools topics")
        assert '<p class="empty">No race &lt;script&gt; on the log yet.</p>' in text
        assert "<script>" not in text
        text = world.fragment()  # no race asked for: the next to go off
        assert '<div class="race-head" id="race" data-race="R1">' in text

        # A topic deleted under the board: it starts again and waits for that one.
        world.log.delete_topic("tote_dividends")
        text = world.poll("R1", "waiting for tote_dividends (not on the log yet)")
        assert '<span id="pools-status" class="badge waiting">WAITING</span>' in text
        assert [row[:3] for row in will_pays(text, "WIN")] == repriced  # the rest still shows
