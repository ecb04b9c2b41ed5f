"""`tote sql` driven through a pseudo-terminal, as a user types into it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect

TIMEOUT = 60


def spawn_shell(url: str, history: Path) -> pexpect.spawn:
    """`tote sql` on a pseudo-terminal, at its first prompt."""
    env = dict(os.environ, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", COLUMNS="120")
    child = pexpect.spawn(sys.executable, ["-m", "tote", "sql", "--server", url, "--history",
                                           str(history)],
                          env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(40, 120))
    child.expect_exact("ksql>")
    return child
