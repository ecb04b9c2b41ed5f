"""Fixtures of the web UI tests.

* `postgres` — a PostgreSQL server for the whole session: the machine's own at
  127.0.0.1:5432 when it answers (CI's machines have one, trust auth), else tote's
  embedded one in a private temp dir.
* `database` — a fresh, uniquely named database on it for one test module, dropped after.
* `module_dir` — a fresh data dir for a module's `tote up` (see tests/stack/helpers.py).
* `browser` (per module) / `page` — Debian's chromium driven by Playwright (never a
  downloaded browser); `shoot(page, name)` saves a screenshot into `test-artifacts/ui/`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from tests.server_homes import server_home
from tests.stack.helpers import private_dir

from tote.embedded.postgres import EmbeddedPostgres

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(host=self.host, port=self.port, user="postgres",
                               password="example", dbname="postgres", autocommit=True,
                               connect_timeout=5)

    def url(self, database: str) -> str:
        return f"postgresql://postgres:example@{self.host}:{self.port}/{database}"


def _system_postgres() -> Postgres | None:
    candidate = Postgres("127.0.0.1", 5432)
    try:
        with candidate.admin():
            return candidate
    except psycopg.OperationalError:
        return None


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    found = _system_postgres()
    if found is not None:
        yield found
        return
    with server_home() as directory, EmbeddedPostgres(directory / "pg",
                                                      password="example") as server:
        assert server.port is not None
        yield Postgres("127.0.0.1", server.port)


@pytest.fixture(scope="module")
def database(postgres: Postgres) -> Iterator[str]:
    name = f"tote_ui_{uuid.uuid4().hex[:12]}"
    with postgres.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with postgres.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def module_dir() -> Iterator[Path]:
    yield from private_dir("tote-ui-test-")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Per module, not per session: while Playwright's sync API runs, its event loop is the
    thread's running loop, so a later test's `asyncio.run` would fail (in the same pytest
    process: xdist runs any module after the browser tests)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is needed for the browser tests: "
                    "apt-get install -y chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(30_000)
    yield opened
    context.close()


@pytest.fixture
def shoot() -> Callable[[Any, str], Path]:
    def save(page: Any, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path
    return save
