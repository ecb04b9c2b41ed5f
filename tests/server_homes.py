"""Directories for the PostgreSQL servers tests start, and the reaping of orphaned ones.

A test's embedded PostgreSQL is a separate, detached process (`pg_ctl` starts it in its own
session), so when a pytest run is killed (`timeout`, SIGKILL) its fixtures never stop the
server: the postmaster keeps running and its data stays in the temp dir. Each directory
`server_home()` hands out is therefore recorded, before any server starts in it, in a
per-user registry under the system temp dir, with the pid and start time of the process
that owns it. `reap_orphaned_homes()` (run once at the start of every session, see
tests/conftest.py) stops the postmasters of homes whose owner is gone and removes the homes.

Safety: only recorded homes are touched, never one whose owner is alive (a concurrent run),
and a process is signalled only if `/proc/<pid>/cmdline` shows it is the postmaster of a data
directory inside that home, so neither the machine's own PostgreSQL nor a reused pid is hit.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shutil
import signal
import stat
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

_STOP_WAIT_S = 30.0
_POLL_S = 0.05


@dataclass(frozen=True)
class Owner:
    """A process, told apart from a later one that reuses its pid by its start time."""

    pid: int
    start_ticks: int

    @classmethod
    def current(cls) -> Owner:
        ticks = process_start_ticks(os.getpid())
        assert ticks is not None
        return cls(os.getpid(), ticks)

    def alive(self) -> bool:
        return process_start_ticks(self.pid) == self.start_ticks


def process_start_ticks(pid: int) -> int | None:
    """When `pid` started (clock ticks after boot), or None if it is gone or a zombie."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def registry_dir() -> Path:
    """This user's registry of test server homes; refused if someone else could plant files."""
    path = Path(tempfile.gettempdir()) / f"tote-test-servers-{os.getuid()}"
    path.mkdir(mode=0o700, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise RuntimeError(f"{path} is not a private directory of this user; not using it.")
    return path


@contextmanager
def server_home() -> Iterator[Path]:
    """A directory for a PostgreSQL cluster, outside pytest's tmp dirs, reaped if orphaned.

    When tests run as root the server runs as another user, who must be able to traverse
    every parent directory; pytest resets `/tmp/pytest-of-<user>` to 0700 whenever any
    session starts (another engineer's, on a shared machine), so clusters live in their
    own `/tmp/tote-pg-*` directory instead. On the way out, a server still running in it
    is stopped before the directory is removed.
    """
    home = Path(tempfile.mkdtemp(prefix="tote-pg-"))
    record = _record(home, Owner.current())
    try:
        yield home
    finally:
        _discard(home)
        record.unlink(missing_ok=True)


def reap_orphaned_homes() -> list[Path]:
    """Stop the servers of, and remove, every recorded home whose owner is gone."""
    registry = registry_dir()
    reaped: list[Path] = []
    with (registry / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one reaper at a time across concurrent runs
        for record in sorted(registry.glob("*.json")):
            entry = json.loads(record.read_text())
            if Owner(entry["pid"], entry["start_ticks"]).alive():
                continue
            home = Path(entry["home"])
            _discard(home)
            record.unlink(missing_ok=True)
            reaped.append(home)
    return reaped


def _record(home: Path, owner: Owner) -> Path:
    """Write the record atomically, so a reaper never reads half of it."""
    record = registry_dir() / f"{owner.pid}-{uuid.uuid4().hex}.json"
    partial = record.with_suffix(".partial")
    partial.write_text(json.dumps({"pid": owner.pid, "start_ticks": owner.start_ticks,
                                   "home": str(home)}))
    partial.replace(record)
    return record


def _discard(home: Path) -> None:
    """Stop every postmaster serving a data directory in `home`, then remove `home`."""
    if not home.is_absolute() or home == Path(home.anchor):
        raise RuntimeError(f"Refusing to discard {home}.")
    for pid_file in [home / "postmaster.pid", *home.glob("*/postmaster.pid")]:
        pid = _postmaster_pid(pid_file.parent)
        if pid is not None:
            _stop_postmaster(pid)
    shutil.rmtree(home, ignore_errors=True)


def _postmaster_pid(data_dir: Path) -> int | None:
    """The pid of the live postmaster of `data_dir`: its lock file's pid, checked in /proc."""
    try:
        pid = int((data_dir / "postmaster.pid").read_text().split()[0])
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except (OSError, ValueError, IndexError):
        return None
    wanted = os.fsencode(data_dir)
    names_it = (b"-D", wanted) in itertools.pairwise(argv)
    if Path(os.fsdecode(argv[0])).name != "postgres" or not names_it:
        return None
    return pid


def _stop_postmaster(pid: int) -> None:
    """Immediate shutdown (SIGQUIT); SIGKILL if it has not exited after a while."""
    started = process_start_ticks(pid)
    for sig in (signal.SIGQUIT, signal.SIGKILL):
        with suppress(ProcessLookupError):
            os.kill(pid, sig)
        if _exits(pid, started):
            return


def _exits(pid: int, started: int | None) -> bool:
    """Whether the process `pid` that started at `started` is gone within the stop wait."""
    deadline = time.monotonic() + _STOP_WAIT_S
    while started is not None and process_start_ticks(pid) == started:
        if time.monotonic() > deadline:
            return False
        time.sleep(_POLL_S)
    return True
