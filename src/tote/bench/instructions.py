"""Counting instructions instead of seconds, for figures load cannot move.

A bench phase runs in its own process under valgrind's callgrind with collection off;
the phase switches it on and off around its measured loop (`collect`), so start-up and
set-up are not counted. Only the thread running the loop (the main thread) is counted:
background threads (the SQLite log's WAL checkpointer, its change watcher) wake on
timers, so how much they run depends on how long the loop takes, which is what load
changes. The count repeats within a fraction of a percent from run to run (hash seeds
fixed), whatever else a shared machine is doing; seconds do not.

    counted = count(["-m", "tote.bench.pipeline_worker", "baseline", db, "20000"])
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from tote.core.errors import ToteError

ENV = "TOTE_COUNT_INSTRUCTIONS"
_TOTALS = re.compile(r"^totals: (\d+)", re.MULTILINE)


def missing() -> str | None:
    """Why instructions cannot be counted here (valgrind is not installed), or None."""
    for tool in ("valgrind", "callgrind_control"):
        if shutil.which(tool) is None:
            return f"'{tool}' is not on the PATH: install valgrind to count instructions."
    return None


def collect(on: bool) -> None:
    """Switch counting on or off for this process, when it runs under `count`."""
    if os.environ.get(ENV) != "1":
        return
    subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())],
                   capture_output=True, check=True)


def count(args: Sequence[str]) -> int:
    """Run `python ARGS` under callgrind; the instructions counted in its measured loop."""
    reason = missing()
    if reason is not None:
        raise ToteError(reason)
    env = {**os.environ, ENV: "1", "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory(prefix="tote-callgrind-") as tmp:
        dump = Path(tmp) / "callgrind.out"
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--instr-atstart=no", "--separate-threads=yes",
             f"--callgrind-out-file={dump}", sys.executable, *args],
            capture_output=True, text=True, env=env, check=False)
        main_thread = dump.with_name(dump.name + "-01")  # one file per thread, main first
        found = _TOTALS.search(main_thread.read_text()) if main_thread.exists() else None
    if out.returncode != 0 or found is None:
        raise ToteError(f"counting instructions of {' '.join(args)} failed:\n"
                        f"{out.stderr[-2000:]}")
    return int(found.group(1))
