"""Fixtures of the Log contract suite: every test runs once per backend.

* `log` — the log under test, parametrised over memory, sqlite and kafka (`backend`).
* `reopen` — close the log and open it again over the same data.
* `names` — unique topic/group/id names: the kafka case shares one broker per session.
* `@pytest.mark.unsupported_on("kafka", reason="...")` — the named backends cannot do
  what the test checks; the test is then a strict xfail for them only (it must keep
  failing, so a fixed gap is noticed), and runs normally everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.log.backends import (
    BACKEND_NAMES,
    Backend,
    KafkaBackend,
    LogHarness,
    MemoryBackend,
    Names,
    SqliteBackend,
)

from tote.log.base import Log


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "unsupported_on(*backends, reason): strict xfail of a contract test on those backends",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marker = item.get_closest_marker("unsupported_on")
        callspec = getattr(item, "callspec", None)
        if callspec is None:
            continue
        backend = callspec.params.get("backend")
        if backend == "kafka":
            item.add_marker(pytest.mark.kafka)
        if marker is None:
            continue
        if backend in marker.args:
            reason = marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"{backend}: {reason}"))


@pytest.fixture(params=BACKEND_NAMES)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "memory":
        return MemoryBackend()
    if request.param == "sqlite":
        return SqliteBackend(tmp_path / "log.db")
    return KafkaBackend(request.getfixturevalue("kafka_bootstrap"))


@pytest.fixture
def harness(backend: Backend) -> Iterator[LogHarness]:
    harness = LogHarness(backend)
    yield harness
    harness.close()


@pytest.fixture
def log(harness: LogHarness) -> Log:
    return harness.log


@pytest.fixture
def reopen(harness: LogHarness) -> Callable[[], Log]:
    return harness.reopen


@pytest.fixture
def names(request: pytest.FixtureRequest) -> Names:
    return Names(request.node.originalname)
