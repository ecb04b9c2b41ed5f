"""Transactions and state stores of the SQLite log.

A transaction buffers its appends, offsets and store writes in memory and applies them
in ONE SQLite write transaction at commit, after checking the producer's epoch (and the
generation of any group member whose offsets it carries). So the file's write lock is
held only for the commit itself, and a crash at any point leaves all or nothing. Fencing
follows Kafka: each new producer for a transactional id bumps the epoch stored in the
file, and a producer holding an older epoch can no longer begin or commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from itertools import repeat
from typing import TYPE_CHECKING

from tote.core.errors import Fenced, ToteError, TransactionConflict, TransactionError
from tote.core.records import Position, Record, RecordRow, TopicPartition
from tote.log.base import GroupConsumer, StateStore, Transaction, TransactionalProducer, TxnStatus
from tote.log.sqlite_batch import (
    Batch,
    StaleTopic,
    insert_rows,
    merge_batches,
    plan_batch,
    write_batch,
)
from tote.log.sqlite_groups import SqliteGroupConsumer
from tote.log.sqlite_lock import write_txn

if TYPE_CHECKING:
    from tote.log.sqlite import SqliteLog

_PAGE = 1000
_MANY = 500  # keys per `get_many` query (SQLite builds before 3.32 take 999 parameters)
_UPSERT_STATE = ("INSERT INTO state VALUES (?, ?, ?) "
                 "ON CONFLICT (store, key) DO UPDATE SET value = excluded.value")


def _after(prefix: bytes) -> bytes | None:
    """The smallest key greater than every key starting with `prefix` (None: no bound)."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


class SqliteStore(StateStore):
    """A read view of one state store (rows of the `state` table)."""

    def __init__(self, log: SqliteLog, name: str) -> None:
        self._log = log
        self.name = name

    def get(self, key: bytes) -> bytes | None:
        store = self._log.store_ids.find(self.name)
        if store is None:
            return None
        row = self._log.conn().execute(
            "SELECT value FROM state WHERE store = ? AND key = ?", (store, key)
        ).fetchone()
        return row[0] if row else None

    def get_many(self, keys: Sequence[bytes]) -> list[bytes | None]:
        """One `key IN (...)` query per `_MANY` keys: a fraction of a query per key."""
        found: dict[bytes, bytes] = {}
        store = self._log.store_ids.find(self.name)
        if store is None:
            return [None] * len(keys)
        conn = self._log.conn()
        for first in range(0, len(keys), _MANY):
            chunk = keys[first : first + _MANY]
            marks = ",".join("?" * len(chunk))
            found.update(
                conn.execute(
                    f"SELECT key, value FROM state WHERE store = ? AND key IN ({marks})",
                    (store, *chunk),
                ).fetchall()
            )
        return [found.get(key) for key in keys]

    def items(self, prefix: bytes = b"") -> Iterator[tuple[bytes, bytes]]:
        """Entries in key order, fetched a page at a time so no read stays open."""
        store = self._log.store_ids.find(self.name)
        if store is None:
            return
        upper = _after(prefix)
        last: bytes | None = None
        while True:
            lower, op = (prefix, ">=") if last is None else (last, ">")
            sql = f"SELECT key, value FROM state WHERE store = ? AND key {op} ?"
            params: tuple[object, ...] = (store, lower)
            if upper is not None:
                sql += " AND key < ?"
                params += (upper,)
            rows = self._log.conn().execute(f"{sql} ORDER BY key LIMIT {_PAGE}", params).fetchall()
            yield from rows
            if len(rows) < _PAGE:
                return
            last = rows[-1][0]


