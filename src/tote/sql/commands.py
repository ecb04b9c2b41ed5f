"""The command topic: every statement that changes the catalogue, in order, replayed at start.

Like ksqlDB's `_confluent-ksql-<service id>_command_topic`: one partition, one record per
DDL statement or persistent query (key: the command id, e.g. `stream/`X`/create`; value:
the statement text and the session properties it ran with). A starting engine replays it
to rebuild streams, tables and queries, which then resume from their committed offsets.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from tote.core.errors import TopicNotFound
from tote.core.records import Record, TopicPartition
from tote.log.base import Log


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

    def ensure(self) -> None:
        self.log.ensure_topic(self.topic, 1, 1, {"cleanup.policy": "delete",
                                                 "retention.ms": "-1"})

    def next_offset(self) -> int:
        try:
            return self.log.describe_topic(self.topic).partitions[0].end_offset
        except TopicNotFound:
            return 0

    def append(self, command_id: str, command: Command) -> int:
        self.ensure()
        position = self.log.append(self.topic, [Record(command.to_bytes(),
                                                       command_id.encode("utf-8"),
                                                       partition=0)])
        return position[0].offset

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
                if record.value is not None:
                    key = record.key.decode("utf-8") if record.key else ""
                    yield record.offset, key, Command.from_bytes(record.value)
            offset = batch[-1].offset + 1
