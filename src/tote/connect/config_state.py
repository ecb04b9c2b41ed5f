"""The state kept in `connect-configs`, rebuilt by applying its records in order.

Keys and values are Kafka Connect's (spec §4.6), JSON without a schema envelope:

    connector-<name>        {"properties": {...}}      (tombstone: deleted)
    task-<name>-<n>         {"properties": {...}}      staged until the commit record
    commit-<name>           {"tasks": <count>}         makes the staged task configs live
    target-state-<name>     {"state": "STARTED"|"PAUSED"|"STOPPED"}
    restart-connector-<name> {"include-tasks": bool, "only-failed": bool}

plus tote's `restart-task-<name>-<n>` (`{}`) for `POST .../tasks/<n>/restart`, which
Connect forwards to the owning worker by RPC instead. Every worker replays the topic at
start and then tails it through this same `apply`, so they all agree.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

_logger = logging.getLogger(__name__)
STARTED, PAUSED, STOPPED = "STARTED", "PAUSED", "STOPPED"
TARGET_STATES = (STARTED, PAUSED, STOPPED)


@dataclass(frozen=True)
class RestartRequest:
    """A restart asked for at `offset` of the config topic."""

    offset: int
    connector: str
    task: int | None  # None: the connector (and maybe its tasks)
    include_tasks: bool = False
    only_failed: bool = False


@dataclass
class ConfigState:
    """Connectors, their committed task configs, target states and restart requests."""

    connectors: dict[str, dict[str, str]] = field(default_factory=dict)
    tasks: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    target_states: dict[str, str] = field(default_factory=dict)
    generations: dict[str, int] = field(default_factory=dict)  # offset of the last commit
    restarts: list[RestartRequest] = field(default_factory=list)
    staged: dict[str, dict[int, dict[str, str]]] = field(default_factory=dict)
    offset: int = -1  # last applied offset

    def target_state(self, name: str) -> str:
        return self.target_states.get(name, STARTED)

    def apply(self, offset: int, key: bytes | None, value: bytes | None) -> None:
        """Apply one record of the topic (records that make no sense are logged, skipped)."""
        self.offset = offset
        if key is None:
            return
        text = key.decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(value) if value is not None else None
        except ValueError:
            _logger.warning("Skipping unreadable record %s at offset %s of the config topic",
                            text, offset)
            return
        if text.startswith("connector-"):
            self._connector(text[len("connector-"):], body)
        elif text.startswith("task-"):
            self._task(text[len("task-"):], body)
        elif text.startswith("commit-"):
            self._commit(text[len("commit-"):], body, offset)
        elif text.startswith("target-state-"):
            self._target(text[len("target-state-"):], body)
        elif text.startswith("restart-connector-") and isinstance(body, dict):
            self.restarts.append(RestartRequest(
                offset, text[len("restart-connector-"):], None,
                bool(body.get("include-tasks")), bool(body.get("only-failed"))))
        elif text.startswith("restart-task-") and isinstance(body, dict):
            name, _, number = text[len("restart-task-"):].rpartition("-")
            if number.isdigit():
                self.restarts.append(RestartRequest(offset, name, int(number)))

    def _connector(self, name: str, body: Any) -> None:
        if body is None:
            for table in (self.connectors, self.tasks, self.target_states, self.generations,
                          self.staged):
                table.pop(name, None)
            return
        props = body.get("properties") if isinstance(body, dict) else None
        if isinstance(props, dict):
            self.connectors[name] = {str(k): str(v) for k, v in props.items()}

    def _task(self, rest: str, body: Any) -> None:
        name, _, number = rest.rpartition("-")
        props = body.get("properties") if isinstance(body, dict) else None
        if number.isdigit() and isinstance(props, dict):
            staged = self.staged.setdefault(name, {})
            staged[int(number)] = {str(k): str(v) for k, v in props.items()}

    def _commit(self, name: str, body: Any, offset: int) -> None:
        count = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(count, int) or count < 0:
            return
        staged = self.staged.pop(name, {})
        previous = self.tasks.get(name, [])
        configs = [staged.get(i) or (previous[i] if i < len(previous) else None)
                   for i in range(count)]
        if any(c is None for c in configs):
            _logger.warning("Incomplete task configs for connector %s; ignoring commit", name)
            return
        self.tasks[name] = [c for c in configs if c is not None]
        self.generations[name] = offset

    def _target(self, name: str, body: Any) -> None:
        if body is None:
            self.target_states.pop(name, None)
            return
        state = body.get("state") if isinstance(body, dict) else None
        if state in TARGET_STATES:
            self.target_states[name] = state


def encode(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")
