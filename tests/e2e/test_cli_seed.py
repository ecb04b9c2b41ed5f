"""`tote demo`, `tote build` and `tote play` as a user runs them: output, exit codes, errors.

The demo test runs `tote demo` on a fresh data dir (ports from `TOTE_*` variables), which
starts the stack and leaves it running; a second `tote demo --stop` reuses that stack,
adds the seed's bets again and stops it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.e2e.seedflow import SEED_BETS, expected_odds
from tests.stack.helpers import Stack

from tote.core.listen import free_port
from tote.stack.services import SERVICES

pytestmark = pytest.mark.slow

ODDS_HEADER = ["RUNNER_ID", "RUNNER_POOL_AMOUNT", "RACE_POOL_AMOUNT", "ODDS"]


def _table_cells(stdout: str, columns: int) -> list[list[str]]:
    """The header and body cells of every Rich table row with `columns` columns, in order."""
    return [[c.strip() for c in line[1:-1].split(line[0])] for line in
            (line.rstrip() for line in stdout.splitlines())
            if line[:1] in ("│", "┃") and line.count(line[0]) == columns + 1]


def _printed(rows: list[tuple[int, float, float, float]]) -> list[list[str]]:
    return [[str(runner), f"{runner_pool:g}", f"{race_pool:g}", repr(round(odds, 7))]
            for runner, runner_pool, race_pool, odds in rows]


def test_build_without_a_running_stack_says_so(stack_dir: Path) -> None:
    stack = Stack.create(stack_dir)
    for command in ("build", "play"):
        done = stack.tote(command, "--home", str(stack.home))
        assert (done.returncode, done.stdout) == (1, "")
        assert done.stderr == (f"Error: No stack is running on {stack.home}; start it with "
                               f"`tote up` (or `tote demo`).\n")


def test_build_reports_an_unreadable_statements_file(stack_dir: Path) -> None:
    stack = Stack.create(stack_dir)
    missing = stack_dir / "missing.sql"
    done = stack.tote("build", "--statements", str(missing), "--ksqldb-url",
                      "http://127.0.0.1:1", "--connect-url", "http://127.0.0.1:1")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == f"Error: Cannot read {missing}: No such file or directory.\n"


def test_build_reports_a_bad_connector_file(stack_dir: Path) -> None:
    stack = Stack.create(stack_dir)
    connector = stack_dir / "connector.json"
    connector.write_text('{"config": {}}')
    done = stack.tote("build", "--connector", str(connector), "--ksqldb-url",
                      "http://127.0.0.1:1", "--connect-url", "http://127.0.0.1:1")
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"Error: {connector} must be a JSON object with a \"name\" and a "
                           f"\"config\" object, as POST /connectors expects.\n")


def test_play_stops_at_an_unreachable_rest_proxy(stack_dir: Path) -> None:
    stack = Stack.create(stack_dir)
    url = f"http://127.0.0.1:{free_port()}"
    done = stack.tote("play", "--rest-proxy-url", url)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == f"REST proxy {url}: 2 payloads"
    assert lines[1].startswith(f"  ✗ post_bets.payload.json → tote_win_bets: cannot reach the "
                               f"REST proxy at {url}/topics/tote_win_bets: ")
    assert len(lines) == 2


def test_demo_runs_the_seed_then_leaves_the_stack_running_or_stops_it(stack_dir: Path) -> None:
    stack = Stack.create(stack_dir)
    for spec in SERVICES:
        stack.env[spec.port_env] = str(stack.ports[spec.name])
    stack.env["TOTE_DB_PORT"] = str(stack.db_port)
    try:
        first = stack.tote("demo", "--home", str(stack.home))
        assert first.returncode == 0, first.stdout + first.stderr
        lines = [line.rstrip() for line in first.stdout.splitlines()]
        assert lines[0] == f"tote stack on {stack.home}"
        assert f"ksqlDB {stack.url('ksqldb')}: 7 statements" in lines
        assert "  ✓ connector jdbc-sink-connector: created" in lines
        assert "  ✓ post_bets_large.payload.json → tote_win_bets: 7 bets at offsets 2-8" in lines
        assert any(line.startswith("Waiting for the odds in PostgreSQL") and " 9/9 " in line
                   for line in lines)
        odds = _table_cells(first.stdout, 4)
        assert odds == [ODDS_HEADER, *_printed(expected_odds(SEED_BETS))]
        assert [row[3] for row in odds[1:]] == ["1.0", "1.5", "1.6666667", "2.3636364",
                                                "2.1538462", "1.8823529", "2.1538462",
                                                "1.8666667", "2.1538462"]
        assert lines[-9:] == [
            f"The stack keeps running on {stack.home}:",
            f"  tote board + database browser  {stack.url('ui')}/",
            f"  ksqlDB                         {stack.url('ksqldb')}",
            f"  REST proxy                     {stack.proxy}",
            f"  Schema Registry                {stack.registry}",
            f"  Kafka Connect                  {stack.url('connect')}",
            f"  PostgreSQL                     {stack.status()['database_url']}",
            f"Watch the odds live: `tote sql --server {stack.url('ksqldb')}`, then SELECT * "
            f"FROM tote_win_bet_race_runners_odds WHERE race_id = 0 EMIT CHANGES;",
            "More bets: `tote play`. Stop it: `tote down` (`tote prune` deletes its data).",
        ]
        assert stack.status()["running"] is True

        second = stack.tote("demo", "--stop", "--home", str(stack.home))
        assert second.returncode == 0, second.stdout + second.stderr
        lines = [line.rstrip() for line in second.stdout.splitlines()]
        assert lines[0] == f"Using the stack already running on {stack.home}."
        assert "  • connector jdbc-sink-connector: already exists (left as it is)" in lines
        assert _table_cells(second.stdout, 4) == [
            ODDS_HEADER, *_printed(expected_odds(SEED_BETS * 2)[9:])]
        assert lines[-2:] == [
            "(The data dir already held 9 odds rows: these odds include earlier bets. "
            "`tote down && tote prune --yes` starts afresh.)",
            f"Stopped the stack on {stack.home}.",
        ]
        assert stack.status()["running"] is False
    finally:
        stack.down()
