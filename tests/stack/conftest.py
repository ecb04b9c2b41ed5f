"""Fixtures for the stack tests.

Data dirs live in their own directory under the system temp dir, not under pytest's
`tmp_path`: when tests run as root, PostgreSQL runs as an unprivileged user that must
traverse every parent directory, and pytest resets `/tmp/pytest-of-<user>` to mode 0700
whenever any pytest session starts (other sessions run concurrently on shared machines).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _private_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="tote-stack-test-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def module_dir() -> Iterator[Path]:
    """A fresh directory for a module's stack (see the module docstring for why not tmp_path)."""
    yield from _private_dir()


@pytest.fixture
def stack_dir() -> Iterator[Path]:
    """A fresh directory for one test's stack."""
    yield from _private_dir()
