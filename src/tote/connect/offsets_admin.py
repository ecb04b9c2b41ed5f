"""`GET / PATCH / DELETE /connectors/<name>/offsets` for sink connectors.

A sink's offsets are its consumer group's (`connect-<name>`), as in Connect, and — with
the JDBC sink's exactly-once mode — the offsets stored in the target database, which are
the ones the tasks resume from; reading reports the database's where it has them.
Altering or resetting needs the connector STOPPED (Connect's rule) and changes both.
"""

from __future__ import annotations

import contextlib
import logging
import re
import time
from collections.abc import Callable, Mapping
from typing import Any

from tote.connect.config_state import STOPPED
from tote.connect.connector_config import SinkSettings
from tote.connect.errors import BadRequest, ConnectException
from tote.connect.herder import Herder
from tote.connect.plugins import require_connector
from tote.core.clock import SYSTEM_CLOCK
from tote.core.errors import Conflict, GroupNotFound, TopicNotFound
from tote.core.records import TopicPartition

_logger = logging.getLogger(__name__)
ALTERED = "The offsets for this connector have been altered successfully"
RESET = "The offsets for this connector have been reset successfully"
LEAVE_TIMEOUT_S = 30.0


def _partitions(herder: Herder, props: Mapping[str, str]) -> list[TopicPartition]:
    log = herder.worker.log
    settings = SinkSettings.parse(props)
    existing = set(log.list_topics())
    topics = [t for t in settings.topics if t in existing]
    if settings.topics_regex:
        pattern = re.compile(settings.topics_regex)
        topics = sorted(t for t in existing if pattern.fullmatch(t))
    return [TopicPartition(t, p.partition) for t in topics
            for p in log.describe_topic(t).partitions]


def _while_members_leave(action: Callable[[], None]) -> None:
    """Run `action`, retrying while the stopped tasks are still leaving the group."""
    deadline = SYSTEM_CLOCK.monotonic() + LEAVE_TIMEOUT_S
    while True:
        try:
            action()
            return
        except Conflict:
            if SYSTEM_CLOCK.monotonic() > deadline:
                raise
            time.sleep(0.1)


def get_offsets(herder: Herder, name: str) -> dict[str, Any]:
    props = herder.config(name)
    log = herder.worker.log
    offsets = dict(log.committed(f"connect-{name}", _partitions(herder, props)))
    plugin = require_connector(props.get("connector.class", ""))
    try:
        stored = plugin.stored_offsets(props, herder.worker.settings.host_aliases)
    except ConnectException as exc:
        _logger.warning("Showing group offsets of %s only: %s", name, exc.message)
        stored = None
    offsets.update(stored or {})
    return {"offsets": [
        {"partition": {"kafka_topic": tp.topic, "kafka_partition": tp.partition},
         "offset": {"kafka_offset": offset}}
        for tp, offset in sorted(offsets.items())]}


def _require_stopped(herder: Herder, name: str) -> dict[str, str]:
    props = herder.config(name)
    stopped = herder.store.read(
        lambda c, s: c.target_state(name) == STOPPED and not c.tasks.get(name))
    if not stopped:
        raise BadRequest(
            "Connectors must be in the STOPPED state before their offsets can be modified. "
            "This can be done for the specified connector by issuing a 'PUT' request to the "
            f"'/connectors/{name}/stop' endpoint")
    return props


def _parse(body: Any) -> dict[TopicPartition, int | None]:
    entries = body.get("offsets") if isinstance(body, dict) else None
    if not entries:
        raise BadRequest("Partitions / offsets need to be provided for an alter offsets request")
    out: dict[TopicPartition, int | None] = {}
    for entry in entries:
        partition = entry.get("partition") if isinstance(entry, dict) else None
        if not isinstance(partition, dict):
            raise BadRequest("The partition for a sink connector offset must contain the keys "
                             "'kafka_topic' and 'kafka_partition'")
        topic, number = partition.get("kafka_topic"), partition.get("kafka_partition")
        if not isinstance(topic, str) or not isinstance(number, int) or number < 0:
            raise BadRequest("Kafka partitions must be valid non-negative integers and topics "
                             "non-empty strings")
        offset = entry.get("offset")
        if offset is None:
            out[TopicPartition(topic, number)] = None
            continue
        value = offset.get("kafka_offset") if isinstance(offset, dict) else None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BadRequest("Kafka offsets must be valid non-negative integers")
        out[TopicPartition(topic, number)] = value
    return out


def alter_offsets(herder: Herder, name: str, body: Any) -> dict[str, str]:
    props = _require_stopped(herder, name)
    offsets = _parse(body)
    log = herder.worker.log
    group = f"connect-{name}"
    commits: dict[TopicPartition, int] = {}
    for tp, offset in offsets.items():
        if offset is not None:
            commits[tp] = offset
            continue
        try:
            commits[tp] = log.describe_topic(tp.topic).partitions[tp.partition].start_offset
        except (IndexError, TopicNotFound):
            continue
    if commits:
        _while_members_leave(lambda: log.commit_offsets(group, commits))
    plugin = require_connector(props.get("connector.class", ""))
    plugin.alter_offsets(props, herder.worker.settings.host_aliases, offsets)
    return {"message": ALTERED}


def reset_offsets(herder: Herder, name: str) -> dict[str, str]:
    props = _require_stopped(herder, name)
    with contextlib.suppress(GroupNotFound):  # a group never committed to is already reset
        _while_members_leave(lambda: herder.worker.log.delete_group(f"connect-{name}"))
    plugin = require_connector(props.get("connector.class", ""))
    plugin.alter_offsets(props, herder.worker.settings.host_aliases, None)
    return {"message": RESET}
