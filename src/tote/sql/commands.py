"""The command topic: every statement that changes the catalogue, in order, replayed at start.

Like ksqlDB's `_confluent-ksql-<service id>_command_topic`: one partition, one record per
DDL statement or persistent query (key: the command id, e.g. `stream/`X`/create`; value:
the statement text and the session properties it ran with). A starting engine replays it
to rebuild streams, tables and queries, which then resume from their committed offsets.

Only a starting engine creates the topic. Once it has existed, a topic that is gone or
holds fewer commands than the engine has seen (deleted, or deleted and re-created, under
the running engine) is lost: recreating it would silently drop the whole catalogue at the
next restart. ksqlDB's command runner then turns DEGRADED; here `CommandLog.lost` is set
and every further statement that would be recorded is refused (`CommandTopicLost`) until
a restart, while running queries go on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from tote.core.errors import TopicNotFound, ToteError
from tote.core.records import Record, TopicPartition
from tote.log.base import Log

_LOG = logging.getLogger("tote.sql.commands")

# ksqlDB's DefaultErrorMessages.COMMAND_RUNNER_DEGRADED_CORRUPTED_ERROR_MESSAGE.
CORRUPTED = ("The server has detected corruption in the command topic due to modifications "
             "performed on it. \nDDL statements will not be processed any further.\n"
             "Queries may not run properly while the server is in a corrupted state.\n"
             "If a backup of the command topic is available, restore the command topic "
             "using the backup file.\nA server restart is required to restore full "
             "functionality.")


class CommandTopicLost(ToteError):
    """A statement refused because the command topic was lost: ksqlDB's DistributingExecutor
    answer (a server error, 50000) while its command runner is degraded."""

    error_code = 50000

    def __init__(self) -> None:
        super().__init__(f"Failed to handle Ksql Statement.\n{CORRUPTED}")


def command_topic(service_id: str) -> str:
    return f"_confluent-ksql-{service_id}_command_topic"


@dataclass(frozen=True)
class Command:
    statement: str
    properties: Mapping[str, str] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        return json.dumps({"statement": self.statement,
                           "streamsProperties": dict(self.properties),
                           "originalProperties": {}}).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> Command:
        body = json.loads(data)
        return cls(body["statement"], {k: str(v) for k, v in
                                       body.get("streamsProperties", {}).items()})


class CommandLog:
    def __init__(self, log: Log, service_id: str) -> None:
        self.log = log
        self.topic = command_topic(service_id)
        self._tp = TopicPartition(self.topic, 0)
        self.existed = False  # this engine has created, read or written the topic
        self.seen = 0  # the end offset of the commands this engine has read or written
        self.lost = False

    def ensure(self) -> None:
        """Create the topic (a brand-new service) unless this engine already knew it."""
        if self.existed:
            self.require()
            return
        self.log.ensure_topic(self.topic, 1, 1, {"cleanup.policy": "delete",
                                                 "retention.ms": "-1"})
        self.existed = True

    def saw(self, end: int) -> None:
        """Commands up to `end` (exclusive) were read or written here."""
        self.existed = True
        self.seen = max(self.seen, end)

    def intact(self) -> bool:
        """False once the topic this engine knew is gone or shorter than what it saw."""
        if self.lost or not self.existed:
            return not self.lost
        try:
            end = self.log.describe_topic(self.topic).partitions[0].end_offset
        except TopicNotFound:
            end = -1
        if end < self.seen:
            self.mark_lost()
        return not self.lost

    def mark_lost(self) -> None:
        if not self.lost:
            _LOG.warning("Entering degraded state: the command topic %s was deleted or "
                         "reset; statements are refused until a restart.", self.topic)
        self.lost = True

    def require(self) -> None:
        """Raise `CommandTopicLost` unless the topic is intact."""
        if not self.intact():
            raise CommandTopicLost()

    def next_offset(self) -> int:
        try:
            return self.log.describe_topic(self.topic).partitions[0].end_offset
        except TopicNotFound:
            return 0

    def append(self, command_id: str, command: Command) -> int:
        """Append one command; never re-creates a topic this engine knew (the record
        would start an empty catalogue)."""
        self.ensure()
        record = Record(command.to_bytes(), command_id.encode("utf-8"), partition=0)
        try:
            offset = self.log.append(self.topic, [record])[0].offset
        except TopicNotFound:
            self.mark_lost()
            raise CommandTopicLost() from None
        if offset < self.seen:  # deleted and re-created since the check
            self.mark_lost()
            raise CommandTopicLost()
        self.saw(offset + 1)
        return offset

    def replay(self) -> Iterator[tuple[int, str, Command]]:
        """Every command so far, in order."""
        try:
            self.log.describe_topic(self.topic)
        except TopicNotFound:
            return
        offset = 0
        while True:
            batch = self.log.read(self._tp, offset, 500)
            if not batch:
                return
            for record in batch:
                self.saw(record.offset + 1)
                if record.value is not None:
                    key = record.key.decode("utf-8") if record.key else ""
                    yield record.offset, key, Command.from_bytes(record.value)
            offset = batch[-1].offset + 1
