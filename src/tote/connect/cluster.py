"""Who runs what: connectors and tasks spread over the live workers, deterministically.

Every worker computes the same assignment from the same inputs (the config state and
the live worker ids read from the log), so no leader is needed: units sorted by
(connector, task), dealt round-robin over the sorted worker ids. When a worker stops
heartbeating, the next computation deals its units to the others. For a moment two
workers may both run a task; the consumer group (one member id per task) fences the
older one, and the JDBC sink's offsets compare-and-set keeps the database exact anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tote.connect.config_state import STOPPED, ConfigState

CONNECTOR = -1


@dataclass(frozen=True, order=True)
class Unit:
    """A connector (task == -1) or one of its tasks."""

    connector: str
    task: int = CONNECTOR

    @property
    def is_connector(self) -> bool:
        return self.task == CONNECTOR


def units(config: ConfigState) -> list[Unit]:
    """Every connector, and the tasks of those not STOPPED."""
    out: list[Unit] = []
    for name in sorted(config.connectors):
        out.append(Unit(name))
        if config.target_state(name) != STOPPED:
            out += [Unit(name, i) for i in range(len(config.tasks.get(name, [])))]
    return out


def assign(all_units: Sequence[Unit], workers: Sequence[str]) -> dict[Unit, str]:
    """Round-robin over sorted worker ids; every worker computes the same answer."""
    ordered = sorted(set(workers))
    if not ordered:
        return {}
    return {unit: ordered[i % len(ordered)] for i, unit in enumerate(sorted(all_units))}
