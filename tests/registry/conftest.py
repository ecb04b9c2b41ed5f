"""Fixtures of the registry tests.

* `log` — a fresh log, parametrised over the memory and sqlite backends.
* `registry` — a started `Registry` over `log`.
* `server` — the registry API served by uvicorn on a free port (`server.url`), over memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tote.http.common import ServerThread
from tote.http.registry_api import create_registry_app
from tote.log.base import Log
from tote.registry import Registry


def open_log(kind: str, path: Path) -> Log:
    if kind == "memory":
        from tote.log.memory import MemoryLog

        return MemoryLog()
    from tote.log.sqlite import SqliteLog

    return SqliteLog(path / "log.db")


@pytest.fixture(params=["memory", "sqlite"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Log]:
    opened = open_log(request.param, tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def registry(log: Log) -> Iterator[Registry]:
    with Registry(log) as started:
        yield started


@pytest.fixture
def server() -> Iterator[ServerThread]:
    from tote.log.memory import MemoryLog

    log = MemoryLog()
    with ServerThread(create_registry_app(Registry(log))) as running:
        yield running
    log.close()
