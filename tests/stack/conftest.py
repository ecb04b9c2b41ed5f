"""Fixtures for the stack tests.

Data dirs live in their own directory under the system temp dir, not under pytest's
`tmp_path`: when tests run as root, PostgreSQL runs as an unprivileged user that must
traverse every parent directory, and pytest resets `/tmp/pytest-of-<user>` to mode 0700
whenever any pytest session starts (other sessions run concurrently on shared machines).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.stack.helpers import private_dir


@pytest.fixture(scope="module")
def module_dir() -> Iterator[Path]:
    """A fresh directory for a module's stack (see the module docstring for why not tmp_path)."""
    yield from private_dir("tote-stack-test-")


@pytest.fixture
def stack_dir() -> Iterator[Path]:
    """A fresh directory for one test's stack."""
    yield from private_dir("tote-stack-test-")
