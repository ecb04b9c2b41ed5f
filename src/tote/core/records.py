"""Record types of the log: what producers append and what readers get back.

Keys, values and header values are bytes (the log is byte-oriented; serialisation lives
above it). Timestamps are milliseconds since the epoch, as in Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import NamedTuple, cast

Headers = tuple[tuple[str, bytes | None], ...]


class TopicPartition(NamedTuple):
    """One partition of one topic."""

    topic: str
    partition: int


class TimestampType(IntEnum):
    """Kafka's `message.timestamp.type`: who set a record's timestamp."""

    CREATE_TIME = 0
    LOG_APPEND_TIME = 1


class Record(NamedTuple):
    """A record to append. `timestamp=None` means "now"; `partition=None` lets the log choose.

    A NamedTuple, like `LogRecord`: producers such as the REST Proxy build one per record
    of every batch, and a frozen dataclass's `__init__` cost several times a tuple's.
    """

    value: bytes | None
    key: bytes | None = None
    headers: Headers = ()
    timestamp: int | None = None
    partition: int | None = None


RecordRow = tuple[bytes | None, bytes | None, Headers, int | None, int | None]
"""A `Record`'s fields, in its order, as a plain tuple (a Record is one too): what a
stream processor builds for every record it writes, at a fraction of a NamedTuple's
cost (`Transaction.write_rows`)."""


def as_record(row: RecordRow) -> Record:
    """`row` as a Record: a plain tuple (in Record's field order) is made one; a Record,
    or any object with Record's fields by name (a LogRecord, say), is itself."""
    if type(row) is tuple:
        return Record._make(row)
    return cast(Record, row)


class LogRecord(NamedTuple):
    """A record as stored: where it is, what it holds, and when.

    A NamedTuple rather than a dataclass because readers build millions of them and
    tuple construction is the cheapest Python object there is.
    """

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers
    timestamp: int
    timestamp_type: TimestampType

    @property
    def tp(self) -> TopicPartition:
        return TopicPartition(self.topic, self.partition)


class Position(NamedTuple):
    """Where an appended record landed."""

    partition: int
    offset: int
    timestamp: int


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic's shape: partitions, replication factor and its configs (Kafka's names)."""

    name: str
    partitions: int
    replication_factor: int = 1
    configs: tuple[tuple[str, str], ...] = ()

    def config(self, key: str, default: str | None = None) -> str | None:
        for name, value in reversed(self.configs):
            if name == key:
                return value
        return default


@dataclass(frozen=True, slots=True)
class PartitionInfo:
    """Offsets of one partition: the first readable offset and the next offset to be written."""

    partition: int
    start_offset: int
    end_offset: int


@dataclass(frozen=True, slots=True)
class TopicDescription:
    """A topic's spec with the state of each of its partitions."""

    spec: TopicSpec
    partitions: tuple[PartitionInfo, ...]
