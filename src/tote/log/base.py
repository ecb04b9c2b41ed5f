"""The Log: tote's only integration point (DESIGN §4).

A byte-oriented, Kafka-shaped contract implemented by the memory, sqlite and kafka
backends and checked by one shared test suite (`tests/log/test_contract.py`). Everything
above it (serde, registry, SQL engine, Connect) talks to this interface only.

Semantics every backend guarantees:

* Topics have partitions; offsets in a partition only grow and are never reused.
  (On sqlite and memory they are contiguous; on Kafka transaction markers leave gaps.)
* `append` is atomic: all records of a batch become visible together or not at all.
* Readers only ever see committed data (Kafka's `read_committed`).
* A transaction appends to several topics, commits consumer-group offsets and writes
  state-store entries in one atomic step.
"""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from types import TracebackType
from typing import Self

from tote.core.errors import (
    InvalidConfig,
    InvalidPartitions,
    InvalidTopic,
    ToteError,
    TransactionError,
)
from tote.core.records import (
    LogRecord,
    Position,
    Record,
    RecordRow,
    TopicDescription,
    TopicPartition,
    TopicSpec,
    as_record,
)
from tote.log.config_entries import ConfigEntry
from tote.log.record_run import RecordRun
from tote.log.wake import Wake

MAX_TOPIC_NAME = 249
# The Kafka cluster id an embedded log reports (ksqlDB's /info, Connect's /, the REST
# Proxy's v3 clusters): each is one cluster. A Kafka log reports its broker's id instead.
CLUSTER_ID = "tote"
DEFAULT_MAX_MESSAGE_BYTES = 1_048_588
# Seconds between two looks at a Wake in `Log.wait_or_wake`'s default, sliced wait.
WAKE_SLICE = 0.05
_TOPIC_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")

# Topic configs a backend honours itself; any other key is stored and reported as given.
KNOWN_CONFIGS = {
    "cleanup.policy": {"delete", "compact", "compact,delete", "delete,compact"},
    "message.timestamp.type": {"CreateTime", "LogAppendTime"},
}


def validate_topic_name(name: str) -> None:
    """Kafka's rules: `[a-zA-Z0-9._-]`, 1..249 characters, not `.` or `..`."""
    if not name:
        raise InvalidTopic("Topic name is illegal, it can't be empty.")
    if name in (".", ".."):
        raise InvalidTopic("Topic name cannot be \".\" or \"..\".")
    if len(name) > MAX_TOPIC_NAME:
        raise InvalidTopic(
            f"Topic name is illegal, it can't be longer than {MAX_TOPIC_NAME} characters, "
            f"topic name: {name}"
        )
    if not _TOPIC_NAME.match(name):
        raise InvalidTopic(
            f"Topic name \"{name}\" is illegal, it contains a character other than ASCII "
            "alphanumerics, '.', '_' and '-'"
        )


# Kafka's KRaft controller refuses to create more partitions than this in one request
# (an "excessively large batch operation"); a larger count would only exhaust memory.
MAX_PARTITIONS = 10_000


def validate_topic_spec(
    name: str, partitions: int, replication_factor: int, configs: Mapping[str, str]
) -> TopicSpec:
    """Check a create-topic request and return its normalised spec."""
    validate_topic_name(name)
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise InvalidPartitions(f"Number of partitions must be larger than 0, got {partitions}.")
    if partitions > MAX_PARTITIONS:
        raise InvalidPartitions(
            f"Number of partitions must be at most {MAX_PARTITIONS:,} per request (an "
            f"excessively large batch operation), got {partitions:,}."
        )
    if replication_factor < 1:
        raise InvalidConfig(
            f"Replication factor must be larger than 0, got {replication_factor}."
        )
    for key, value in configs.items():
        allowed = KNOWN_CONFIGS.get(key)
        if allowed is not None and value not in allowed:
            raise InvalidConfig(f"Invalid value {value} for configuration {key}.")
        if key in ("retention.ms", "delete.retention.ms", "max.message.bytes", "retention.bytes"):
            try:
                int(value)
            except ValueError:
                raise InvalidConfig(
                    f"Invalid value {value} for configuration {key}: Not a number of type LONG"
                ) from None
    return TopicSpec(name, partitions, replication_factor, tuple(sorted(configs.items())))


