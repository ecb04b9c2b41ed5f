"""The state kept in `connect-status`: connector and task states, and live workers.

Connect's keys and values (spec §4.6):

    status-connector-<name>   {"state": "RUNNING", "trace": null, "worker_id": "h:8083",
                               "generation": 3}
    status-task-<name>-<n>    the same shape

    status-topic-<topic>:connector-<name>   {"topic": {"name": ..., "connector": ...}}

plus tote's `worker-<id>` heartbeats (`{"worker_id": ..., "url": ...}`, a tombstone when
a worker leaves cleanly). Connect tracks live workers through its group protocol;
tote's workers share nothing but the log, so each writes a heartbeat every few seconds
and the others count it alive while its last heartbeat is younger than the session
timeout. Several workers on one log therefore agree on who is alive, and take over the
tasks of a worker that stopped heartbeating.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

from tote.core.records import LogRecord

_logger = logging.getLogger(__name__)
UNASSIGNED, RUNNING, PAUSED, FAILED, RESTARTING, STOPPED = (
    "UNASSIGNED", "RUNNING", "PAUSED", "FAILED", "RESTARTING", "STOPPED")


@dataclass(frozen=True)
class Status:
    state: str
    worker_id: str
    trace: str | None = None
    generation: int = 0

    def body(self) -> dict[str, Any]:
        return {"state": self.state, "trace": self.trace, "worker_id": self.worker_id,
                "generation": self.generation}


@dataclass(frozen=True)
class WorkerInfo:
    worker_id: str
    url: str
    heartbeat_ms: int


@dataclass
class StatusState:
    connectors: dict[str, Status] = field(default_factory=dict)
    tasks: dict[tuple[str, int], Status] = field(default_factory=dict)
    workers: dict[str, WorkerInfo] = field(default_factory=dict)
    topics: dict[str, set[str]] = field(default_factory=dict)  # active topics per connector

    def apply(self, record: LogRecord) -> None:
        if record.key is None:
            return
        key = record.key.decode("utf-8", errors="replace")
        try:
            body: Any = json.loads(record.value) if record.value is not None else None
        except ValueError:
            _logger.warning("Skipping unreadable status record %s", key)
            return
        if key.startswith("worker-"):
            worker = key[len("worker-"):]
            if body is None:
                self.workers.pop(worker, None)
            else:
                url = body.get("url", "") if isinstance(body, dict) else ""
                self.workers[worker] = WorkerInfo(worker, str(url), record.timestamp)
            return
        if key.startswith("status-topic-") and ":connector-" in key:
            topic, _, name = key[len("status-topic-"):].partition(":connector-")
            active = self.topics.setdefault(name, set())
            if body is None:
                active.discard(topic)
            else:
                active.add(topic)
            return
        status = _status(body)
        if key.startswith("status-connector-"):
            name = key[len("status-connector-"):]
            if status is None:
                self.connectors.pop(name, None)
            else:
                self.connectors[name] = status
        elif key.startswith("status-task-"):
            name, _, number = key[len("status-task-"):].rpartition("-")
            if not number.isdigit():
                return
            if status is None:
                self.tasks.pop((name, int(number)), None)
            else:
                self.tasks[name, int(number)] = status

    def live_workers(self, now_ms: int, timeout_ms: int) -> list[str]:
        """Workers whose last heartbeat is younger than `timeout_ms`, sorted."""
        return sorted(w.worker_id for w in self.workers.values()
                      if now_ms - w.heartbeat_ms < timeout_ms)


def _status(body: Any) -> Status | None:
    if not isinstance(body, dict) or not isinstance(body.get("state"), str):
        return None
    trace = body.get("trace")
    generation = body.get("generation")
    return Status(body["state"], str(body.get("worker_id") or ""),
                  trace if isinstance(trace, str) else None,
                  generation if isinstance(generation, int) else 0)
