"""Fixtures for the end-to-end tests: fresh data dirs outside pytest's tmp_path.

As in tests/stack: when tests run as root the embedded PostgreSQL runs as an
unprivileged user that must traverse every parent directory, and pytest resets
`/tmp/pytest-of-<user>` to mode 0700 whenever another session starts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.stack.helpers import private_dir


@pytest.fixture(scope="module")
def module_dir() -> Iterator[Path]:
    """A fresh directory for a module's stack."""
    yield from private_dir("tote-e2e-test-")


@pytest.fixture
def stack_dir() -> Iterator[Path]:
    """A fresh directory for one test's stack."""
    yield from private_dir("tote-e2e-test-")
