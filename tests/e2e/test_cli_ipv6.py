"""`tote up --host ::1`: the seed end to end on the IPv6 loopback, as a user runs it.

Every service listens on [::1] and `tote build` / `tote play` reach them by the bracketed
URLs of the stack's state. The services reach each other through the host alias table,
so its IPv6 endpoints must come out bracketed in the URLs it rewrites: the JDBC sink's
`jdbc:postgresql://db:5432/totebets` and its `http://schema-registry:8081`, and the web
UI's links to its neighbours. One stack, started once (several processes).
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from tests.e2e.seedflow import (
    BETS_TABLE,
    ODDS_TABLE,
    SEED_BETS,
    SEED_ODDS,
    count,
    database_url,
    rows,
)
from tests.listening import needs_ipv6
from tests.stack.helpers import WAIT_TIMEOUT_S, Stack

pytestmark = [pytest.mark.slow, needs_ipv6]

HTTP_SERVICES = ("schema-registry", "rest-proxy", "connect", "ksqldb", "ui", "tote")


def _wait_for_sink(stack: Stack, db: str, table: str, expected: int) -> None:
    """Wait until the JDBC sink wrote `expected` rows into `table`; fail at once, with its
    trace, if the sink's task fails (rather than after the whole wait)."""
    status_url = stack.url("connect") + "/connectors/jdbc-sink-connector/status"
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    while count(db, table) < expected:
        tasks = httpx.get(status_url, timeout=30).json().get("tasks", [])
        failed = [t.get("trace", "") for t in tasks if t["state"] == "FAILED"]
        assert not failed, f"the JDBC sink's task failed: {failed[0]}"
        assert time.monotonic() < deadline, f"{table} has < {expected} rows after the wait"
        time.sleep(0.2)


def test_the_seed_runs_on_the_ipv6_loopback(stack_dir: Path) -> None:
    stack = Stack.create(stack_dir, host="::1")
    try:
        up = stack.up("--host", "::1")
        assert up.returncode == 0, up.stdout + up.stderr
        status = stack.status()
        urls = {s["name"]: s["url"] for s in status["services"]}
        assert {name: urls[name] for name in HTTP_SERVICES} == {
            name: f"http://[::1]:{stack.ports[name]}" for name in HTTP_SERVICES}
        assert status["database_url"].startswith("postgresql://postgres:example@[::1]:")
        for name in HTTP_SERVICES:  # each answers on [::1] (any status but a server error)
            assert httpx.get(stack.url(name) + "/", timeout=30).status_code < 500, name

        build = stack.tote("build", "--home", str(stack.home))
        assert build.returncode == 0, build.stdout + build.stderr
        assert build.stdout.splitlines()[0] == f"ksqlDB {stack.url('ksqldb')}: 7 statements"
        assert "  ✓ connector jdbc-sink-connector: created" in build.stdout.splitlines()
        play = stack.tote("play", "--home", str(stack.home))
        assert play.returncode == 0, play.stdout + play.stderr
        assert play.stdout.splitlines()[-1] == "Posted 9 bets."

        db = database_url(stack)
        _wait_for_sink(stack, db, ODDS_TABLE, 9)
        _wait_for_sink(stack, db, BETS_TABLE, 9)
        assert rows(db, ODDS_TABLE) == SEED_ODDS
        assert rows(db, BETS_TABLE) == SEED_BETS
        # Its worker names itself as Kafka Connect does: advertised host and port.
        status_url = stack.url("connect") + "/connectors/jdbc-sink-connector/status"
        task = httpx.get(status_url, timeout=30).json()["tasks"][0]
        assert task["worker_id"] == f"[::1]:{stack.ports['connect']}"

        # The web UI links its neighbours by the same bracketed URLs and finds them up.
        page = httpx.get(stack.url("ui") + "/stack", timeout=60)
        assert page.status_code == 200, page.text[:2000]
        assert stack.registry in page.text and stack.url("ksqldb") in page.text
    finally:
        stack.down()
