"""Where the stack keeps its files inside the data dir (DESIGN §2: one directory, prunable).

    <home>/log.db                 the embedded log (sqlite backend)
    <home>/stack/state.json       the supervisor's live state: pids, ports, health, aliases
    <home>/stack/plan.json        what `tote up` asked for (read by the detached supervisor)
    <home>/stack/supervisor.lock  flock held by the running supervisor
    <home>/logs/<service>.log     each service's output, and supervisor.log
    <home>/postgres/              the embedded PostgreSQL cluster
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class StackPaths:
    home: Path

    @classmethod
    def of(cls, home: Path) -> StackPaths:
        return cls(home.expanduser().absolute())

    @property
    def stack_dir(self) -> Path:
        return self.home / "stack"

    @property
    def state_file(self) -> Path:
        return self.stack_dir / "state.json"

    @property
    def plan_file(self) -> Path:
        return self.stack_dir / "plan.json"

    @property
    def lock_file(self) -> Path:
        return self.stack_dir / "supervisor.lock"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def pgdata(self) -> Path:
        return self.home / "postgres"

    def log_file(self, service: str) -> Path:
        return self.logs_dir / f"{service}.log"

    def make_dirs(self) -> None:
        self.stack_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
