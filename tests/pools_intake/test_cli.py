"""`tote race ...` as a subprocess against a real tote service on a free port."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.pools_intake.process import TOTE, clean_env

from tote.core.listen import free_port
from tote.http.common import ServerThread
from tote.http.tote_api import create_tote_app
from tote.log.sqlite import SqliteLog
from tote.pools.service import ToteService
from tote.registry import Registry
from tote.stack.paths import StackPaths
from tote.stack.procs import ProcessRef
from tote.stack.state import (
    PHASE_RUNNING,
    RUNNING,
    ServiceStatus,
    StackState,
    SupervisorInfo,
)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = SqliteLog(tmp_path_factory.mktemp("tote-cli") / "log.db")
    try:
        with ServerThread(create_tote_app(ToteService(log, Registry(log)))) as server:
            yield server.url
    finally:
        log.close()


def tote(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(TOTE), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean_env(tmp_path / "home", **env),
        check=False,
    )


def race(tmp_path: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return tote(tmp_path, "race", *args, "--url", url)


def test_a_race_from_open_to_result(tmp_path: Path, url: str) -> None:
    opened = race(
        tmp_path,
        url,
        "open",
        "C1",
        "--runners",
        "1-6",
        "--pool",
        "WIN",
        "--pool",
        "exacta:takeout_bp=1600,split=pool",
    )
    assert (opened.returncode, opened.stdout, opened.stderr) == (
        0,
        "Race C1 OPEN: runners 1, 2, 3, 4, 5, 6; pools WIN, EXACTA.\n",
        "",
    )
    placed = httpx.post(
        url + "/v1/bets",
        json={
            "idempotency_key": "c1",
            "race_id": "C1",
            "pool": "WIN",
            "selection": [4],
            "stake_cents": 1200,
        },
    )
    assert placed.json()["status"] == "ACCEPTED"
    scratched = race(tmp_path, url, "scratch", "C1", "4")
    assert scratched.stdout == "Runner 4 of race C1 scratched; refunded 1 bet, 12.00.\n"
    assert race(tmp_path, url, "close", "C1").stdout == "Race C1 CLOSED.\n"
    resulted = race(tmp_path, url, "result", "C1", "3", "1,6", "2")
    assert (resulted.returncode, resulted.stdout) == (0, "Race C1 RESULTED: 3 / 1=6 / 2.\n")
    shown = race(tmp_path, url, "show", "C1")
    state = json.loads(shown.stdout)
    assert (state["status"], state["scratched"], state["result"]) == (
        "RESULTED",
        [4],
        [[3], [1, 6], [2]],
    )
    assert [(p["pool"], p["takeout_bp"], p["split"]) for p in state["pools"]] == [
        ("WIN", 1450, "PROFIT"),
        ("EXACTA", 1600, "POOL"),
    ]


def test_a_scratching_that_leaves_a_pool_short_voids_it(tmp_path: Path, url: str) -> None:
    opened = race(
        tmp_path,
        url,
        "open",
        "C7",
        "--runners",
        "1-6",
        "--pool",
        "WIN",
        "--pool",
        "TRIFECTA:min_starters=5",
    )
    assert opened.returncode == 0, opened.stderr

    def bet(key: str, pool: str, selection: list[int]) -> httpx.Response:
        body = {
            "idempotency_key": key,
            "race_id": "C7",
            "pool": pool,
            "selection": selection,
            "stake_cents": 600,
        }
        return httpx.post(url + "/v1/bets", json=body)

    assert bet("t1", "TRIFECTA", [1, 2, 3]).json()["status"] == "ACCEPTED"
    assert race(tmp_path, url, "scratch", "C7", "6").stdout == (
        "Runner 6 of race C7 scratched; refunded 0 bets, 0.00.\n"
    )
    short = race(tmp_path, url, "scratch", "C7", "5")
    assert (short.returncode, short.stdout) == (
        0,
        "Runner 5 of race C7 scratched; refunded 1 bet, 6.00. "
        "Too few starters left: TRIFECTA voided.\n",
    )
    refused = bet("t2", "TRIFECTA", [1, 2, 3])
    assert (refused.status_code, refused.json()["error_code"], refused.json()["reason"]) == (
        422,
        42202,
        "POOL_CLOSED",
    )
    assert refused.json()["message"] == (
        "The TRIFECTA pool of race C7 was voided: 4 starters left; "
        "the TRIFECTA pool needs at least 5."
    )
    assert bet("w1", "WIN", [1]).json()["status"] == "ACCEPTED"
    shown = json.loads(race(tmp_path, url, "show", "C7").stdout)
    assert [(p["pool"], p["min_starters"], p["voided"]) for p in shown["pools"]] == [
        ("WIN", 1, False),
        ("TRIFECTA", 5, True),
    ]


def test_json_output_and_void(tmp_path: Path, url: str) -> None:
    assert race(tmp_path, url, "open", "C2", "--runners", "1,2,5").returncode == 0
    voided = race(tmp_path, url, "void", "C2", "--json")
    assert voided.returncode == 0
    body = json.loads(voided.stdout)
    assert (body["status"], body["refunds"]) == ("VOIDED", {"bets": 0, "stake_cents": 0})


def test_refusals_are_one_error_line_and_exit_1(tmp_path: Path, url: str) -> None:
    assert race(tmp_path, url, "open", "C3", "--runners", "1-4").returncode == 0
    again = race(tmp_path, url, "open", "C3", "--runners", "1-4")
    assert (again.returncode, again.stdout, again.stderr) == (
        1,
        "",
        "Error: Race C3 already exists (OPEN).\n",
    )
    early = race(tmp_path, url, "result", "C3", "1")
    assert (early.returncode, early.stderr) == (
        1,
        "Error: Race C3 is still OPEN; close betting before declaring its result.\n",
    )
    unknown = race(tmp_path, url, "close", "NOPE")
    assert (unknown.returncode, unknown.stderr) == (1, "Error: Race NOPE not found.\n")


def test_bad_arguments_exit_2(tmp_path: Path, url: str) -> None:
    bad_runners = race(tmp_path, url, "open", "C4", "--runners", "1-x")
    assert bad_runners.returncode == 2
    assert "'1-x' is not a runner list such as 1-8 or 1,2,5." in bad_runners.stderr
    bad_rule = race(tmp_path, url, "open", "C4", "--runners", "1-4", "--pool", "WIN:cut=5")
    assert bad_rule.returncode == 2
    assert "'cut=5' is not RULE=VALUE" in bad_rule.stderr
    bad_position = race(tmp_path, url, "result", "C4", "1,a")
    assert bad_position.returncode == 2
    assert "'1,a' is not a position such as 3 or 1,6." in bad_position.stderr


def test_the_default_url_comes_from_the_configuration(tmp_path: Path, url: str) -> None:
    port = url.rsplit(":", 1)[1]
    opened = tote(tmp_path, "race", "open", "C5", "--runners", "1-3", TOTE_TOTE_PORT=port)
    assert (opened.returncode, opened.stderr) == (0, "")
    assert opened.stdout.startswith("Race C5 OPEN: runners 1, 2, 3;")


def test_the_default_url_is_the_running_stacks(tmp_path: Path, url: str) -> None:
    """`tote up --tote-port N` then `tote race ...` without --url: the race command finds
    the service in the stack's state file, as `tote build`, `play` and `sql` do."""
    home = tmp_path / "stack-home"
    me = ProcessRef.of(os.getpid())
    assert me is not None
    state = StackState(home=str(home), backend="sqlite", bootstrap_servers="",
                       supervisor=SupervisorInfo(me.pid, me.started, detached=True),
                       database_url="", aliases={}, phase=PHASE_RUNNING,
                       services=[ServiceStatus("tote", url, int(url.rsplit(":", 1)[1]),
                                               available=True, log="", state=RUNNING)])
    state.save(StackPaths.of(home).state_file)
    configured = str(free_port())  # what the old default asked: nobody listens there
    opened = tote(tmp_path, "race", "open", "C6", "--runners", "1-3",
                  TOTE_HOME=str(home), TOTE_TOTE_PORT=configured)
    assert (opened.returncode, opened.stderr) == (0, "")
    assert opened.stdout.startswith("Race C6 OPEN: runners 1, 2, 3;")


def test_an_unreachable_service_is_a_clear_error(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    closed = tote(tmp_path, "race", "close", "C1", "--url", dead)
    assert closed.returncode == 1
    assert closed.stderr.startswith(f"Error: cannot reach the tote service at {dead} (")
    assert closed.stderr.endswith("Is it running? (`tote up`, or `tote serve tote`)\n")
