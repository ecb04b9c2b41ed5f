"""One REST consumer instance: its settings, its state, and how a read gathers records.

A read follows kafka-rest's read task: wait up to min(timeout, consumer.request.timeout.ms),
returning early once more than `fetch.min.bytes` were gathered (never, by default) or the
next record would reach `max_bytes`. Records the reader returned that did not fit wait in
the instance's buffer for the next read.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tote.core.clock import SYSTEM_CLOCK
from tote.core.errors import Fenced, ToteError
from tote.core.records import LogRecord, TopicPartition
from tote.proxy import bodies
from tote.proxy.errors import ConsumerConfigConstraint, InvalidConsumerConfig
from tote.proxy.formats import EmbeddedFormat, consumer_format
from tote.proxy.readers import GroupReader, Reader

log = logging.getLogger(__name__)

DEFAULT_INSTANCE_TIMEOUT_MS = 300_000  # consumer.instance.timeout.ms
DEFAULT_REQUEST_TIMEOUT_MS = 1_000  # consumer.request.timeout.ms
MAX_RESPONSE_BYTES = 64 * 1024 * 1024  # consumer.request.max.bytes
FETCH_MIN_BYTES_MAX = 10_000_000
POLL_BATCH = 500

# Turns a stored record into the JSON kafka-rest returns for it.
RecordRenderer = Callable[[EmbeddedFormat, LogRecord], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ConsumerSettings:
    """Proxy-wide knobs (kafka-rest's config file)."""

    instance_timeout_ms: int = DEFAULT_INSTANCE_TIMEOUT_MS
    request_timeout_ms: int = DEFAULT_REQUEST_TIMEOUT_MS
    session_timeout_ms: int = 10_000


@dataclass
class ConsumerInstance:
    group: str
    name: str
    format: EmbeddedFormat
    auto_offset_reset: str
    auto_commit: bool
    fetch_min_bytes: int
    request_timeout_ms: int
    last_used: float
    reader: Reader | None = None
    buffer: deque[LogRecord] = field(default_factory=deque)
    consumed: dict[TopicPartition, int] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    closed: bool = False


@dataclass(frozen=True, slots=True)
class CommittedOffset:
    tp: TopicPartition
    consumed: int
    committed: int


def _bool_config(name: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise InvalidConsumerConfig(
            f"Invalid value {value} for configuration {name}: "
            "Expected value to be either true or false"
        )
    return lowered == "true"


def _offset_reset(value: str | None) -> str:
    if value is None:
        return "latest"  # the Kafka consumer's default, which kafka-rest keeps
    lowered = value.strip().lower()
    if lowered not in ("earliest", "latest"):
        raise InvalidConsumerConfig(
            f"Invalid value {value} for configuration auto.offset.reset: "
            "String must be one of: latest, earliest"
        )
    return lowered


def build_instance(
    group: str, config: bodies.ConsumerConfig, settings: ConsumerSettings, now: float
) -> ConsumerInstance:
    """A new instance from a create request, checked like kafka-rest checks it."""
    fmt = consumer_format(config.format)
    reset = _offset_reset(config.auto_offset_reset)
    auto_commit = _bool_config("enable.auto.commit", config.auto_commit_enable, True)
    min_bytes = config.fetch_min_bytes
    if min_bytes is not None and not -1 <= min_bytes <= FETCH_MIN_BYTES_MAX:
        raise ConsumerConfigConstraint(
            f"Invalid value {min_bytes} for configuration fetch.min.bytes: "
            + (f"Value must be no more than {FETCH_MIN_BYTES_MAX}" if min_bytes > 0
               else "Value must be at least -1")
        )
    wait_ms = config.request_timeout_ms
    if wait_ms is not None and wait_ms < 0:
        raise ConsumerConfigConstraint(
            f"Invalid value {wait_ms} for configuration consumer.request.timeout.ms: "
            "Value must be at least 0"
        )
    return ConsumerInstance(
        group=group,
        name=config.name or f"rest-consumer-{uuid.uuid4()}",
        format=fmt,
        auto_offset_reset=reset,
        auto_commit=auto_commit,
        fetch_min_bytes=min_bytes if min_bytes is not None and min_bytes >= 0 else -1,
        request_timeout_ms=wait_ms if wait_ms is not None else settings.request_timeout_ms,
        last_used=now,
    )


def fetch(
    instance: ConsumerInstance,
    reader: Reader,
    render: RecordRenderer,
    timeout_ms: int,
    max_bytes: int,
) -> list[dict[str, Any]]:
    """Records for the client, rendered in the instance's format (the caller holds its lock)."""
    wait_ms = instance.request_timeout_ms
    if timeout_ms > 0:
        wait_ms = min(wait_ms, timeout_ms)
    deadline = SYSTEM_CLOCK.monotonic() + wait_ms / 1000
    limit = min(max_bytes, MAX_RESPONSE_BYTES) if max_bytes > 0 else MAX_RESPONSE_BYTES
    min_bytes = instance.fetch_min_bytes if instance.fetch_min_bytes >= 0 else None
    out: list[dict[str, Any]] = []
    returned: list[LogRecord] = []
    size = 0
    full = False
    while True:
        if isinstance(reader, GroupReader):
            reader.refresh(force=False)
        assigned = reader.assignment()
        while instance.buffer and not full:
            record = instance.buffer[0]
            if record.tp not in assigned:
                instance.buffer.popleft()  # revoked by a rebalance: the new owner reads it
                continue
            record_size = len(record.key or b"") + len(record.value or b"")
            if size + record_size >= limit:
                full = True
                break
            try:
                rendered = render(instance.format, record)
            except ToteError:
                if out:
                    full = True  # hand out what decoded; the bad record errors next time
                    break
                raise
            instance.buffer.popleft()
            out.append(rendered)
            returned.append(record)
            size += record_size
        if full or (min_bytes is not None and size > min_bytes):
            break
        remaining = deadline - SYSTEM_CLOCK.monotonic()
        if remaining <= 0:
            break
        instance.buffer.extend(reader.poll(remaining, POLL_BATCH))
    for record in returned:
        instance.consumed[record.tp] = record.offset + 1
    if returned and instance.auto_commit:
        _auto_commit(instance, reader, returned)
    return out


def _auto_commit(instance: ConsumerInstance, reader: Reader, returned: list[LogRecord]) -> None:
    offsets = {r.tp: instance.consumed[r.tp] for r in returned}
    try:
        reader.commit(offsets)
    except Fenced as exc:
        # As Kafka's auto-commit: a commit lost to a rebalance is only logged; the
        # partition's new owner re-reads from the last committed offset.
        log.warning("Auto-commit of %s failed: %s", instance.name, exc)
