"""librdkafka settings of every client the kafka backend creates, and why each is set.

The user's `client_config` (security, tuning) is applied to every client last, except for
the few keys the backend's guarantees depend on (`_PINNED`), which always win.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

LOGGER = logging.getLogger("tote.log.kafka")

# Transactions stay in librdkafka's queue until commit flushes them. An aborted or crashed
# transaction then never reaches the broker, which matters on brokers (Tansu 0.6) that
# return aborted records to read_committed readers. Must stay below message.timeout.ms,
# which librdkafka sets to transaction.timeout.ms (60 s) for transactional producers.
TRANSACTION_LINGER_MS = 50_000
# How long a fetch waits on the broker for data: bounds how late `wait` and `poll` wake.
FETCH_WAIT_MS = 100
# A pooled reader is re-assigned per read, and its first fetch waits behind the one still
# in flight for the previous partition, which the broker holds this long when it is idle.
READ_FETCH_WAIT_MS = 10
# librdkafka 2.x crashes (a NULL topic name in its metadata cache) when a fetch response
# reports a deleted topic, as Tansu's does. Before deleting a topic, the log stops its own
# consumers fetching from it and lets in-flight fetches return for this long.
FETCH_DRAIN_SECONDS = 3 * FETCH_WAIT_MS / 1000

_PINNED = {
    "enable.auto.commit",
    "enable.auto.offset.store",
    "isolation.level",
    "transactional.id",
    "enable.idempotence",
    "group.id",
    "enable.partition.eof",
    "group.protocol",
    "allow.auto.create.topics",
}


def _base(bootstrap: str, overrides: Mapping[str, str], role: str) -> dict[str, Any]:
    config: dict[str, Any] = {
        "bootstrap.servers": bootstrap,
        "client.id": f"tote-{role}",
        "logger": LOGGER,
        "socket.keepalive.enable": True,
        # Tansu creates any topic a metadata request names unless told not to.
        "allow.auto.create.topics": False,
    }
    config.update({k: v for k, v in overrides.items() if k not in _PINNED})
    return config


def admin_config(bootstrap: str, overrides: Mapping[str, str]) -> dict[str, Any]:
    return _base(bootstrap, overrides, "admin")


def reader_config(
    bootstrap: str,
    overrides: Mapping[str, str],
    *,
    committed: bool = True,
    eof: bool = True,
    fetch_wait_ms: int = FETCH_WAIT_MS,
) -> dict[str, Any]:
    """A consumer used with manual assignment only: it never joins or commits to a group.

    confluent-kafka insists on a group.id; a unique one that is never committed to leaves
    no trace in the broker's group list.
    """
    config = _base(bootstrap, overrides, "reader")
    config.update(
        {
            "group.id": f"tote-reader-{uuid.uuid4()}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "isolation.level": "read_committed" if committed else "read_uncommitted",
            "enable.partition.eof": eof,
            "auto.offset.reset": "earliest",
            "fetch.wait.max.ms": fetch_wait_ms,
        }
    )
    return config


def group_config(
    bootstrap: str,
    overrides: Mapping[str, str],
    *,
    group: str,
    session_timeout_ms: int,
    auto_offset_reset: str,
) -> dict[str, Any]:
    """A classic-protocol group member (Tansu never assigns under the KIP-848 protocol)."""
    config = _base(bootstrap, overrides, "group")
    config.update(
        {
            "group.id": group,
            "group.protocol": "classic",
            "partition.assignment.strategy": "range",
            "session.timeout.ms": session_timeout_ms,
            "heartbeat.interval.ms": max(100, session_timeout_ms // 4),
            # librdkafka heartbeats from a background thread, but tote's contract says a
            # member that stops *polling* is dead, so it leaves after two session timeouts.
            # (Not one: Tansu 0.6 wedges a group whose leader leaves mid-rebalance, and a
            # member often sits out a rebalance it was about to rejoin for ~one timeout.)
            "max.poll.interval.ms": 2 * session_timeout_ms,
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "isolation.level": "read_committed",
            "auto.offset.reset": auto_offset_reset,
            "fetch.wait.max.ms": FETCH_WAIT_MS,
        }
    )
    return config


def producer_config(
    bootstrap: str, overrides: Mapping[str, str], *, transactional_id: str
) -> dict[str, Any]:
    """An idempotent, transactional producer that sends nothing before commit (see above)."""
    config = _base(bootstrap, overrides, "producer")
    # No Python logger here: confluent-kafka 2.16 leaves a fatal error (being fenced)
    # pending while it serves callbacks, and a logging callback swallows it. librdkafka
    # then logs to stderr itself.
    del config["logger"]
    config.update(
        {
            "transactional.id": transactional_id,
            "enable.idempotence": True,
            "linger.ms": TRANSACTION_LINGER_MS,
            "queue.buffering.max.messages": 1_000_000,
            "batch.num.messages": 1_000_000,
            "batch.size": 32 << 20,
            "message.max.bytes": 64 << 20,
        }
    )
    return config
