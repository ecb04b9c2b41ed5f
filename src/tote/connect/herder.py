"""What the Connect REST API does, as a library: connectors CRUD, state changes, status.

Every change is a write to `connect-configs` (checked and appended atomically by the
store), which every worker — this one included — applies and acts on. Answers are the
JSON bodies of Connect's REST API (`ConnectorInfo`, `ConnectorStateInfo`, ...), built
from the replayed state after a catch-up, so a client always reads its own writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tote.connect.config_state import PAUSED, STARTED, STOPPED, ConfigState
from tote.connect.connector_config import SinkSettings
from tote.connect.errors import (
    BadRequest,
    ConnectorExists,
    ConnectorNotFound,
    InvalidConnectorConfig,
    TaskNotFound,
)
from tote.connect.plugins import require_connector
from tote.connect.status_state import FAILED, RESTARTING, UNASSIGNED, Status, StatusState
from tote.connect.validation import validate
from tote.connect.worker import Worker

INITIAL_STATES = {"RUNNING": STARTED, "PAUSED": PAUSED, "STOPPED": STOPPED}
TASK_CLASS = "task.class"


def _exists(name: str) -> Any:
    def check(state: ConfigState) -> None:
        if name not in state.connectors:
            raise ConnectorNotFound(name)
    return check


class Herder:
    """The REST API's operations over one worker."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.store = worker.store

    # -- reading --------------------------------------------------------------------------

    def _config(self, name: str) -> dict[str, str]:
        found: dict[str, str] | None = self.store.read(
            lambda c, s: dict(c.connectors[name]) if name in c.connectors else None)
        if found is None:
            raise ConnectorNotFound(name)
        return found

    def connectors(self) -> list[str]:
        names: list[str] = self.store.read(lambda c, s: sorted(c.connectors))
        return names

    def expanded(self, expand: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for name in self.connectors():
            entry: dict[str, Any] = {}
            try:
                if "status" in expand:
                    entry["status"] = self.status(name)
                if "info" in expand:
                    entry["info"] = self.info(name)
            except ConnectorNotFound:
                continue  # deleted while we looked
            out[name] = entry
        return out

    @staticmethod
    def _info(name: str, config: ConfigState) -> dict[str, Any]:
        tasks = config.tasks.get(name, [])
        return {"name": name, "config": dict(config.connectors[name]),
                "tasks": [{"connector": name, "task": i} for i in range(len(tasks))],
                "type": "sink"}

    def info(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] | None = self.store.read(
            lambda c, s: self._info(name, c) if name in c.connectors else None)
        if found is None:
            raise ConnectorNotFound(name)
        return found

    def config(self, name: str) -> dict[str, str]:
        return self._config(name)

    def tasks(self, name: str) -> list[dict[str, Any]]:
        def query(c: ConfigState, s: StatusState) -> list[dict[str, Any]] | None:
            if name not in c.connectors:
                return None
            return [{"id": {"connector": name, "task": i}, "config": dict(props)}
                    for i, props in enumerate(c.tasks.get(name, []))]
        found: list[dict[str, Any]] | None = self.store.read(query)
        if found is None:
            raise ConnectorNotFound(name)
        return found

    @staticmethod
    def _state(status: Status | None, extra: Mapping[str, Any]) -> dict[str, Any]:
        if status is None:
            return {**extra, "state": UNASSIGNED, "worker_id": ""}
        body = {**extra, "state": status.state, "worker_id": status.worker_id}
        if status.state == FAILED:
            body["trace"] = status.trace or ""
        return body

    def _status(self, name: str, c: ConfigState, s: StatusState) -> dict[str, Any]:
        tasks = [self._state(s.tasks.get((name, i)), {"id": i})
                 for i in range(len(c.tasks.get(name, [])))]
        return {"name": name, "connector": self._state(s.connectors.get(name), {}),
                "tasks": tasks, "type": "sink"}

    def status(self, name: str) -> dict[str, Any]:
        found: dict[str, Any] | None = self.store.read(
            lambda c, s: self._status(name, c, s) if name in c.connectors else None)
        if found is None:
            raise ConnectorNotFound(name)
        return found

    def task_status(self, name: str, task: int) -> dict[str, Any]:
        def query(c: ConfigState, s: StatusState) -> dict[str, Any] | None:
            if name not in c.connectors or task >= len(c.tasks.get(name, [])):
                return None
            return self._state(s.tasks.get((name, task)), {"id": task})
        found: dict[str, Any] | None = self.store.read(query)
        if found is None:
            raise TaskNotFound(name, task)
        return found

    def topics(self, name: str) -> dict[str, Any]:
        active: list[str] | None = self.store.read(
            lambda c, s: sorted(s.topics.get(name, set())) if name in c.connectors else None)
        if active is None:
            raise ConnectorNotFound(name)
        return {name: {"topics": active}}

    def reset_topics(self, name: str) -> None:
        self._config(name)
        active: list[str] = self.store.read(lambda c, s: sorted(s.topics.get(name, set())))
        for topic in active:
            self.store.write_status(f"status-topic-{topic}:connector-{name}", None)

    # -- writing --------------------------------------------------------------------------

    def _checked(self, name: str, config: Mapping[str, str | None]) -> dict[str, str]:
        """The config with its name, validated; 400 naming every error."""
        given = dict(config)
        included = given.get("name")
        if included is not None and included != name:
            raise BadRequest(f"Connector name configuration ({included}) doesn't match "
                             f"connector name in the URL ({name})")
        given["name"] = name
        _, errors, _ = validate(given, self.worker.settings.props)
        if errors:
            raise InvalidConnectorConfig(errors)
        return {k: v for k, v in given.items() if v is not None}

    def _task_records(self, name: str, config: Mapping[str, str], target: str
                      ) -> list[tuple[str, Any]]:
        if target == STOPPED:
            return [(f"commit-{name}", {"tasks": 0})]
        plugin = require_connector(config["connector.class"])
        task_class = plugin.task_class
        configs = plugin.task_configs(config, SinkSettings.parse(config).tasks_max)
        records: list[tuple[str, Any]] = [
            (f"task-{name}-{i}", {"properties": {**props, TASK_CLASS: task_class}})
            for i, props in enumerate(configs)]
        records.append((f"commit-{name}", {"tasks": len(configs)}))
        return records

    def create(self, name: str | None, config: Mapping[str, str | None],
               initial_state: str | None = None) -> dict[str, Any]:
        name = (name or "").strip()
        target = STARTED
        if initial_state is not None:
            if initial_state not in INITIAL_STATES:
                raise BadRequest(f"Invalid initial_state {initial_state}: expected one of "
                                 "RUNNING, PAUSED, STOPPED")
            target = INITIAL_STATES[initial_state]
        checked = self._checked(name, config)

        def absent(state: ConfigState) -> None:
            if name in state.connectors:
                raise ConnectorExists(name)
        records = [(f"connector-{name}", {"properties": checked}),
                   *self._task_records(name, checked, target),
                   (f"target-state-{name}", {"state": target})]
        self.store.write_config(records, absent)
        return self.info(name)

    def put_config(self, name: str, config: Mapping[str, str | None]
                   ) -> tuple[bool, dict[str, Any]]:
        """Create or replace; True when it was created."""
        checked = self._checked(name, config)
        created = name not in self.connectors()
        target: str = self.store.read(lambda c, s: c.target_state(name))
        records = [(f"connector-{name}", {"properties": checked}),
                   *self._task_records(name, checked, target)]
        if created:
            records.append((f"target-state-{name}", {"state": STARTED}))

        def unchanged(state: ConfigState) -> None:
            if (name in state.connectors) == created:
                raise ConnectorExists(name) if created else ConnectorNotFound(name)
        self.store.write_config(records, unchanged)
        return created, self.info(name)

    def patch_config(self, name: str, patch: Mapping[str, str | None]) -> dict[str, Any]:
        merged: dict[str, str | None] = dict(self._config(name))
        for key, value in patch.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        _, info = self.put_config(name, merged)
        return info

    def delete(self, name: str) -> None:
        task_count = len(self.tasks(name))
        self.store.write_config([(f"connector-{name}", None), (f"target-state-{name}", None)],
                                _exists(name))
        self.store.write_status(f"status-connector-{name}", None)
        for task in range(task_count):
            self.store.write_status(f"status-task-{name}-{task}", None)

    def pause(self, name: str) -> None:
        self.store.write_config([(f"target-state-{name}", {"state": PAUSED})], _exists(name))

    def resume(self, name: str) -> None:
        config = self._config(name)
        target: str = self.store.read(lambda c, s: c.target_state(name))
        records: list[tuple[str, Any]] = []
        if target == STOPPED:
            records += self._task_records(name, config, STARTED)
        records.append((f"target-state-{name}", {"state": STARTED}))
        self.store.write_config(records, _exists(name))

    def stop(self, name: str) -> None:
        self.store.write_config([(f"target-state-{name}", {"state": STOPPED}),
                                 (f"commit-{name}", {"tasks": 0})], _exists(name))

    def restart(self, name: str, include_tasks: bool, only_failed: bool
                ) -> dict[str, Any] | None:
        """Restart the connector (and maybe tasks); the planned state, or None when only the
        connector object restarts (Connect answers that with 204)."""
        self._config(name)
        self.store.write_config([(f"restart-connector-{name}", {
            "include-tasks": include_tasks, "only-failed": only_failed})], _exists(name))
        if not include_tasks and not only_failed:
            return None
        plan: dict[str, Any] = self.store.read(lambda c, s: self._status(name, c, s))
        connector = plan["connector"]
        if not only_failed or connector["state"] == FAILED:
            connector["state"] = RESTARTING
            connector.pop("trace", None)
        if include_tasks:
            for task in plan["tasks"]:
                if not only_failed or task["state"] == FAILED:
                    task["state"] = RESTARTING
                    task.pop("trace", None)
        return plan

    def restart_task(self, name: str, task: int) -> None:
        self.task_status(name, task)
        self.store.write_config([(f"restart-task-{name}-{task}", {})], _exists(name))
