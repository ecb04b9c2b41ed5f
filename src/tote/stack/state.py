"""The state file: what the supervisor is running, for `tote status` / `tote down` in other shells.

`<home>/stack/state.json` is rewritten atomically (write + rename) on every change, so a
reader never sees half a file. Its shape (also what `tote status --json` prints, plus
live health):

    {"home": "/abs/.tote", "backend": "sqlite", "bootstrap_servers": "",
     "phase": "starting|running|stopping|stopped|failed", "error": null,
     "supervisor": {"pid": 123, "started": 456789, "detached": true},
     "database_url": "postgresql://postgres:example@127.0.0.1:5432/totebets",
     "aliases": {"db": "127.0.0.1:5432", "schema-registry": "127.0.0.1:8081", ...},
     "services": [{"name": "schema-registry", "url": "http://127.0.0.1:8081", "port": 8081,
                   "available": true, "pid": 124, "started": 456790, "state": "running",
                   "restarts": 0, "log": "/abs/.tote/logs/schema-registry.log", "detail": ""},
                  ..., {"name": "postgres", ...}]}

`started` is the process start time (see `procs.ProcessRef`), so a reused pid is never
mistaken for ours.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tote.stack.errors import StackError
from tote.stack.procs import ProcessRef

# Service states.
NOT_BUILT = "not-built"
STARTING = "starting"
RUNNING = "running"
RESTARTING = "restarting"
FAILED = "failed"
STOPPING = "stopping"
STOPPED = "stopped"
EXTERNAL = "external"  # a database `--db-url` names: not ours to run

# Phases of the whole stack.
PHASE_STARTING = "starting"
PHASE_RUNNING = "running"
PHASE_STOPPING = "stopping"
PHASE_STOPPED = "stopped"
PHASE_FAILED = "failed"


@dataclass
class ServiceStatus:
    name: str
    url: str
    port: int
    available: bool
    log: str
    pid: int | None = None
    started: int | None = None
    state: str = STOPPED
    restarts: int = 0
    detail: str = ""

    def process(self) -> ProcessRef | None:
        if self.pid is None or self.started is None:
            return None
        return ProcessRef(self.pid, self.started)


@dataclass
class SupervisorInfo:
    pid: int
    started: int
    detached: bool

    def process(self) -> ProcessRef:
        return ProcessRef(self.pid, self.started)


@dataclass
class StackState:
    home: str
    backend: str
    bootstrap_servers: str
    supervisor: SupervisorInfo
    database_url: str
    aliases: dict[str, str]
    services: list[ServiceStatus] = field(default_factory=list)
    phase: str = PHASE_STARTING
    error: str | None = None

    def service(self, name: str) -> ServiceStatus | None:
        return next((s for s in self.services if s.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StackState:
        return cls(
            home=data["home"], backend=data["backend"],
            bootstrap_servers=data["bootstrap_servers"],
            supervisor=SupervisorInfo(**data["supervisor"]),
            database_url=data["database_url"], aliases=dict(data["aliases"]),
            services=[ServiceStatus(**s) for s in data["services"]],
            phase=data["phase"], error=data["error"],
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2))
        tmp.replace(path)


def load_state(path: Path) -> StackState | None:
    """The last state a supervisor wrote, or None if no stack ever ran here."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _unreadable(path, exc.strerror or str(exc)) from None
    try:
        return StackState.from_dict(json.loads(text))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:  # not written by tote
        raise _unreadable(path, f"{type(exc).__name__}: {exc}") from None


def _unreadable(path: Path, detail: str) -> StackError:
    return StackError(f"Cannot read the stack state {path} ({detail}). If no stack runs "
                      "on this data dir, delete that file.")
