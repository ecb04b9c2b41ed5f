"""Fixtures shared by every test package."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.server_homes import reap_orphaned_homes

from tote.log.tansu import TansuBroker


def pytest_sessionstart(session: pytest.Session) -> None:
    """Clean up the PostgreSQL servers a killed earlier run left (see tests/server_homes.py).

    Once per run: in the xdist controller, or the only process, never in each worker.
    """
    if not hasattr(session.config, "workerinput"):
        reap_orphaned_homes()


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A Tansu broker (memory storage) on a free port for the whole session.

    It is ready when this returns (it answered a Metadata request) and is stopped at the
    end of the session. Tests share it, so they must use unique topic and group names.
    """
    with TansuBroker() as broker:
        yield broker.bootstrap_servers
