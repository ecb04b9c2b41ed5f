"""Fixtures of the sequencer tests: a desk (sequencer on a fresh sqlite log) and race R5."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.pools_intake.desk import Desk

RUNNERS = [1, 2, 3, 4, 5, 6, 7, 8]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    opened = Desk.open(tmp_path / "log.db")
    yield opened
    opened.close()


@pytest.fixture
def r5(desk: Desk) -> Desk:
    """Race R5 open with runners 1-8 and every pool type at its defaults."""
    assert desk.open_race("R5", RUNNERS).ok
    return desk
