"""`tote up` runs the UI as one of its services, with the options and environment the
supervisor gives it: it answers on its port, browses the stack's own PostgreSQL, and
reports the other services at the ports `tote up` chose."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from tests.stack.helpers import Stack

from tote.stack.services import SERVICES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def up() -> Iterator[Stack]:
    # Not tmp_path: the embedded PostgreSQL runs as an unprivileged user when tests run as
    # root, and must traverse every parent directory (see tests/stack/conftest.py).
    directory = Path(tempfile.mkdtemp(prefix="tote-ui-up-"))
    stack = Stack.create(directory)
    try:
        started = stack.up()
        assert started.returncode == 0, started.stdout + started.stderr
        yield stack
    finally:
        stack.down()
        shutil.rmtree(directory, ignore_errors=True)


def test_the_ui_is_a_service_of_the_stack(up: Stack) -> None:
    row = up.service("ui")
    assert (row["state"], row["port"], row["healthy"]) == ("running", up.ports["ui"], True)


def test_the_ui_browses_the_stacks_database(up: Stack, page: Any,
                                           shoot: Callable[[Any, str], Path]) -> None:
    page.goto(up.url("ui") + "/db")
    expect(page.locator("main p.muted").first).to_have_text(
        f"postgresql+psycopg://postgres:***@127.0.0.1:{up.db_port}/totebets")
    expect(page.locator("#db-error")).to_have_count(0)
    shoot(page, "tote-up-db")
    page.goto(up.url("ui") + "/")
    expect(page.locator("h1")).to_have_text("Tote board")
    shoot(page, "tote-up-board")


def test_the_ui_finds_the_other_services_at_their_ports(up: Stack) -> None:
    page = re.sub(r">\s+<", "><", httpx.get(up.url("ui") + "/stack", timeout=60).text)
    names = {"schema-registry": "Schema Registry", "rest-proxy": "REST Proxy",
             "connect": "Connect", "ksqldb": "ksqlDB"}
    for spec in SERVICES:
        if spec.name not in names:
            continue
        state = "running" if spec.available else "not running"
        assert (f"<tr><td>{names[spec.name]}</td><td><code>{up.url(spec.name)}</code></td>"
                f'<td><span class="badge {"live" if spec.available else "down"}">{state}'
                "</span></td></tr>") in page
