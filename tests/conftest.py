"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tote.log.tansu import TansuBroker


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A Tansu broker (memory storage) on a free port for the whole session.

    It is ready when this returns (it answered a Metadata request) and is stopped at the
    end of the session. Tests share it, so they must use unique topic and group names.
    """
    with TansuBroker() as broker:
        yield broker.bootstrap_servers
