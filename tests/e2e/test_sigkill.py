"""SIGKILL each service of a running stack in turn while 20,000 bets are posted: the
supervisor restarts it, and the sink ends with every bet and every odds row exactly once.

The bets are split into one chunk per service. Each chunk is posted at a steady pace;
a third of the way through it, that service's process is SIGKILLed (PostgreSQL: its
postmaster); the test waits for the chunk to finish and the supervisor to report the
service running again under a new pid before the next one. Every bet carries a unique
AMOUNT, so the sink's `tote_win_bets` shows which bets landed and in what (offset)
order; the odds the seed's queries must give for exactly that order are computed here
and compared with `tote_win_bet_race_runners_odds` row by row.
"""

from __future__ import annotations

import json
import os
import signal
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from tests.e2e.poster import Poster
from tests.e2e.seedflow import (
    BETS_TABLE,
    ODDS_TABLE,
    database_url,
    expected_odds,
    rows,
    wait_caught_up,
    wait_for_count,
)
from tests.stack.helpers import Stack, wait_until

pytestmark = pytest.mark.slow

BETS = 20_000
BATCH = 50
RATE_PER_S = 1_000.0
KILLED = ("ksqldb", "connect", "rest-proxy", "schema-registry", "ui", "tote", "postgres")


def _rows(stack: Stack) -> dict[str, dict[str, Any]]:
    """The supervisor's state file (read directly: it is polled often here)."""
    state = json.loads((stack.home / "stack" / "state.json").read_text())
    return {row["name"]: row for row in state["services"]}


def _a_third_sent(poster: Poster) -> bool:
    return poster.sent >= len(poster.bets) // 3


def _restarted(stack: Stack, name: str, old_pid: int) -> bool:
    row = _rows(stack)[name]
    return row["state"] == "running" and row["pid"] not in (None, old_pid)


def test_every_service_killed_in_turn_loses_and_doubles_nothing(stack_dir: Path) -> None:
    stack = Stack.create(stack_dir)
    up = stack.up()
    try:
        assert up.returncode == 0, up.stderr
        built = stack.tote("build", "--home", str(stack.home))
        assert built.returncode == 0, built.stdout + built.stderr
        bets = [(i % 7 + 1, 0, float(i)) for i in range(1, BETS + 1)]
        chunk = -(-BETS // len(KILLED))
        posters = []
        for index, name in enumerate(KILLED):
            poster = Poster(stack.proxy, bets[index * chunk:(index + 1) * chunk], BATCH,
                            RATE_PER_S)
            posters.append(poster)
            poster.start()
            wait_until(partial(_a_third_sent, poster),
                       f"a third of the bets posted before killing {name}")
            old_pid = _rows(stack)[name]["pid"]
            os.kill(old_pid, signal.SIGKILL)
            poster.join(timeout=600)
            assert not poster.is_alive() and poster.error is None, poster.error
            wait_until(partial(_restarted, stack, name, old_pid), f"{name} to be restarted",
                       timeout_s=180)

        acked = {bet[2] for p in posters for bet in p.acked}
        ambiguous = {bet[2] for p in posters for bet in p.ambiguous}
        assert sum(p.sent for p in posters) == BETS
        assert len(acked) + len(ambiguous) == BETS
        assert sum(p.refused for p in posters) > 0  # the REST proxy was down for a while
        db = database_url(stack)
        wait_for_count(db, BETS_TABLE, len(acked), timeout_s=300)
        wait_caught_up(stack, timeout_s=300)

        landed = rows(db, BETS_TABLE)
        amounts = [bet[2] for bet in landed]
        assert len(amounts) == len(set(amounts)), "a bet reached the sink twice"
        assert acked <= set(amounts), f"{len(acked - set(amounts))} acknowledged bets lost"
        assert set(amounts) <= acked | ambiguous
        assert rows(db, ODDS_TABLE) == expected_odds(landed)
        report = {row["name"]: row for row in stack.status()["services"]}
        # At least once: a restart that fails at once (PostgreSQL while its killed
        # backends linger) is retried, and counts again.
        assert {name: (row["state"], row["restarts"] >= 1) for name, row in report.items()} \
            == {name: ("running", True) for name in KILLED}
    finally:
        stack.down()
