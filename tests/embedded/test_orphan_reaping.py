"""A later run cleans up the embedded PostgreSQL servers a killed test process left behind.

Each owner here is a real Python process that starts a real server through the suite's own
`server_home()`, as a fixture does; killing it with SIGKILL skips every teardown, exactly
like `timeout` killing pytest.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.server_homes import reap_orphaned_homes

from tote.embedded import EmbeddedPostgres

REPO = Path(__file__).resolve().parents[2]

# Starts a server in a recorded home (or, given a pid, only fakes a lock file naming that
# pid), prints the home, and keeps it until stdin closes.
OWNER = """
import sys
from tests.server_homes import server_home
from tote.embedded import EmbeddedPostgres
with server_home() as home:
    if len(sys.argv) > 1:
        (home / "pg").mkdir()
        (home / "pg" / "postmaster.pid").write_text(sys.argv[1] + "\\n")
        server = None
    else:
        server = EmbeddedPostgres(home / "pg").start()
    print(home, flush=True)
    sys.stdin.read()
    if server is not None:
        server.stop()
"""


def _running(pid: int) -> bool:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return text[text.rindex(")") + 2] != "Z"


@contextmanager
def _owner(*args: str) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """An owner process and its server's home; stopped gently if the test left it alive."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])}
    proc = subprocess.Popen([sys.executable, "-c", OWNER, *args], cwd=REPO, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    home = Path(proc.stdout.readline().strip())
    try:
        assert home.is_dir(), "the owner did not start its server"
        yield proc, home
    finally:
        if proc.poll() is None:
            proc.communicate("", timeout=120)
        if home.is_dir() and not args:  # not reaped: do not leave a server running
            EmbeddedPostgres(home / "pg").stop(mode="immediate")
            shutil.rmtree(home)


def _kill(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def _postmaster(home: Path) -> int:
    return int((home / "pg" / "postmaster.pid").read_text().split()[0])


def test_a_killed_owners_server_is_stopped_and_removed_a_live_owners_is_kept() -> None:
    with _owner() as (dead, dead_home), _owner() as (_live, live_home):
        orphan, kept = _postmaster(dead_home), _postmaster(live_home)
        _kill(dead)
        assert _running(orphan), "the server outlives its killed owner"

        reaped = reap_orphaned_homes()

        assert not _running(orphan)
        assert not dead_home.exists()
        assert dead_home in reaped
        assert _running(kept)
        assert (live_home / "pg" / "PG_VERSION").is_file()
        assert live_home not in reaped


def test_a_process_that_is_not_the_homes_postmaster_is_never_signalled() -> None:
    bystander = subprocess.Popen(["sleep", "300"])
    try:
        with _owner(str(bystander.pid)) as (owner, home):
            _kill(owner)
            reaped = reap_orphaned_homes()
            assert home in reaped
            assert not home.exists()
            assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