class SqliteTransactionalProducer(TransactionalProducer):
    """A transactional producer holding the epoch it was created with."""

    def __init__(self, log: SqliteLog, transactional_id: str, epoch: int) -> None:
        self._log = log
        self.transactional_id = transactional_id
        self.epoch = epoch
        self._current: SqliteTransaction | None = None
        self._closed = False

    def check_not_fenced(self, conn: sqlite3.Connection) -> None:
        if self._log.producer_epoch(conn, self.transactional_id) != self.epoch:
            raise Fenced(
                f"Producer with transactional id '{self.transactional_id}' has been fenced: "
                "a newer producer with the same transactional id took over."
            )

    def begin(self) -> Transaction:
        if self._closed:
            raise TransactionError(f"Producer '{self.transactional_id}' is closed.")
        self.check_not_fenced(self._log.conn())
        if self._current is not None and self._current.status is TxnStatus.OPEN:
            raise TransactionError(
                f"Producer '{self.transactional_id}' already has an open transaction."
            )
        self._current = SqliteTransaction(self._log, self)
        return self._current

    def close(self) -> None:
        self._closed = True
        if self._current is not None and self._current.status is TxnStatus.OPEN:
            self._current.abort()


class SqliteTransaction(Transaction):
    """Buffered appends, offsets and store writes, applied atomically by `commit`."""

    predicts_positions = True

    def __init__(self, log: SqliteLog, producer: SqliteTransactionalProducer) -> None:
        super().__init__()
        self._log = log
        self._producer = producer
        self._appends: list[str] = []  # the topics appended to
        self._batches: list[Batch] = []
        # Partition end offsets seen when this transaction first appended to them, and the
        # next offset it promised there: commit checks nobody else wrote in between.
        self._seen_ends: dict[TopicPartition, int] = {}
        self._next: dict[TopicPartition, int] = {}
        self._offsets: list[tuple[str, SqliteGroupConsumer | None, dict[TopicPartition, int]]] = []
        self._writes: dict[str, dict[bytes, bytes | None]] = {}

    def _fail(self) -> None:
        self.status = TxnStatus.FAILED

    def append(self, topic: str, records: Sequence[Record]) -> list[Position]:
        return self._add(topic, records, True)

    def write(self, topic: str, records: Sequence[Record]) -> None:
        """`append` without building the positions nobody reads (one object per record)."""
        self._add(topic, records, False)

    def write_rows(self, topic: str, rows: Sequence[RecordRow]) -> None:
        """`write`, the records as plain tuples (`plan_batch` reads them by position)."""
        self._add(topic, rows, False)

    def _add(self, topic: str, records: Sequence[RecordRow],
             positioned: bool) -> list[Position]:
        self._check_open()
        log = self._log
        try:
            meta = log.topics.get(topic)
            batch = plan_batch(meta, records, log.sticky, log.clock.now_ms())
            stamps = batch.timestamps or repeat(batch.now)
            positions: list[Position] = []
            if not batch.count:
                pass
            elif batch.partition is not None:
                # One partition (the usual case): consecutive offsets, built in one go.
                first = self._claim(TopicPartition(topic, batch.partition), batch.count)
                if positioned:
                    positions = list(map(Position, repeat(batch.partition),
                                         range(first, first + batch.count), stamps))
            else:
                positions = [Position(partition, self._claim(TopicPartition(topic, partition),
                                                             1), stamp)
                             for partition, stamp in zip(batch.partitions or [], stamps,
                                                         strict=False)]
        except ToteError:
            self._fail()
            raise
        self._appends.append(topic)
        if batch.count:
            self._batches.append(batch)
        return positions

    def end_offset(self, tp: TopicPartition) -> int:
        self._check_open()
        return self._claim(tp, 0)

    def _claim(self, tp: TopicPartition, count: int) -> int:
        """The first of `count` offsets this transaction's appends take on `tp`."""
        offset = self._next.get(tp)
        if offset is None:
            bounds = self._log.bounds(tp)
            offset = bounds[1] if bounds else 0
            self._seen_ends[tp] = offset
        self._next[tp] = offset + count
        return offset

    def send_offsets(
        self, group: GroupConsumer | str, offsets: Mapping[TopicPartition, int]
    ) -> None:
        self._check_open()
        if isinstance(group, str):
            self._offsets.append((group, None, dict(offsets)))
        elif isinstance(group, SqliteGroupConsumer) and group.belongs_to(self._log):
            self._offsets.append((group.group, group, dict(offsets)))
        else:
            self._fail()
            raise TransactionError(
                f"Group member '{group.member_id}' does not belong to this sqlite log."
            )

    def put(self, store: str, key: bytes, value: bytes | None) -> None:
        self._check_open()
        self._writes.setdefault(store, {})[key] = value

    def put_many(self, store: str, entries: Mapping[bytes, bytes | None]) -> None:
        self._check_open()
        self._writes.setdefault(store, {}).update(entries)

    def get(self, store: str, key: bytes) -> bytes | None:
        self._check_open()
        pending = self._writes.get(store, {})
        if key in pending:
            return pending[key]
        return self._log.store(store).get(key)

    def commit(self) -> None:
        """Steps, all in one SQLite transaction: 1. check the producer's epoch and the
        generation of every group member whose offsets ride along; 2. append the batches;
        3. upsert the group offsets; 4. write the state-store rows."""
        self._check_open()
        log = self._log
        conn = log.conn()
        try:
            for _, _, offsets in self._offsets:
                log.check_offsets(offsets)
            try:
                with write_txn(conn):
                    self._producer.check_not_fenced(conn)
                    for _, member, _ in self._offsets:
                        if member is not None:
                            member.check_current(conn)
                    self._check_ends(conn)
                    for batch in merge_batches(self._batches):
                        write_batch(conn, batch)
                    for group, _, offsets in self._offsets:
                        log.groups.write_offsets(conn, group, offsets)
                    made = self._write_state(conn)
            except StaleTopic:
                for topic in self._appends:
                    log.topics.reload(topic)
                raise TransactionConflict(
                    "A topic this transaction appends to was deleted or re-created meanwhile."
                ) from None
        except Exception:
            self._fail()
            raise
        self.status = TxnStatus.COMMITTED
        log.store_ids.adopt(made)
        if self._appends:
            log.notify()

    def _check_ends(self, conn: sqlite3.Connection) -> None:
        """Inside the write lock: the partitions still end where `append` predicted."""
        for tp, seen in self._seen_ends.items():
            meta = self._log.topics.get(tp.topic)
            row = conn.execute(
                "SELECT end_offset FROM partitions WHERE topic_id = ? AND partition = ?",
                (meta.id, tp.partition),
            ).fetchone()
            if row is None:
                raise StaleTopic(f"Topic '{tp.topic}' changed in another process.")
            if int(row[0]) != seen:
                raise TransactionConflict(
                    f"Another writer appended to {tp.topic}-{tp.partition} during this "
                    "transaction; abort and retry."
                )

    def _write_state(self, conn: sqlite3.Connection) -> list[tuple[str, int]]:
        """Write the store changes; the store ids this made (`StoreIds.adopt` them once
        committed)."""
        made: list[tuple[str, int]] = []
        for name, writes in self._writes.items():
            store, new = self._log.store_ids.ensure(conn, name)
            if new:
                made.append((name, store))
            # Split only if something is deleted: the usual step deletes nothing, and
            # copying its entries into a new dict cost a third of writing them.
            puts, deletes = writes, []
            if None in writes.values():
                puts = {k: v for k, v in writes.items() if v is not None}
                deletes = [(store, k) for k, v in writes.items() if v is None]
            if puts:
                insert_rows(conn, _UPSERT_STATE, ([store] * len(puts), list(puts),
                                                  list(puts.values())))
            if deletes:
                conn.executemany("DELETE FROM state WHERE store = ? AND key = ?", deletes)
        return made

    def abort(self) -> None:
        if self.status is not TxnStatus.FAILED:
            self._check_open()
        self._appends.clear()
        self._batches.clear()
        self._offsets.clear()
        self._writes.clear()
        self.status = TxnStatus.ABORTED