def altered_spec(spec: TopicSpec, changes: Mapping[str, str | None]) -> TopicSpec:
    """`spec` with `changes` applied (a value sets a config, None resets it to the default,
    Kafka's IncrementalAlterConfigs SET and DELETE), checked as a create would be."""
    configs = dict(spec.configs)
    for key, value in changes.items():
        if value is None:
            configs.pop(key, None)
        else:
            configs[key] = value
    return validate_topic_spec(spec.name, spec.partitions, spec.replication_factor, configs)


AUTO_OFFSET_RESETS = ("earliest", "latest")


def validate_offset_reset(value: str) -> None:
    """`auto.offset.reset` must be earliest or latest (Kafka's message for anything else)."""
    if value not in AUTO_OFFSET_RESETS:
        raise InvalidConfig(
            f"Invalid value {value} for configuration auto.offset.reset: "
            "String must be one of: latest, earliest"
        )


def record_size(record: Record) -> int:
    """Bytes a record occupies for `max.message.bytes` (key + value + headers)."""
    size = len(record.key or b"") + len(record.value or b"")
    for hkey, hvalue in record.headers:
        size += len(hkey) + len(hvalue or b"")
    return size


class StateStore(ABC):
    """A read view of a per-task key-value store. Writes go through a Transaction."""

    name: str

    @abstractmethod
    def get(self, key: bytes) -> bytes | None:
        """The committed value for `key`, or None."""

    @abstractmethod
    def items(self, prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        """Committed entries whose key starts with `prefix`, in key order."""

    def get_many(self, keys: Sequence[bytes]) -> list[bytes | None]:
        """The committed value of each key (None where absent), in the order asked.

        For readers that look up many keys at once (a batch's dedupe entries): a backend
        may answer them in one query instead of one round trip per key."""
        return [self.get(key) for key in keys]


@dataclass(frozen=True, slots=True)
class GroupMember:
    """One live member of a consumer group, as a group description reports it.

    `client_id` is the client's own id where the backend learns it (Kafka's `client.id`);
    the embedded logs have no separate client id and report the member id."""

    member_id: str
    client_id: str
    assignment: frozenset[TopicPartition]


class GroupConsumer(ABC):
    """A member of a consumer group: partitions of its topics are shared among live members.

    A member that stops polling for longer than the session timeout is considered dead and
    its partitions move to the others. Positions start at the group's committed offset, or
    at `auto_offset_reset` ("earliest" / "latest") when there is none.
    """

    group: str
    member_id: str

    @abstractmethod
    def poll(self, timeout: float = 1.0, max_records: int = 1000) -> list[LogRecord]:
        """Heartbeat, take part in rebalances, and return committed records past the positions.

        Waits up to `timeout` seconds for data; returns [] when there is none.
        """

    def poll_runs(self, timeout: float = 1.0, max_records: int = 1000) -> list[RecordRun]:
        """`poll`, as one run per partition read: for readers that take keys and values
        in bulk (a backend may then skip building a LogRecord per record)."""
        return RecordRun.split(self.poll(timeout, max_records))

    @abstractmethod
    def assignment(self) -> frozenset[TopicPartition]:
        """Partitions currently owned by this member."""

    @abstractmethod
    def position(self, tp: TopicPartition) -> int:
        """The offset of the next record `poll` returns for `tp`."""

    @abstractmethod
    def seek(self, tp: TopicPartition, offset: int) -> None:
        """Move the position of an assigned partition."""

    @abstractmethod
    def commit(self, offsets: Mapping[TopicPartition, int] | None = None) -> None:
        """Commit `offsets` (next offset to read), or the current positions when None."""

    @abstractmethod
    def close(self) -> None:
        """Leave the group so its partitions are reassigned at once."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TxnStatus(Enum):
    OPEN = "open"
    COMMITTED = "committed"
    ABORTED = "aborted"
    FAILED = "failed"


# Read per state write (`_check_open`): on Python 3.11 `TxnStatus.OPEN` in a function body
# takes EnumType's `__getattr__` hook (~850 instructions, ten times a global's read).
_OPEN = TxnStatus.OPEN


class Transaction(ABC):
    """One atomic step: appends, consumed offsets and state changes commit together.

    Use as a context manager: commits on normal exit, aborts on an exception. After
    commit, abort or a failure the transaction cannot be used again.

    `predicts_positions` (per transaction): appends are only buffered, and each record
    gets the offset after its partition's end as the transaction first saw it (commit
    fails with TransactionConflict if another writer moved that end). Records appended
    later in the same transaction can then be given their offsets before they are
    appended (`end_offset`). On memory and sqlite every append is predicted; a Kafka
    transaction predicts from its first `end_offset` on (appends before it are sent at
    once), and the one after a conflict does not predict, so a retry gets through.
    """

    predicts_positions: bool = False

    def __init__(self) -> None:
        self.status = TxnStatus.OPEN

    def _check_open(self) -> None:
        if self.status is not _OPEN:
            raise TransactionError(f"Transaction is {self.status.value}; it cannot be used.")

    @abstractmethod
    def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        """Append records; they become visible only when the transaction commits.

        Returns the positions the records get if the transaction commits, so a consumer
        of those partitions can commit past them in the same transaction (what the SQL
        engine does when one query feeds the next). Predicted positions (see
        `predicts_positions`) come from the partition ends, and `commit` raises
        TransactionConflict if another writer appended to one of those partitions in the
        meantime; otherwise (Kafka) they are the real offsets (the producer is flushed).
        """

    def write(self, topic: str, records: Sequence[Record]) -> None:
        """`append` records whose positions nobody needs: a backend may send them with
        the commit instead of at once."""
        self.append(topic, records)

    def write_rows(self, topic: str, rows: Sequence[RecordRow]) -> None:
        """`write` for records given as plain tuples in Record's field order (a backend
        that reads them so takes them as they are)."""
        self.write(topic, [as_record(row) for row in rows])

    def end_offset(self, tp: TopicPartition) -> int:
        """Where this transaction's next record on `tp` goes if it commits: the end of
        `tp` as the transaction first saw it, plus what it appended there since. From
        then on the commit checks that end (only where `predicts_positions`)."""
        raise TransactionError("This transaction does not predict positions.")

    @abstractmethod
    def send_offsets(
        self, group: GroupConsumer | str, offsets: Mapping[TopicPartition, int]
    ) -> None:
        """Commit consumed offsets of `group` (a member, or a group name) with the transaction."""

    @abstractmethod
    def put(self, store: str, key: bytes, value: bytes | None) -> None:
        """Write (or with None, delete) a state-store entry as part of the transaction."""

    def put_many(self, store: str, entries: Mapping[bytes, bytes | None]) -> None:
        """`put` each entry (a backend may take them in one go)."""
        for key, value in entries.items():
            self.put(store, key, value)

    @abstractmethod
    def get(self, store: str, key: bytes) -> bytes | None:
        """Read a state-store entry, seeing this transaction's own writes."""

    @abstractmethod
    def commit(self) -> None:
        """Make everything visible atomically. Raises Fenced if a newer producer took over."""

    @abstractmethod
    def abort(self) -> None:
        """Discard everything."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.status is not TxnStatus.OPEN:
            return
        if exc_type is None:
            self.commit()
        else:
            self.abort()


class TransactionalProducer(ABC):
    """A producer with a transactional id. Creating a new one with the same id fences the old."""

    transactional_id: str

    @abstractmethod
    def begin(self) -> Transaction:
        """Start a transaction. Only one may be open per producer."""

    @abstractmethod
    def close(self) -> None: ...


class Log(ABC):
    """Topics, partitions, consumer groups, transactions and state stores."""

    # -- topics -----------------------------------------------------------------------------

    @abstractmethod
    def create_topic(
        self,
        name: str,
        partitions: int = 1,
        replication_factor: int = 1,
        configs: Mapping[str, str] | None = None,
    ) -> TopicSpec:
        """Create a topic. Raises TopicExists, InvalidTopic, InvalidPartitions, InvalidConfig."""

    @abstractmethod
    def delete_topic(self, name: str) -> None:
        """Delete a topic and its records. Raises TopicNotFound."""

    @abstractmethod
    def list_topics(self) -> list[str]:
        """Names of all topics, sorted."""

    def cluster_id(self) -> str:
        """The id of the Kafka cluster this log is, as Kafka's APIs name it."""
        return CLUSTER_ID

    @abstractmethod
    def describe_topic(self, name: str) -> TopicDescription:
        """Spec and partition offsets of a topic. Raises TopicNotFound."""

    def topic_exists(self, name: str) -> bool:
        return name in self.list_topics()

    def describe_topic_configs(self, name: str) -> tuple[ConfigEntry, ...] | None:
        """Every config of the topic as its Kafka broker describes them, or None where tote
        keeps the topic itself (REST Proxy then describes Kafka's defaults and the topic's
        own settings). Raises TopicNotFound."""
        return None

    @abstractmethod
    def alter_topic_configs(self, name: str, changes: Mapping[str, str | None]) -> TopicSpec:
        """Set configs (a value) and reset others to their default (None) in one step;
        return the topic's new spec. Later appends and retention runs follow the new
        values. Raises TopicNotFound, InvalidConfig (nothing changes then)."""

    def ensure_topic(
        self,
        name: str,
        partitions: int = 1,
        replication_factor: int = 1,
        configs: Mapping[str, str] | None = None,
    ) -> TopicSpec:
        """Create the topic unless it exists; return its spec either way."""
        from tote.core.errors import TopicExists

        try:
            return self.create_topic(name, partitions, replication_factor, configs)
        except TopicExists:
            return self.describe_topic(name).spec

    # -- writing and reading ----------------------------------------------------------------

    @abstractmethod
    def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        """Append a batch atomically; return where each record landed, in input order.

        Keyed records without an explicit partition go where Kafka's murmur2 partitioner
        would put them; unkeyed ones are spread across partitions. Raises TopicNotFound,
        PartitionNotFound, RecordTooLarge (`max.message.bytes`); a failed batch appends nothing.
        """

    def append_many(
        self, batches: Sequence[tuple[str, Sequence[Record]]]
    ) -> list[list[Position] | ToteError]:
        """Several independent `append`s: each batch is atomic on its own and fails on its
        own (its entry is then the error, and it appended nothing).

        A backend may commit them all in one step (group commit), so many small writers
        pay for one commit between them; this default appends them one by one.
        """
        results: list[list[Position] | ToteError] = []
        for topic, records in batches:
            try:
                results.append(self.append(topic, records))
            except ToteError as exc:
                results.append(exc)
        return results

    @abstractmethod
    def read(self, tp: TopicPartition, offset: int, max_records: int = 1000) -> list[LogRecord]:
        """Committed records of `tp` from `offset` on (at most `max_records`).

        An offset below the partition's start (removed by retention or compaction) reads
        from the first record still there; `offset == end` returns []; an offset past the
        end raises OffsetOutOfRange.
        """

    def read_many(self, offsets: Mapping[TopicPartition, int], max_records: int = 1000
                  ) -> dict[TopicPartition, list[LogRecord]]:
        """`read` of several partitions, each from its offset. A backend that can reads
        them all as of one moment, so a record appended to one partition after a record
        of another is never seen without that other one (what a reader merging partitions
        by time needs); this one reads them one after the other."""
        return {tp: self.read(tp, offset, max_records) for tp, offset in offsets.items()}

    def read_run(self, tp: TopicPartition, offset: int, max_records: int = 1000) -> RecordRun:
        """`read`, as a RecordRun: keys and values as columns, a LogRecord built only for
        a record someone looks at. Same records, same errors."""
        return RecordRun(tp, self.read(tp, offset, max_records))

    def offsets_for_times(
        self, timestamps: Mapping[TopicPartition, int]
    ) -> dict[TopicPartition, int | None]:
        """Per partition, the first offset whose committed record has a timestamp at or
        after the given one (ms since the epoch); None where no record does (Kafka's
        `offsetsForTimes`). Raises TopicNotFound / PartitionNotFound.

        Timestamps need not grow with offsets (CreateTime is the producer's), so this
        default reads each partition from its start; a backend may ask an index instead."""
        return {tp: self.scan_for_time(tp, stamp) for tp, stamp in timestamps.items()}

    def scan_for_time(self, tp: TopicPartition, timestamp: int, offset: int = 0) -> int | None:
        """The first offset from `offset` on whose record is stamped at or after
        `timestamp`, read record by record; None if none is."""
        while batch := self.read(tp, offset):
            hit = next((r.offset for r in batch if r.timestamp >= timestamp), None)
            if hit is not None:
                return hit
            offset = batch[-1].offset + 1
        return None

    @abstractmethod
    def wait(self, positions: Mapping[TopicPartition, int], timeout: float) -> bool:
        """Block until some partition has a record at or past its position, or `timeout` passes.

        Wakes within tens of milliseconds of an append by any process. Returns whether
        data is available.
        """

    def wait_or_wake(
        self, positions: Mapping[TopicPartition, int], timeout: float, wake: Wake
    ) -> bool:
        """`wait`, also ended at once by `wake.set()` from another thread (a closed push
        query frees its poll thread). This default waits in slices of `WAKE_SLICE`;
        backends that can interrupt their own wait do so instead."""
        deadline = time.monotonic() + max(timeout, 0.0)
        while not wake.is_set():
            remaining = deadline - time.monotonic()
            if self.wait(positions, min(remaining, WAKE_SLICE)):
                return True
            if remaining <= WAKE_SLICE:
                return False
        return False

    def tail(
        self, tp: TopicPartition, offset: int, poll_timeout: float = 1.0
    ) -> Iterator[LogRecord]:
        """Follow a partition forever from `offset` (callers break out)."""
        while True:
            batch = self.read(tp, offset)
            if batch:
                yield from batch
                offset = batch[-1].offset + 1
            else:
                self.wait({tp: offset}, poll_timeout)

    # -- consumer groups --------------------------------------------------------------------

    @abstractmethod
    def consumer(
        self,
        group: str,
        topics: Sequence[str],
        *,
        member_id: str | None = None,
        session_timeout_ms: int = 10_000,
        auto_offset_reset: str = "earliest",
    ) -> GroupConsumer:
        """Join `group` as a member consuming `topics` (which must exist)."""

    @abstractmethod
    def committed(self, group: str, tps: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        """Committed offsets of a group; partitions without one are left out."""

    @abstractmethod
    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> None:
        """Commit offsets for a group outside any transaction (next offset to read)."""

    @abstractmethod
    def list_groups(self) -> list[str]:
        """Groups with committed offsets or live members, sorted."""

    @abstractmethod
    def delete_group(self, group: str) -> None:
        """Forget a group's offsets. Raises GroupNotFound."""

    def group_assignments(self, group: str) -> list[frozenset[TopicPartition]]:
        """The partitions assigned to each live member of `group` (Kafka's
        describeConsumerGroups members), which ksqlDB's SHOW TOPICS EXTENDED counts; a
        group with only committed offsets has none."""
        return [member.assignment for member in self.group_members(group)]

    def group_members(self, group: str) -> list[GroupMember]:
        """Each live member of `group` with its ids and assigned partitions, sorted by
        member id (Kafka's describeConsumerGroups members, which REST Proxy v3 lists as
        consumers); a group with only committed offsets has none. Backends that track
        members override."""
        return []

    # -- transactions and state -------------------------------------------------------------

    @abstractmethod
    def transactional_producer(self, transactional_id: str) -> TransactionalProducer:
        """A producer for exactly-once steps; fences any earlier producer with the same id."""

    @abstractmethod
    def store(self, name: str) -> StateStore:
        """A read view of a state store (created empty on first use; survives restarts)."""

    # -- housekeeping -----------------------------------------------------------------------

    @abstractmethod
    def enforce_retention(self, topic: str | None = None) -> None:
        """Apply `retention.ms` and `cleanup.policy=compact` now (backends also do it alone)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections, threads and files."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
