"""Fixtures shared by the SQL engine's tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tote.core.clock import ManualClock
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog
from tote.registry import Registry
from tote.sql.engine import Engine


@pytest.fixture
def engine() -> Iterator[Engine]:
    """An engine over a memory log and its registry, on manual clocks, reading from the
    earliest offset (modules with their own set-up define their own `engine`)."""
    log = MemoryLog(clock=ManualClock(1000))
    with Registry(log) as registry:
        eng = Engine(log, registry, clock=ManualClock(5000),
                     properties={"auto.offset.reset": "earliest"})
        eng.start()
        yield eng
        eng.close()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """An engine over a SQLite log in `tmp_path` and its registry, with the defaults a
    server starts with (modules that need a real file log use it as their `engine`)."""
    with SqliteLog(tmp_path / "tote.db") as log, Registry(log) as registry:
        eng = Engine(log, registry)
        eng.start()
        yield eng
        eng.close()
