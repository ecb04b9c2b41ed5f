"""Bounds of the CLI's numeric options, so a nonsense value is a usage error (exit 2)
naming the option before anything starts, rather than a service that runs on it.

Options that mirror a Kafka or Confluent setting take that setting's bounds: its Java
type's range and the limits a Kafka broker or client enforces.
"""

from __future__ import annotations

import typer

JAVA_INT_MAX = 2**31 - 1  # an INT config (kafka-rest's consumer.*.timeout.ms)
# A group member's session.timeout.ms must be within the broker's group.min/max
# .session.timeout.ms; the max defaults to 30 minutes. (The min, 6 s by default, is left
# out: tote's own log takes shorter sessions, for fast failover.)
MAX_SESSION_TIMEOUT_MS = 1_800_000


def above_zero(value: float) -> float:
    """Callback of a float option that must be greater than 0 (Typer's `min` includes
    the bound): a timeout, a duration or a rate."""
    if value <= 0:
        raise typer.BadParameter(f"{value:g} is not greater than 0.")
    return value


def heartbeat_below_session(heartbeat_ms: int, session_timeout_ms: int) -> None:
    """Kafka's rule for a group member: heartbeat.interval.ms lower than
    session.timeout.ms, or the member would be dead between two heartbeats."""
    if heartbeat_ms >= session_timeout_ms:
        raise typer.BadParameter(
            f"{heartbeat_ms} is not lower than --session-timeout-ms ({session_timeout_ms}).",
            param_hint="'--heartbeat-ms'")
