"""The SQLite log: tote's embedded default backend, one file shared by several processes.

The registry, REST proxy, ksqlDB engine and Connect each open the same file; SQLite's
locking makes them one log. Every thread gets its own connection (WAL lets readers run
beside the one writer), writes are `BEGIN IMMEDIATE` transactions with a busy timeout,
and tail readers are woken by `ChangeWatcher` when the partitions they wait on move.
Topic metadata is cached per process and re-read when another process turns out to have
deleted the topic (ids are never reused). Should the file be deleted or replaced while the
log has it open, writes fail with LogFileReplaced instead of going where nobody reads
(`sqlite_file`).
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import weakref
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from tote.core.clock import SYSTEM_CLOCK, Clock
from tote.core.errors import (
    OffsetOutOfRange,
    PartitionNotFound,
    Timeout,
    TopicNotFound,
    ToteError,
)
from tote.core.records import (
    LogRecord,
    Position,
    Record,
    TopicDescription,
    TopicPartition,
    TopicSpec,
)
from tote.log.base import (
    GroupConsumer,
    GroupMember,
    Log,
    StateStore,
    TransactionalProducer,
    validate_offset_reset,
    validate_topic_spec,
)
from tote.log.partitioner import StickyPartitioner
from tote.log.record_run import RecordRun
from tote.log.sqlite_batch import Batch, StaleTopic, apply_batch, plan_batch
from tote.log.sqlite_checkpoint import Checkpointer
from tote.log.sqlite_file import LogFile, LogFileReplaced
from tote.log.sqlite_groups import GroupTables, SqliteGroupConsumer
from tote.log.sqlite_lock import DEFAULT_BUSY_TIMEOUT, Connection, write_txn
from tote.log.sqlite_retention import RETENTION_CHECK_MS, enforce_topic
from tote.log.sqlite_schema import (
    MAX_OFFSET,
    OFFSET_BITS,
    TopicMeta,
    connect,
    decode_headers,
)
from tote.log.sqlite_stores import StoreIds
from tote.log.sqlite_topics import (
    TopicCache,
    delete_topic_rows,
    describe,
    insert_topic,
    update_configs,
)
from tote.log.sqlite_txn import SqliteStore, SqliteTransactionalProducer
from tote.log.sqlite_wal import check_side_files
from tote.log.sqlite_watch import DEFAULT_POLL_INTERVAL, ChangeWatcher
from tote.log.wake import Wake

_logger = logging.getLogger(__name__)
_READ = (
    "SELECT id - ?1, key, value, headers, ts FROM records "
    "WHERE id >= ?2 AND id < ?3 ORDER BY id LIMIT ?4"
)
_HAS_DATA = "SELECT 1 FROM records WHERE id >= ? AND id < ? LIMIT 1"
# The first record of a partition (rowids base..base+MAX_OFFSET) stamped at or after ?4: a
# scan in offset order (timestamps need not grow with offsets, so there is no index).
_AT_TIME = (
    "SELECT id - ?1 FROM records WHERE id >= ?2 AND id < ?3 AND ts >= ?4 ORDER BY id LIMIT 1"
)
_BOUNDS = "SELECT start_offset, end_offset FROM partitions WHERE topic_id = ? AND partition = ?"
_NEW = tuple.__new__
_NO_HEADERS = ()
# Where a row of _READ holds the offset, key and value.
_ROW_POSITIONS = (0, 1, 2)

# How often an append re-reads a topic that another process deleted or re-created.
_STALE_RETRIES = 3


def _written(batch: Batch) -> frozenset[int]:
    """The slots of the partitions a batch appends to."""
    bases = batch.meta.bases
    if batch.partition is not None:
        return frozenset((bases[batch.partition] >> OFFSET_BITS,))
    return frozenset(bases[p] >> OFFSET_BITS for p in set(batch.partitions or ()))


class SqliteLog(Log):
    """Topics, groups, transactions and state stores in one SQLite file."""

    def __init__(
        self,
        path: Path,
        clock: Clock = SYSTEM_CLOCK,
        *,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
    ) -> None:
        self.path = Path(path)
        self.clock = clock
        self._busy_timeout = busy_timeout
        self._poll_interval = poll_interval
        self._lock = threading.Lock()
        self._local = threading.local()
        self._file: LogFile | None = None  # what the first connection opened
        # Every thread's connection with its thread, weakly: a finished thread's connection
        # closes itself.
        self._connections: weakref.WeakKeyDictionary[Connection, threading.Thread] = (
            weakref.WeakKeyDictionary()
        )
        self.topics = TopicCache(self.conn)
        # Like Kafka's client, start unkeyed batches at a random partition, so one-shot
        # producers in separate processes (the CLI, scripts) still spread their batches.
        self.sticky = StickyPartitioner(start=random.randrange(1 << 16))
        self._watcher = ChangeWatcher(self._open, poll_interval, self._file_there)
        # Group commits (`append_many`) leave WAL checkpoints to a thread of their own.
        self._checkpointer = Checkpointer(self._open)
        self._consumers: list[SqliteGroupConsumer] = []
        self._last_retention_ms = clock.now_ms()
        self.groups = GroupTables(self)
        self.store_ids = StoreIds(self.conn)
        self.conn()

    # -- connections ----------------------------------------------------------------------

    def _open(self) -> Connection:
        file = self._file
        if file is not None:
            file.check()  # a connection to whatever is at the path now would mix two files
        else:
            check_side_files(self.path)  # before SQLite replays a WAL that is not the file's
        try:
            conn = connect(self.path, self._busy_timeout)
        except ToteError:
            if file is not None:
                file.check()  # say so if that is why the file would not open
            raise
        try:
            with self._lock:
                if self._file is None:
                    self._file = LogFile(self.path)  # sqlite has created it by now
                conn.file = self._file
        except BaseException:
            conn.close()
            raise
        return conn

    def _file_there(self) -> bool:
        return self._file is None or self._file.still_there()

    def on_file_lost(self, listener: Callable[[LogFileReplaced], None]) -> None:
        """Call `listener` once, from the thread that notices, if the file this log opened
        is deleted or replaced (writes fail with LogFileReplaced from then on)."""
        self.conn()
        assert self._file is not None
        self._file.on_lost(listener)

    def conn(self) -> Connection:
        """This thread's connection to the file (opened on first use)."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._open()
            with self._lock:
                self._connections[conn] = threading.current_thread()
            self._local.conn = conn
        return conn

    def notify(self, slots: Collection[int] | None = None) -> None:
        """Wake this process's waiters after a commit that added records (to the
        partitions of `slots` only, when given)."""
        self._watcher.notify(slots)

    def _slots(self, tps: Iterable[TopicPartition]) -> frozenset[int] | None:
        """The partitions' slots (what the watcher tracks), or None if one is unknown."""
        slots = set()
        for tp in tps:
            meta = self.topics.peek(tp.topic)
            if meta is None or not 0 <= tp.partition < len(meta.bases):
                return None
            slots.add(meta.bases[tp.partition] >> OFFSET_BITS)
        return frozenset(slots)

    # -- topics ---------------------------------------------------------------------------

    def create_topic(
        self,
        name: str,
        partitions: int = 1,
        replication_factor: int = 1,
        configs: Mapping[str, str] | None = None,
    ) -> TopicSpec:
        spec = validate_topic_spec(name, partitions, replication_factor, configs or {})
        conn = self.conn()
        with write_txn(conn):
            insert_topic(conn, spec)
        self.topics.forget(name)
        return spec

    def delete_topic(self, name: str) -> None:
        conn = self.conn()
        with write_txn(conn):
            delete_topic_rows(conn, name)
            self.groups.topic_deleted(conn, name)
        self.topics.forget(name)
        self.sticky.forget(name)
        self.notify()

    def alter_topic_configs(self, name: str, changes: Mapping[str, str | None]) -> TopicSpec:
        conn = self.conn()
        with write_txn(conn):
            spec = update_configs(conn, name, changes)
        self.topics.forget(name)
        return spec

    def list_topics(self) -> list[str]:
        rows = self.conn().execute("SELECT name FROM topics ORDER BY name").fetchall()
        return [name for (name,) in rows]

    def topic_exists(self, name: str) -> bool:
        row = self.conn().execute("SELECT 1 FROM topics WHERE name = ?", (name,)).fetchone()
        return row is not None

    def describe_topic(self, name: str) -> TopicDescription:
        meta, infos = describe(self.conn(), name)
        self.topics.put(meta)
        return TopicDescription(meta.spec, infos)

    def partition_count(self, name: str) -> int | None:
        row = self.conn().execute("SELECT partitions FROM topics WHERE name = ?", (name,))
        found = row.fetchone()
        return int(found[0]) if found else None

    # -- writing and reading --------------------------------------------------------------

    def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        conn = self.conn()
        meta = self.topics.get(topic)
        for _ in range(_STALE_RETRIES):
            try:
                batch = plan_batch(meta, records, self.sticky, self.clock.now_ms())
                if not batch.count:
                    return []
                with write_txn(conn):
                    positions = apply_batch(conn, batch)
            except (StaleTopic, PartitionNotFound):
                fresh = self.topics.reload(topic)  # deleted or re-created by another process?
                if fresh.id == meta.id:
                    raise
                meta = fresh
                continue
            self.notify(_written(batch))
            self._housekeep()
            return positions
        raise StaleTopic(f"Topic '{topic}' keeps being re-created by another process.")

    def append_many(
        self, batches: Sequence[tuple[str, Sequence[Record]]]
    ) -> list[list[Position] | ToteError]:
        """Group commit: every batch that checks out is written in ONE transaction.

        A batch that fails its checks gets its error and writes nothing; the others still
        commit. Should writing the group fail (a topic changed under this process, a full
        partition), it is rolled back and each batch is appended on its own instead.
        """
        results: list[list[Position] | ToteError | None] = [None] * len(batches)
        planned: list[tuple[int, Batch]] = []
        now = self.clock.now_ms()
        for i, (topic, records) in enumerate(batches):
            try:
                batch = plan_batch(self.topics.get(topic), records, self.sticky, now)
            except PartitionNotFound:
                results[i] = self._append_alone(topic, records)  # stale metadata?
                continue
            except ToteError as exc:
                results[i] = exc
                continue
            if batch.count:
                planned.append((i, batch))
            else:
                results[i] = []
        if planned:
            conn = self.conn()
            try:
                with write_txn(conn):
                    written = [(i, apply_batch(conn, batch)) for i, batch in planned]
            except (Timeout, LogFileReplaced) as exc:  # one by one would fail the same way
                for i, _ in planned:
                    results[i] = exc
            except ToteError:
                for i, _ in planned:
                    results[i] = self._append_alone(*batches[i])
            else:
                for i, positions in written:
                    results[i] = positions
                self._checkpointer.poke()
                self.notify(frozenset().union(*(_written(batch) for _, batch in planned)))
                self._housekeep()
        return [result if result is not None else [] for result in results]

    def _append_alone(self, topic: str, records: Sequence[Record]) -> list[Position] | ToteError:
        try:
            return self.append(topic, records)
        except ToteError as exc:
            return exc

    def offsets_for_times(
        self, timestamps: Mapping[TopicPartition, int]
    ) -> dict[TopicPartition, int | None]:
        """One query per partition (see `Log.offsets_for_times`)."""
        found: dict[TopicPartition, int | None] = {}
        for tp, stamp in timestamps.items():
            meta = self.topics.check_partition(tp)
            conn = self.conn()
            base = meta.bases[tp.partition]
            row = conn.execute(_AT_TIME, (base, base, base + MAX_OFFSET, stamp)).fetchone()
            if row is None and conn.execute(_BOUNDS, (meta.id, tp.partition)).fetchone() is None:
                self.topics.reload(tp.topic)  # deleted or re-created by another process
                found.update(self.offsets_for_times({tp: stamp}))
                continue
            found[tp] = None if row is None else int(row[0])
        return found

    def _read_rows(
        self, tp: TopicPartition, offset: int, max_records: int
    ) -> tuple[TopicMeta, list[tuple[Any, ...]]]:
        """The topic's metadata and the rows (offset, key, value, headers, ts) of a read."""
        meta = self.topics.check_partition(tp)
        conn = self.conn()
        base = meta.bases[tp.partition]
        first = base + min(max(offset, 0), MAX_OFFSET)
        rows = conn.execute(_READ, (base, first, base + MAX_OFFSET, max(max_records, 0))).fetchall()
        if not rows:
            bounds = conn.execute(_BOUNDS, (meta.id, tp.partition)).fetchone()
            if bounds is None:
                self.topics.reload(tp.topic)
                return self._read_rows(tp, offset, max_records)
            if offset > bounds[1]:
                raise OffsetOutOfRange(
                    f"Offset {offset} is out of range for partition {tp.topic}-{tp.partition}: "
                    f"the log ends at offset {bounds[1]}."
                )
        return meta, rows

    def read(self, tp: TopicPartition, offset: int, max_records: int = 1000) -> list[LogRecord]:
        meta, rows = self._read_rows(tp, offset, max_records)
        name, partition, kind = tp.topic, tp.partition, meta.timestamp_type
        return [
            _NEW(
                LogRecord,
                (
                    name,
                    partition,
                    at,
                    key,
                    value,
                    _NO_HEADERS if headers is None else decode_headers(headers),
                    ts,
                    kind,
                ),
            )
            for at, key, value, headers, ts in rows
        ]

    def read_many(self, offsets: Mapping[TopicPartition, int], max_records: int = 1000
                  ) -> dict[TopicPartition, list[LogRecord]]:
        """Every read in one SQLite read transaction: one snapshot of the file."""
        conn = self.conn()
        if len(offsets) < 2 or conn.in_transaction:
            return super().read_many(offsets, max_records)
        conn.execute("BEGIN")
        try:
            return super().read_many(offsets, max_records)
        finally:
            conn.execute("COMMIT")

    def read_run(self, tp: TopicPartition, offset: int, max_records: int = 1000) -> RecordRun:
        """`read` keeping the query's rows: a record is built when someone looks at it."""
        meta, rows = self._read_rows(tp, offset, max_records)
        name, partition, kind = tp.topic, tp.partition, meta.timestamp_type

        def build(row: tuple[Any, ...]) -> LogRecord:
            at, key, value, headers, ts = row
            return _NEW(LogRecord, (name, partition, at, key, value, _NO_HEADERS if headers
                                    is None else decode_headers(headers), ts, kind))

        return RecordRun(tp, rows, build, _ROW_POSITIONS)

    def bounds(self, tp: TopicPartition) -> tuple[int, int] | None:
        """(start, end) offsets of a partition, or None if it does not exist (any more)."""
        for _ in range(_STALE_RETRIES):
            try:
                meta = self.topics.check_partition(tp)
            except (TopicNotFound, PartitionNotFound):
                return None
            row = self.conn().execute(_BOUNDS, (meta.id, tp.partition)).fetchone()
            if row is not None:
                return int(row[0]), int(row[1])
            self.topics.forget(tp.topic)
        return None

    def available(self, positions: Mapping[TopicPartition, int]) -> bool:
        """Whether some partition holds a record at or past its position."""
        conn = self.conn()
        for tp, position in positions.items():
            meta = self.topics.peek(tp.topic)
            if meta is None:
                continue
            if not 0 <= tp.partition < len(meta.bases):
                continue
            base = meta.bases[tp.partition]
            first = base + min(max(position, 0), MAX_OFFSET)
            if conn.execute(_HAS_DATA, (first, base + MAX_OFFSET)).fetchone():
                return True
        return False

    def wait(self, positions: Mapping[TopicPartition, int], timeout: float) -> bool:
        return self._wait(positions, timeout, None)

    def wait_or_wake(
        self, positions: Mapping[TopicPartition, int], timeout: float, wake: Wake
    ) -> bool:
        return self._wait(positions, timeout, wake)

    def _wait(
        self, positions: Mapping[TopicPartition, int], timeout: float, wake: Wake | None
    ) -> bool:
        for tp in positions:
            self.topics.check_partition(tp)
        deadline = SYSTEM_CLOCK.monotonic() + max(timeout, 0.0)
        seq = self._watcher.seq
        slots = self._slots(positions)
        while True:
            if self.available(positions):
                return True
            remaining = deadline - SYSTEM_CLOCK.monotonic()
            if remaining <= 0 or (wake is not None and wake.is_set()):
                return False
            seq = self._watcher.wait_change(seq, remaining, slots, wake=wake)

    def wait_change(
        self,
        seq: int,
        timeout: float,
        tps: Iterable[TopicPartition] | None = None,
        group: str | None = None,
    ) -> int:
        """Block until something is committed to the file (or `timeout`): records in `tps`
        or a new generation of `group` when given, else anything; see ChangeWatcher."""
        slots = None if tps is None else self._slots(tps)
        return self._watcher.wait_change(seq, timeout, slots, group)

    @property
    def change_seq(self) -> int:
        return self._watcher.seq

    # -- consumer groups ------------------------------------------------------------------

    def consumer(
        self,
        group: str,
        topics: Sequence[str],
        *,
        member_id: str | None = None,
        session_timeout_ms: int = 10_000,
        auto_offset_reset: str = "earliest",
    ) -> GroupConsumer:
        validate_offset_reset(auto_offset_reset)
        for topic in topics:
            self.topics.get(topic)
        consumer = SqliteGroupConsumer(
            self,
            group,
            topics,
            member_id=member_id,
            session_timeout_ms=session_timeout_ms,
            auto_offset_reset=auto_offset_reset,
        )
        consumer.poll(timeout=0, max_records=0)
        with self._lock:
            self._consumers = [c for c in self._consumers if not c.closed]
            self._consumers.append(consumer)
        return consumer

    def check_offsets(self, offsets: Mapping[TopicPartition, int]) -> None:
        for tp in offsets:
            self.topics.check_partition(tp)

    def committed(self, group: str, tps: Iterable[TopicPartition]) -> dict[TopicPartition, int]:
        return self.groups.committed(self.conn(), group, tps)

    def commit_offsets(self, group: str, offsets: Mapping[TopicPartition, int]) -> None:
        self.check_offsets(offsets)
        conn = self.conn()
        with write_txn(conn):
            self.groups.write_offsets(conn, group, offsets)

    def list_groups(self) -> list[str]:
        return self.groups.list(self.conn())

    def delete_group(self, group: str) -> None:
        conn = self.conn()
        with write_txn(conn):
            self.groups.delete(conn, group)

    def group_members(self, group: str) -> list[GroupMember]:
        live = self.groups.live_members(self.conn(), group)
        return [GroupMember(member, member, held) for member, held in live.items()]

    # -- transactions and state -----------------------------------------------------------

    def transactional_producer(self, transactional_id: str) -> TransactionalProducer:
        conn = self.conn()
        with write_txn(conn):
            (epoch,) = conn.execute(
                "INSERT INTO producers VALUES (?, 0) ON CONFLICT (transactional_id) "
                "DO UPDATE SET epoch = epoch + 1 RETURNING epoch",
                (transactional_id,),
            ).fetchone()
        return SqliteTransactionalProducer(self, transactional_id, epoch)

    def producer_epoch(self, conn: sqlite3.Connection, transactional_id: str) -> int:
        row = conn.execute(
            "SELECT epoch FROM producers WHERE transactional_id = ?", (transactional_id,)
        ).fetchone()
        return int(row[0]) if row else -1

    def store(self, name: str) -> StateStore:
        return SqliteStore(self, name)

    # -- housekeeping ---------------------------------------------------------------------

    def _housekeep(self) -> None:
        """Run retention now and then from appends (Kafka's retention check interval).

        The batch is already committed, so a busy file only postpones this run.
        """
        now = self.clock.now_ms()
        if now - self._last_retention_ms < RETENTION_CHECK_MS:
            return
        self._last_retention_ms = now
        try:
            self._enforce(None, full=False)
        except Timeout as exc:
            _logger.warning("Retention skipped this time: %s", exc.message)

    def enforce_retention(self, topic: str | None = None) -> None:
        self._enforce(topic, full=True)

    def _enforce(self, topic: str | None, full: bool) -> None:
        now = self.clock.now_ms()
        names = [topic] if topic is not None else self.list_topics()
        for name in names:
            try:
                meta = self.topics.reload(name)
            except TopicNotFound:
                if topic is not None:
                    raise
                continue
            if meta.housekeeping:
                enforce_topic(self.conn(), meta, now, full)
        if topic is None:
            self._last_retention_ms = now

    def close(self) -> None:
        with self._lock:
            consumers, self._consumers = self._consumers, []
        for consumer in consumers:
            consumer.close()
        self._watcher.close()
        self._checkpointer.close()
        with self._lock:
            connections = list(self._connections.items())
            self._connections = weakref.WeakKeyDictionary()
            self._local = threading.local()
            self._watcher = ChangeWatcher(self._open, self._poll_interval, self._file_there)
            self._checkpointer = Checkpointer(self._open)
        # Closing a connection another thread is using crashes the interpreter, so only
        # this thread's and dead threads' connections are closed here; a live thread's
        # closes itself once that thread lets go of it (the thread-local was dropped above).
        current = threading.current_thread()
        for conn, owner in connections:
            if owner is current or not owner.is_alive():
                conn.close()
