"""`tote down`, `tote status`, `tote prune`: act on a stack from any shell, through the state file.

Nothing here trusts a bare pid: every process is checked by pid and start time
(`procs.ProcessRef`) before it is signalled, so a pid reused after a crash is left alone.
"""

from __future__ import annotations

import shutil
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tote.stack.errors import StackError, StackRunning
from tote.stack.health import http_ok, tcp_ok
from tote.stack.lag import stack_lags
from tote.stack.live_state import connector_states, query_states, with_states
from tote.stack.paths import StackPaths
from tote.stack.postgres import postmaster, stop_embedded
from tote.stack.procs import lock_is_held
from tote.stack.services import DATABASE, find_service
from tote.stack.state import (
    EXTERNAL,
    NOT_BUILT,
    PHASE_STOPPED,
    RUNNING,
    STOPPED,
    StackState,
    load_state,
)

SUPERVISOR_STOP_TIMEOUT_S = 180.0
LEFTOVER_STOP_TIMEOUT_S = 20.0
# What makes a directory a tote data dir (prune refuses anything else).
DATA_DIR_MARKERS = ("log.db", "stack/state.json", "stack/plan.json", "postgres/PG_VERSION")


def supervisor_alive(state: StackState | None, paths: StackPaths) -> bool:
    if state is not None and state.supervisor.process().alive():
        return True
    return lock_is_held(paths.lock_file)


@dataclass(frozen=True)
class DownResult:
    was_running: bool
    stopped_leftovers: tuple[str, ...]


def stop_stack(home: Path) -> DownResult:
    """Stop the supervisor (which stops everything), then anything a dead one left behind."""
    paths = StackPaths.of(home)
    state = load_state(paths.state_file)
    was_running = False
    if state is not None:
        supervisor = state.supervisor.process()
        if supervisor.signal(signal.SIGTERM):
            was_running = True
            if not supervisor.wait_gone(SUPERVISOR_STOP_TIMEOUT_S):
                raise StackError(f"The stack supervisor (pid {supervisor.pid}) did not stop "
                                 f"within {SUPERVISOR_STOP_TIMEOUT_S:g} s.")
    elif lock_is_held(paths.lock_file):
        raise StackError(f"A supervisor holds {paths.lock_file} but wrote no state; "
                         f"cannot stop it safely.")
    return DownResult(was_running, tuple(_stop_leftovers(paths, load_state(paths.state_file))))


def _stop_leftovers(paths: StackPaths, state: StackState | None) -> list[str]:
    """Services and PostgreSQL that outlived their supervisor (it was SIGKILLed)."""
    stopped: list[str] = []
    for row in state.services if state is not None else []:
        ref = row.process()
        if row.name != DATABASE and ref is not None and ref.alive():
            ref.stop(LEFTOVER_STOP_TIMEOUT_S)
            stopped.append(row.name)
    if postmaster(paths.pgdata) is not None:
        stop_embedded(paths.pgdata)
        stopped.append(DATABASE)
    return stopped


def _row_health(name: str, url: str, port: int, state: str) -> bool:
    if state not in (RUNNING, EXTERNAL):
        return False
    if name == DATABASE:
        return tcp_ok(urlsplit(url).hostname or "127.0.0.1", port)
    spec = find_service(name)
    return spec is not None and http_ok(url + spec.health_path)


def stack_status(home: Path, *, check_health: bool = True) -> dict[str, Any]:
    """What `tote status --json` prints: the state file, corrected by what is really alive."""
    paths = StackPaths.of(home)
    state = load_state(paths.state_file)
    if state is None:
        return {"home": str(paths.home), "running": False, "phase": PHASE_STOPPED,
                "supervisor_pid": None, "backend": None, "database_url": None,
                "aliases": {}, "error": None, "services": [], "lag": None}
    running = supervisor_alive(state, paths)
    services = []
    for row in state.services:
        ref = row.process()
        alive = ref is not None and ref.alive()
        current = row.state if running or row.state in (NOT_BUILT, EXTERNAL) else STOPPED
        if not running and alive:
            current = "orphaned"
        services.append({
            "name": row.name, "url": row.url, "port": row.port,
            "pid": row.pid if alive else None, "state": current,
            "healthy": check_health and running and _row_health(row.name, row.url, row.port,
                                                                current),
            "restarts": row.restarts, "available": row.available, "log": row.log,
            "detail": row.detail,
        })
    lags = stack_lags(Path(state.home), state.backend, state.bootstrap_servers) \
        if running and check_health else None
    return {"home": state.home, "running": running,
            "phase": state.phase if running else PHASE_STOPPED,
            "supervisor_pid": state.supervisor.pid if running else None,
            "backend": state.backend, "database_url": state.database_url,
            "aliases": state.aliases, "error": state.error, "services": services,
            "lag": None if lags is None else with_states(
                lags, _ask(services, "ksqldb", query_states),
                _ask(services, "connect", connector_states))}


def _ask(services: list[dict[str, Any]], name: str,
         states: Callable[[str], dict[str, str] | None]) -> dict[str, str] | None:
    """`states` of a service that answered its health check; None (unknown) otherwise."""
    row = next((s for s in services if s["name"] == name), None)
    return states(str(row["url"])) if row is not None and row["healthy"] else None


def prune(home: Path) -> bool:
    """Delete the data dir; False if there was none. Refuses while anything runs on it."""
    paths = StackPaths.of(home)
    if not paths.home.exists():
        return False
    state = load_state(paths.state_file) if paths.state_file.exists() else None
    if supervisor_alive(state, paths) or postmaster(paths.pgdata) is not None:
        raise StackRunning(f"A stack is running on {paths.home}; stop it with `tote down` "
                           f"before pruning.")
    if any(paths.home.iterdir()) and not any((paths.home / m).exists()
                                             for m in DATA_DIR_MARKERS):
        raise StackError(f"{paths.home} does not look like a tote data dir "
                         f"(no log.db or stack/ state); not removing it.")
    shutil.rmtree(paths.home)
    return True
