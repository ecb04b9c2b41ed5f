"""Fixtures of the pools-SQL tests: the shipped statements on a fresh engine and log."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.pools_sql.pipeline import PoolsPipeline

from tote.log.base import Log
from tote.log.memory import MemoryLog
from tote.log.sqlite import SqliteLog


@pytest.fixture
def pipe() -> Iterator[PoolsPipeline]:
    with MemoryLog() as log, PoolsPipeline.start(log) as started:
        yield started


@pytest.fixture(params=["memory", "sqlite"])
def any_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Log]:
    backend: Log = MemoryLog() if request.param == "memory" else SqliteLog(tmp_path / "t.db")
    with backend:
        yield backend
